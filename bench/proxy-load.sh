#!/bin/bash
# proxy-load.sh BINARY [SECONDS]: `rstscope proxy` between wrk and nginx on
# loopback, for SECONDS (default 30). nginx serves files of drawn sizes,
# each named by the SHA-256 of its contents; wrk checks every response's
# status and length (lost bytes), a checker beside it fetches responses
# through the proxy and verifies every body's SHA-256 against its name
# (corrupted bytes). The proxy's descriptors are counted before and after
# the load, its peak memory (VmHWM) read at the end.
#
# Prints one line of figures: requests/s, MB/s, requests, errors, length
# mismatches, checked bodies, bad bodies, fds before/after, VmHWM/VmRSS.
# Environment:
#   PROXY_LOAD_SEED     draws the sizes (default: random, printed)
#   PROXY_LOAD_CONNS    wrk connections (64)   PROXY_LOAD_THREADS (2)
#   PROXY_LOAD_MAX_KB   largest body (64)      PROXY_LOAD_FILES   (24)
#   PROXY_LOAD_MIN_RATE exit 1 below this many requests/s (0: no floor)
#   PROXY_LOAD_HWM_KB   exit 1 above this VmHWM (default 16 MiB + 128 KiB a
#                       connection; 0: no bound, for sanitizer builds)
#   PROXY_LOAD_OUT      keep the work directory here (default: a temp dir)
# Exit: 0 the figures hold (no error, no lost or bad byte, no fd growth,
# memory within two buffers a connection, rate floor), 1 not, 2 usage, 77 wrk or nginx missing.
set -u
export LC_ALL=C
bin=${1:-}
secs=${2:-30}
[ -n "$bin" ] && [ -x "$bin" ] || { echo "usage: bench/proxy-load.sh BINARY [SECONDS]" >&2; exit 2; }
case $secs in ''|*[!0-9]*) echo "proxy-load: bad SECONDS '$secs'" >&2; exit 2 ;; esac
for t in wrk nginx python3; do
	command -v "$t" >/dev/null || { echo "proxy-load: '$t' is not installed (scripts/deps.sh)"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
seed=${PROXY_LOAD_SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))}
conns=${PROXY_LOAD_CONNS:-64} threads=${PROXY_LOAD_THREADS:-2}
maxkb=${PROXY_LOAD_MAX_KB:-64} nfiles=${PROXY_LOAD_FILES:-24} floor=${PROXY_LOAD_MIN_RATE:-0}
if [ -n "${PROXY_LOAD_OUT:-}" ]; then
	dir=$PROXY_LOAD_OUT; mkdir -p "$dir" || exit 2
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/rstscope-proxyload.XXXXXX")
fi
ngx= px= chk=
cleanup() {
	local p
	for p in $chk $px $ngx; do kill -TERM "$p" 2>/dev/null; done
	for p in $chk $px $ngx; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
	[ -n "${PROXY_LOAD_OUT:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
die() { echo "proxy-load: $*" >&2; for f in "$dir"/*.log; do [ -f "$f" ] && tail -n 5 "$f" | sed "s#^#  $(basename "$f"): #" >&2; done; exit 1; }
echo "proxy-load: seed $seed (PROXY_LOAD_SEED=$seed repeats it), ${secs}s, $conns connections" >&2

# the bodies: drawn sizes (a few empty or tiny, most small, some large),
# random bytes, each file named by its SHA-256; files.txt: path size
mkdir -p "$dir/www"
python3 - "$dir/www" "$seed" "$nfiles" "$maxkb" >"$dir/files.txt" <<'EOF' || die "cannot make the bodies"
import hashlib, os, random, sys
root, seed, n, maxkb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
for i in range(n):
    size = rng.choice([0, 1, rng.randint(2, 512), rng.randint(512, 4096), rng.randint(4096, 16384),
                       rng.randint(1, maxkb * 1024)])
    body = rng.randbytes(size)
    name = hashlib.sha256(body).hexdigest() + ".bin"
    with open(os.path.join(root, name), "wb") as f:
        f.write(body)
    print("/" + name, size)
EOF
chmod -R a+rX "$dir"

# free_port: a port nothing listens on now
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: one process in the foreground, as this user, on 127.0.0.1 only
nport=$(free_port)
cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/tmp;
	proxy_temp_path $dir/tmp;
	fastcgi_temp_path $dir/tmp;
	uwsgi_temp_path $dir/tmp;
	scgi_temp_path $dir/tmp;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$nport;
		root $dir/www;
	}
}
EOF
mkdir -p "$dir/tmp"
nginx -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/nginx.log" &
ngx=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$nport/" 2>/dev/null && break
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$nport),0.2)" 2>/dev/null && break
	sleep 0.05
done
kill -0 "$ngx" 2>/dev/null || die "nginx did not start"

# the proxy, its listen port from its listen event
"$bin" proxy --listen 127.0.0.1:0 --upstream "127.0.0.1:$nport" 2>"$dir/proxy.log" &
px=$!
pport=
for _ in $(seq 100); do
	pport=$(sed -n 's/.* listen addr=127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$dir/proxy.log" 2>/dev/null | head -n 1)
	[ -n "$pport" ] && break
	sleep 0.05
done
[ -n "$pport" ] || die "the proxy did not start"
fds0=$(ls "/proc/$px/fd" | wc -l)

# wrk: paths in rotation per connection, every response's status and length
# checked (Lua); counts printed at the end
cat >"$dir/load.lua" <<'EOF'
local paths, sizes = {}, {}
for line in io.lines(os.getenv("PROXY_LOAD_FILES_TXT")) do
	local p, s = line:match("^(%S+) (%d+)$")
	paths[#paths + 1] = p
	sizes[p] = tonumber(s)
end
local threads = {}
function setup(thread)
	table.insert(threads, thread)
end
function init(args)
	idx, bad, resp = 0, 0, 0
	-- one request ahead: response() is called in request order per connection
	reqs = {}
	for i = 1, #paths do
		reqs[i] = wrk.format("GET", paths[i])
	end
end
function request()
	idx = idx % #paths + 1
	return reqs[idx]
end
function response(status, headers, body)
	resp = resp + 1
	local len = tonumber(headers["Content-Length"])
	if status ~= 200 or body == nil or len == nil or #body ~= len then
		bad = bad + 1
	end
end
function done(summary, latency, requests)
	local b, r = 0, 0
	for _, t in ipairs(threads) do
		b = b + t:get("bad")
		r = r + t:get("resp")
	end
	io.write(string.format("lua: responses %d bad %d\n", r, b))
	local e = summary.errors
	io.write(string.format("wrk: requests %d bytes %d seconds %.3f errors %d %d %d %d %d\n",
		summary.requests, summary.bytes, summary.duration / 1e6,
		e.connect, e.read, e.write, e.status, e.timeout))
end
EOF

# the checker: through the proxy, keep-alive, every body's SHA-256 against
# its name, until told to stop
cat >"$dir/check.py" <<'EOF'
import hashlib, http.client, signal, sys, time
port, files, deadline = int(sys.argv[1]), sys.argv[2], time.time() + float(sys.argv[3])
paths = [l.split()[0] for l in open(files)]
ok = bad = errs = 0
conn = None
i = 0
while time.time() < deadline:
    p = paths[i % len(paths)]
    i += 1
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", p)
        r = conn.getresponse()
        body = r.read()
        if r.status == 200 and hashlib.sha256(body).hexdigest() + ".bin" == p[1:]:
            ok += 1
        else:
            bad += 1
            print("bad body for", p, "status", r.status, "length", len(body), file=sys.stderr)
    except Exception as e:  # a connection the proxy lost
        errs += 1
        print("error on", p, repr(e), file=sys.stderr)
        conn = None
print("check: ok %d bad %d errors %d" % (ok, bad, errs))
EOF
python3 "$dir/check.py" "$pport" "$dir/files.txt" "$secs" >"$dir/check.out" 2>"$dir/check.log" &
chk=$!
PROXY_LOAD_FILES_TXT=$dir/files.txt wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 5s \
	-s "$dir/load.lua" "http://127.0.0.1:$pport" >"$dir/wrk.out" 2>&1 || die "wrk failed: $(tail -n 3 "$dir/wrk.out")"
wait "$chk"; chk=
sleep 0.5   # wrk's connections closed: the proxy closes their upstream halves
fds1=$(ls "/proc/$px/fd" | wc -l)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$px/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$px/status")
kill -0 "$px" 2>/dev/null || die "the proxy died under load"

read -r _ _ nreq _ nbytes _ dur _ ec er ew es et < <(grep '^wrk:' "$dir/wrk.out")
read -r _ _ nresp _ nbad < <(grep '^lua:' "$dir/wrk.out")
read -r _ _ cok _ cbad _ cerr <"$dir/check.out"
[ -n "${nreq:-}" ] && [ -n "${nresp:-}" ] && [ -n "${cok:-}" ] || die "no figures from wrk or the checker"
rate=$(awk -v n="$nreq" -v d="$dur" 'BEGIN { printf "%.0f", n / d }')
mbs=$(awk -v n="$nbytes" -v d="$dur" 'BEGIN { printf "%.1f", n / d / 1e6 }')
errors=$((ec + er + ew + es + et))
printf 'proxy-load: %s req/s, %s MB/s over %ss: %s requests, %s errors (connect %s read %s write %s status %s timeout %s), %s length mismatches; checker %s bodies verified, %s bad, %s errors; fds %s before, %s after; VmHWM %s kB, VmRSS %s kB\n' \
	"$rate" "$mbs" "$dur" "$nreq" "$errors" "$ec" "$er" "$ew" "$es" "$et" "$nbad" "$cok" "$cbad" "$cerr" \
	"$fds0" "$fds1" "$hwm" "$rss"
fail=0
[ "$errors" -eq 0 ] || { echo "proxy-load: wrk saw $errors errors" >&2; fail=1; }
[ "$nbad" -eq 0 ] || { echo "proxy-load: $nbad responses of the wrong status or length" >&2; fail=1; }
[ "$cbad" -eq 0 ] && [ "$cerr" -eq 0 ] || { echo "proxy-load: the checker saw $cbad bad bodies and $cerr errors" >&2; tail -n 5 "$dir/check.log" >&2; fail=1; }
[ "$cok" -gt 0 ] || { echo "proxy-load: the checker verified nothing" >&2; fail=1; }
[ "$fds1" -le "$fds0" ] || { echo "proxy-load: the proxy's descriptors grew from $fds0 to $fds1" >&2; fail=1; }
# two 64 KiB buffers per connection (docs/proxy.md) over a base of 16 MiB
bound=${PROXY_LOAD_HWM_KB:-$((16384 + (conns + 2) * 128))}
[ "$bound" -eq 0 ] || [ "$hwm" -le "$bound" ] || { echo "proxy-load: VmHWM $hwm kB above $bound kB for $conns connections" >&2; fail=1; }
[ "$floor" -eq 0 ] || [ "$rate" -ge "$floor" ] || { echo "proxy-load: $rate requests/s, below the floor of $floor" >&2; fail=1; }
exit $fail
