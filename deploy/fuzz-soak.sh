#!/usr/bin/env bash
# Soak of a running node's client listener with malformed and truncated frames: random bytes,
# oversize length prefixes, frames cut short, bodies that are not a Request, Requests with unknown
# fields or no body, and (a share) well-formed requests with random contents. Frames go out in
# bursts of up to 64 per connection (the node closes a connection at its first bad frame, so the
# rest of a burst is discarded by design). Every 10 000 frames, and at the end, a status request on
# a fresh connection must be answered, or the soak stops with exit code 1.
#
#   deploy/fuzz-soak.sh [-h HOST] [-p PORT] [-n FRAMES] [-s SEED] [-P PID] [-u USER -w PASSWORD]
#
# Defaults: 127.0.0.1:7400, 1000000 frames, seed 1. With -P, the node's resident memory (VmRSS)
# is printed before, during and after. With -u/-w the status probes authenticate first (a node
# with users answers the fuzz frames NOAUTH, which also exercises that path). Prints frames,
# connections, frames per second and the memory figures; exit 0 when the node still serves.
set -euo pipefail
host=127.0.0.1 port=7400 frames=1000000 seed=1 pid="" user="" password=""
while getopts "h:p:n:s:P:u:w:" opt; do
  case "$opt" in
    h) host=$OPTARG ;; p) port=$OPTARG ;; n) frames=$OPTARG ;; s) seed=$OPTARG ;;
    P) pid=$OPTARG ;; u) user=$OPTARG ;; w) password=$OPTARG ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done
command -v python3 >/dev/null || { echo "fuzz-soak.sh: python3 not found" >&2; exit 1; }

exec python3 - "$host" "$port" "$frames" "$seed" "$pid" "$user" "$password" <<'PY'
import random, socket, struct, sys, time

host, port, total, seed, pid, user, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
rng = random.Random(seed)

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def field(num, wire, payload):
    tag = varint((num << 3) | wire)
    if wire == 0:
        return tag + varint(payload)
    return tag + varint(len(payload)) + payload

def frame(body):
    return struct.pack(">I", len(body)) + body

def rss():
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None

def random_request():
    # A Request whose body case (10..19) holds random bytes: may or may not parse. Leave (18) is left
    # out: on a node without users any client is admin, and a leave that parses stops the node.
    kind = rng.choice([10, 11, 12, 13, 14, 15, 16, 17, 19])
    inner = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
    return field(1, 0, rng.getrandbits(32)) + field(kind, 2, inner)

def mutant():
    r = rng.random()
    if r < 0.20:   # random bytes as a body
        return frame(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))))
    if r < 0.35:   # oversize or huge length prefix, no body
        return struct.pack(">I", rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 16 * 1024 * 1024 + 1, rng.getrandbits(32)]))
    if r < 0.50:   # truncated: header promises more than is sent (the connection then ends)
        body = random_request()
        return struct.pack(">I", len(body) + rng.randint(1, 100)) + body
    if r < 0.60:   # a header cut short
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3)))
    if r < 0.70:   # a Request with no body, or an unknown field
        return frame(field(1, 0, 7) + (field(99, 0, 1) if rng.random() < 0.5 else b""))
    if r < 0.85:   # random contents under a known body case
        return frame(random_request())
    # a mostly valid put/get with a random key
    key = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 32)))
    body = field(1, 0, rng.getrandbits(20)) + (field(10, 2, field(1, 2, key) + field(2, 2, key)) if rng.random() < 0.5 else field(11, 2, field(1, 2, key)))
    return frame(body)

def read_frame(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            raise IOError("closed")
        head += chunk
    n = struct.unpack(">I", head)[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(min(65536, n - len(body)))
        if not chunk:
            raise IOError("closed inside a frame")
        body += chunk
    return body

def probe():
    # StatusRequest (field 15) must get a StatusResponse (field 15) back, after AuthRequest (19) when asked.
    with socket.create_connection((host, port), timeout=30) as s:
        if user:
            s.sendall(frame(field(1, 0, 1) + field(19, 2, field(1, 2, user.encode()) + field(2, 2, password.encode()))))
            read_frame(s)
        s.sendall(frame(field(1, 0, 2) + field(15, 2, b"")))
        body = read_frame(s)
        return b"\x7a" in body[:8]

start_rss = rss()
peak = start_rss or 0
sent = conns = 0
t0 = time.time()
if not probe():
    print("fuzz-soak: the node does not answer a status request before the soak", file=sys.stderr)
    sys.exit(1)
next_probe = 10000
while sent < total:
    burst = min(total - sent, rng.randint(1, 64))
    data = b"".join(mutant() for _ in range(burst))
    try:
        with socket.create_connection((host, port), timeout=10) as s:
            conns += 1
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
            except OSError:
                pass  # the node closed or reset the connection: expected
    except OSError as e:
        print(f"fuzz-soak: cannot connect after {sent} frames: {e}", file=sys.stderr)
        sys.exit(1)
    sent += burst
    if sent >= next_probe:
        next_probe += 10000
        if not probe():
            print(f"fuzz-soak: status probe failed after {sent} frames", file=sys.stderr)
            sys.exit(1)
        m = rss()
        if m is not None:
            peak = max(peak, m)
        if sent % 100000 < 10000:
            print(f"  {sent} frames, {conns} connections, {sent / (time.time() - t0):.0f} frames/s" + (f", RSS {m} MiB" if m is not None else ""), flush=True)
ok = probe()
elapsed = time.time() - t0
end_rss = rss()
print(f"fuzz-soak {host}:{port}: {sent} frames over {conns} connections in {elapsed:.1f} s ({sent / elapsed:.0f} frames/s), seed {seed}; node {'still serves' if ok else 'DOES NOT SERVE'}"
      + (f"; RSS {start_rss} MiB before, peak {peak} MiB, {end_rss} MiB after" if start_rss is not None else ""))
sys.exit(0 if ok else 1)
PY
