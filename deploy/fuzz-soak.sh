#!/usr/bin/env bash
# Soak of a running node's listeners with malformed and truncated frames, then a check that it still
# serves. Each listener gets N frames in bursts of up to 64 per fresh connection (the node closes a
# connection at its first bad frame, so the rest of a burst is discarded by design):
#   client listener (-p): random bytes, oversize and cut-short length prefixes, bodies that are no
#     Request, Requests with unknown fields or no body, random contents under every request kind but
#     leave, and (a share) well-formed puts and gets of random keys;
#   RESP listener (-r): random bytes, bad multibulk counts and bulk lengths, arrays of non-bulks,
#     commands cut short, unbalanced quotes, over-long inline lines, and (a share) well-formed commands
#     (GET, SET, INCR, MGET, EXPIRE, SCAN, HELLO, AUTH, CLIENT, CONFIG, ... and unknown names) with
#     random arguments, over 1000 keys fuzz-soak:*.
# Every 10 000 frames, and at the end, a valid request on a fresh connection must succeed (client: a
# status request; RESP: SET then GET of a fresh key, value compared), or the soak stops with exit 1.
#
#   deploy/fuzz-soak.sh [-h HOST] [-p PORT] [-r RESP_PORT] [-n FRAMES] [-s SEED] [-P PID] [-u USER -w PASSWORD]
#
# Defaults: 127.0.0.1, client port 7400, no RESP soak unless -r, 1000000 frames per listener, seed 1.
# -p 0 skips the client listener. With -P, the node's resident memory is read from /proc/PID/status
# (VmRSS after every connection: start, peak, end; VmHWM, the kernel's high-water mark since the node
# started) and the node must still be alive at the end. With -u/-w the probes authenticate first (a
# node with users answers the fuzz frames NOAUTH, which also exercises that path). Prints one line per
# listener; exit 0 when the node still serves (and, with -P, still runs).
set -euo pipefail
host=127.0.0.1 port=7400 resp_port="" frames=1000000 seed=1 pid="" user="" password=""
while getopts "h:p:r:n:s:P:u:w:" opt; do
  case "$opt" in
    h) host=$OPTARG ;; p) port=$OPTARG ;; r) resp_port=$OPTARG ;; n) frames=$OPTARG ;; s) seed=$OPTARG ;;
    P) pid=$OPTARG ;; u) user=$OPTARG ;; w) password=$OPTARG ;;
    *) sed -n '2,22p' "$0" >&2; exit 2 ;;
  esac
done
command -v python3 >/dev/null || { echo "fuzz-soak.sh: python3 not found" >&2; exit 1; }

exec python3 - "$host" "$port" "$resp_port" "$frames" "$seed" "$pid" "$user" "$password" <<'PY'
import os, random, socket, struct, sys, time

host, port, resp_port, total, seed, pid, user, password = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3] or 0),
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8])
rng = random.Random(seed)

def rand_bytes(lo, hi):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(lo, hi)))

def proc_kib(field):
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None

def mib(kib):
    return "?" if kib is None else f"{kib / 1024:.0f}"

# ---- client listener: 4-byte big-endian length + a Protobuf Request ----

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

def random_request():
    # A Request whose body case holds random bytes: may or may not parse. Leave (18) is left out: on a
    # node without users any client is admin, and a leave that parses stops the node.
    kind = rng.choice([10, 11, 12, 13, 14, 15, 16, 17, 19, 25])
    return field(1, 0, rng.getrandbits(32)) + field(kind, 2, rand_bytes(0, 40))

def client_mutant():
    r = rng.random()
    if r < 0.20:   # random bytes as a body
        return frame(rand_bytes(0, 64))
    if r < 0.35:   # oversize or huge length prefix, no body
        return struct.pack(">I", rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 16 * 1024 * 1024 + 1, rng.getrandbits(32)]))
    if r < 0.50:   # truncated: header promises more than is sent (the connection then ends)
        body = random_request()
        return struct.pack(">I", len(body) + rng.randint(1, 100)) + body
    if r < 0.60:   # a header cut short
        return rand_bytes(1, 3)
    if r < 0.70:   # a Request with no body, or an unknown field
        return frame(field(1, 0, 7) + (field(99, 0, 1) if rng.random() < 0.5 else b""))
    if r < 0.85:   # random contents under a known body case
        return frame(random_request())
    # a mostly valid put/get with a random key
    key = rand_bytes(0, 32)
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

def client_probe(n):
    # StatusRequest (field 15) must get a StatusResponse (field 15) back, after AuthRequest (19) when asked.
    with socket.create_connection((host, port), timeout=30) as s:
        if user:
            s.sendall(frame(field(1, 0, 1) + field(19, 2, field(1, 2, user.encode()) + field(2, 2, password.encode()))))
            read_frame(s)
        s.sendall(frame(field(1, 0, 2) + field(15, 2, b"")))
        body = read_frame(s)
        return b"\x7a" in body[:8]

# ---- RESP listener: arrays of bulk strings, or inline lines ----

SAFE = [b"GET", b"SET", b"DEL", b"EXISTS", b"INCR", b"DECR", b"INCRBY", b"STRLEN", b"GETRANGE", b"MGET", b"MSET",
        b"EXPIRE", b"PEXPIRE", b"TTL", b"PTTL", b"PERSIST", b"TYPE", b"SCAN", b"PING", b"ECHO", b"HELLO", b"AUTH",
        b"SELECT", b"CLIENT", b"COMMAND", b"INFO", b"CONFIG", b"TIME", b"DBSIZE", b"CLUSTER", b"GETEX", b"SETNX"]

def resp_array(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)

def resp_arg():
    r = rng.random()
    if r < 0.4:
        return b"fuzz-soak:%d" % rng.randrange(1000)
    if r < 0.6:
        return str(rng.choice([0, 1, -1, 10, 2**31, 2**63, -2**63, rng.getrandbits(64)])).encode()
    if r < 0.7:
        return rng.choice([b"EX", b"PX", b"NX", b"XX", b"GET", b"KEEPTTL", b"MATCH", b"COUNT", b"SETNAME", b"3", b"2"])
    return rand_bytes(0, 24)

def resp_command():
    name = rng.choice(SAFE) if rng.random() < 0.85 else rand_bytes(1, 12)
    if rng.random() < 0.5:
        name = name.lower()
    return [name] + [resp_arg() for _ in range(rng.randint(0, 5))]

def resp_mutant():
    r = rng.random()
    if r < 0.15:   # random bytes
        return rand_bytes(1, 64)
    if r < 0.25:   # bad multibulk count: huge, negative, not a number, too long
        return b"*" + rng.choice([b"99999999999", b"-5", b"abc", b"1048577", b"", b"1" * 40, str(rng.getrandbits(40)).encode()]) + b"\r\n"
    if r < 0.35:   # bad bulk length, or a huge one whose bytes never come
        return b"*2\r\n$3\r\nGET\r\n$" + rng.choice([b"-7", b"x", b"", b"999999999999", b"536870913", b"100000", b"9" * 40]) + b"\r\n" + rand_bytes(0, 16)
    if r < 0.42:   # an array element that is no bulk string
        return b"*2\r\n" + rng.choice([b":1\r\n", b"+OK\r\n", b"-ERR\r\n", b"*1\r\n", b"\r\n"]) + b"$1\r\nk\r\n"
    if r < 0.55:   # a valid command cut short (the connection then ends inside it)
        data = resp_array(resp_command())
        return data[:rng.randint(1, len(data) - 1)]
    if r < 0.60:   # bulk length that does not match its bytes
        return b"*1\r\n$4\r\nPINGPONG\r\n"
    if r < 0.65:   # inline: unbalanced quotes, control bytes
        return b"SET \"fuzz-soak:q " + rand_bytes(0, 16).replace(b'"', b"") + b"\r\n"
    if r < 0.652:  # an inline line over 64 KiB without its end
        return b"A" * (65 * 1024)
    if r < 0.80:   # an inline command
        return b" ".join(a.replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"_") or b"x" for a in resp_command()) + b"\r\n"
    return resp_array(resp_command())   # a well-formed command with random arguments

class RespReader:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line
    def exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

def resp_probe(n):
    # SET then GET of a fresh key on a fresh connection (after AUTH when asked); the value must come back.
    key, value = b"fuzz-soak:probe:%d" % n, b"v%d" % n
    with socket.create_connection((host, resp_port), timeout=30) as s:
        r = RespReader(s)
        if user:
            s.sendall(resp_array([b"AUTH", user.encode(), password.encode()]))
            if r.line() != b"+OK":
                return False
        s.sendall(resp_array([b"SET", key, value]) + resp_array([b"GET", key]))
        if r.line() != b"+OK" or r.line() != b"$%d" % len(value):
            return False
        return r.exact(len(value) + 2) == value + b"\r\n"

# ---- the soak of one listener ----

def soak(name, target_port, mutant, probe):
    start_rss = proc_kib("VmRSS")
    peak = start_rss or 0
    sent = conns = probes = 0
    t0 = time.time()
    if not probe(0):
        print(f"fuzz-soak {name}: the node does not serve before the soak", file=sys.stderr)
        return False
    next_probe = 10000
    while sent < total:
        burst = min(total - sent, rng.randint(1, 64))
        data = b"".join(mutant() for _ in range(burst))
        try:
            with socket.create_connection((host, target_port), timeout=10) as s:
                conns += 1
                try:
                    s.sendall(data)
                    s.shutdown(socket.SHUT_WR)
                    while s.recv(65536):
                        pass
                except OSError:
                    pass  # the node closed or reset the connection: expected
        except OSError as e:
            print(f"fuzz-soak {name}: cannot connect after {sent} frames: {e}", file=sys.stderr)
            return False
        sent += burst
        m = proc_kib("VmRSS")
        if m is not None:
            peak = max(peak, m)
        if sent >= next_probe:
            next_probe += 10000
            probes += 1
            try:
                ok = probe(sent)
            except OSError as e:
                ok = False
                print(f"fuzz-soak {name}: probe error: {e}", file=sys.stderr)
            if not ok:
                print(f"fuzz-soak {name}: probe failed after {sent} frames", file=sys.stderr)
                return False
            if sent % 100000 < 10000:
                print(f"  {name}: {sent} frames, {conns} connections, {sent / (time.time() - t0):.0f} frames/s"
                      + (f", RSS {mib(m)} MiB" if m is not None else ""), flush=True)
    ok = probe(sent + 1)
    probes += 1
    elapsed = time.time() - t0
    alive = (not pid) or os.path.exists(f"/proc/{pid}")
    print(f"fuzz-soak {name} {host}:{target_port}: {sent} frames over {conns} connections in {elapsed:.1f} s "
          f"({sent / elapsed:.0f} frames/s), seed {seed}; {probes} valid probes interleaved, node "
          f"{'still serves' if ok else 'DOES NOT SERVE'}"
          + (f"{'' if alive else ', PROCESS GONE'}; RSS {mib(start_rss)} MiB before, peak {mib(peak)} MiB, "
             f"{mib(proc_kib('VmRSS'))} MiB after (VmHWM {mib(proc_kib('VmHWM'))} MiB)" if pid else ""), flush=True)
    return ok and alive

results = []
if port:
    results.append(soak("client", port, client_mutant, client_probe))
if resp_port:
    results.append(soak("resp", resp_port, resp_mutant, resp_probe))
if not results:
    print("fuzz-soak: nothing to soak (-p 0 and no -r)", file=sys.stderr)
    sys.exit(2)
sys.exit(0 if all(results) else 1)
PY
