#!/usr/bin/env bash
# A local ActorLsm cluster: up to three actorlsm-server processes on this machine, configured by
# hocon/node1.conf, node2.conf and node3.conf (clients on 127.0.0.1:7401-7403, remoting on
# 127.0.0.1:2551-2553, seeds 2551 and 2552).
#
#   deploy/local-cluster.sh start [N]   start nodes 1..N (default 3) that are not already running,
#                                       then wait until every node started now is up in the cluster
#   deploy/local-cluster.sh stop        SIGTERM every node (graceful leave), SIGKILL after 40 s
#   deploy/local-cluster.sh status      running or stopped, pid and endpoints of each node
#
# Runs from the repository root whatever the caller's directory. Node K keeps its stores under
# DIR/nodeK, its pid (the server process's own) in DIR/nodeK.pid and its stdout+stderr in
# DIR/nodeK.log (the previous log is kept as DIR/nodeK.log.prev). Environment:
#   ACTORLSM_CLUSTER_DIR      DIR above (default ./data); tests point it at a temporary directory
#   ACTORLSM_SERVER           the server executable (default: the Release build, built when missing)
#   ACTORLSM_CLUSTER_TIMEOUT  seconds `start` waits for the nodes to be up (default 120)
#   ACTORLSM_CONFIG_DIR       directory of the nodeK.conf files the nodes start with (default hocon;
#                             hocon/secure adds TLS and users, README "Security")
#
# hocon/nodeK.conf sets akka.cluster.min-nr-of-members = 3: a cluster of fewer than three
# nodes never moves its members to up, so `start 1` or `start 2` alone times out unless a third
# node is already running or that setting is lowered.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly max_nodes=3
readonly cluster_dir="${ACTORLSM_CLUSTER_DIR:-./data}"
readonly default_server="src/ActorLsm.Server/bin/Release/net10.0/actorlsm-server"
readonly server="${ACTORLSM_SERVER:-$default_server}"
readonly start_timeout="${ACTORLSM_CLUSTER_TIMEOUT:-120}"
readonly config_dir="${ACTORLSM_CONFIG_DIR:-hocon}"
readonly stop_timeout=40
readonly up_line="actorlsm-server cluster member up"

usage() {
  echo "usage: $0 start [N] | stop | status   (N from 1 to $max_nodes, default $max_nodes)" >&2
  exit 2
}

pid_file() { echo "$cluster_dir/node$1.pid"; }
log_file() { echo "$cluster_dir/node$1.log"; }

# Prints the pid of node $1 and succeeds when its pid file names a live actorlsm-server process
# (not a zombie, not an unrelated process that reused the pid).
running_pid() {
  local file pid stat
  file=$(pid_file "$1")
  [[ -f "$file" ]] || return 1
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ "$stat" != Z* ]] || return 1
  ps -o args= -p "$pid" 2>/dev/null | grep -q actorlsm-server || return 1
  echo "$pid"
}

# Prints "CLIENT REMOTE" (host:port each) read from hocon/nodeK.conf: actorlsm.server.host/port
# and akka.remote.dot-netty.tcp.hostname/port.
endpoints() {
  awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*[a-z.-]+[[:space:]]*\{/ { block = $1 }
    block == "server" && $1 == "host"     { gsub(/"/, "", $3); shost = $3 }
    block == "server" && $1 == "port"     { sport = $3 }
    block == "remote.dot-netty.tcp" && $1 == "hostname" { gsub(/"/, "", $3); rhost = $3 }
    block == "remote.dot-netty.tcp" && $1 == "port"     { rport = $3 }
    END { print shost ":" sport, rhost ":" rport }
  ' "hocon/node$1.conf"
}

ensure_server() {
  if [[ -x "$server" ]]; then
    return
  fi
  if [[ "$server" != "$default_server" ]]; then
    echo "ACTORLSM_SERVER=$server is not an executable" >&2
    exit 1
  fi
  echo "building the server (Release)..."
  dotnet build -c Release src/ActorLsm.Server >/dev/null
  [[ -x "$server" ]] || { echo "build did not produce $server" >&2; exit 1; }
}

print_tail() {
  local log
  log=$(log_file "$1")
  echo "---- node$1: last lines of $log" >&2
  if [[ -f "$log" ]]; then tail -n 30 "$log" >&2; fi
}

start() {
  local n="${1:-$max_nodes}"
  if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 1 || n > max_nodes )); then usage; fi
  ensure_server
  mkdir -p "$cluster_dir"

  local k pid log started=()
  for (( k = 1; k <= n; k++ )); do
    if pid=$(running_pid "$k"); then
      echo "node$k already running (pid $pid)"
      continue
    fi
    log=$(log_file "$k")
    if [[ -f "$log" ]]; then mv -f "$log" "$log.prev"; fi
    # nohup execs the server, so $! is the server process itself.
    nohup "$server" --config "$config_dir/node$k.conf" --data-dir "$cluster_dir/node$k" >"$log" 2>&1 </dev/null &
    echo "$!" >"$(pid_file "$k")"
    started+=("$k")
    echo "node$k starting (pid $!, log $log)"
  done

  local deadline=$((SECONDS + start_timeout)) waiting
  while :; do
    waiting=()
    for k in "${started[@]}"; do
      if grep -q "$up_line" "$(log_file "$k")" 2>/dev/null; then
        continue
      fi
      if ! running_pid "$k" >/dev/null; then
        echo "node$k exited before it was up" >&2
        print_tail "$k"
        exit 1
      fi
      waiting+=("$k")
    done
    (( ${#waiting[@]} == 0 )) && break
    if (( SECONDS >= deadline )); then
      echo "timed out after ${start_timeout}s waiting for node(s) ${waiting[*]} to be up" >&2
      for k in "${waiting[@]}"; do print_tail "$k"; done
      exit 1
    fi
    sleep 0.5
  done
  for k in "${started[@]}"; do
    echo "node$k up: $(grep -m1 "$up_line" "$(log_file "$k")")"
  done
}

stop() {
  local file k pid pids=()
  for file in "$cluster_dir"/node*.pid; do
    [[ -f "$file" ]] || continue
    k=${file##*/node}
    k=${k%.pid}
    if pid=$(running_pid "$k"); then
      echo "node$k: SIGTERM (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done

  local deadline=$((SECONDS + stop_timeout)) alive stat
  while (( ${#pids[@]} > 0 )); do
    alive=()
    for pid in "${pids[@]}"; do
      if stat=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ "$stat" != Z* ]]; then
        alive+=("$pid")
      fi
    done
    pids=("${alive[@]+"${alive[@]}"}")
    (( ${#pids[@]} == 0 )) && break
    if (( SECONDS >= deadline )); then
      echo "still running after ${stop_timeout}s, SIGKILL: ${pids[*]}" >&2
      kill -KILL "${pids[@]}" 2>/dev/null || true
      break
    fi
    sleep 0.5
  done
  rm -f "$cluster_dir"/node*.pid
  echo "stopped"
}

status() {
  local k pid client remote
  for (( k = 1; k <= max_nodes; k++ )); do
    read -r client remote < <(endpoints "$k")
    if pid=$(running_pid "$k"); then
      printf 'node%d  running  pid %-7s  clients %s  remoting %s  log %s\n' "$k" "$pid" "$client" "$remote" "$(log_file "$k")"
    else
      printf 'node%d  stopped  pid %-7s  clients %s  remoting %s\n' "$k" "-" "$client" "$remote"
    fi
  done
}

case "${1:-}" in
  start) (( $# <= 2 )) || usage; start "${2:-}" ;;
  stop) (( $# == 1 )) || usage; stop ;;
  status) (( $# == 1 )) || usage; status ;;
  *) usage ;;
esac
