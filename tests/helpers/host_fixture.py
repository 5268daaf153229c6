#!/usr/bin/env python3
"""Write a replay fixture for 'rstscope host --replay': DIR/0..DIR/N, each a
recorded host (proc/, sys/, kmsg, time) with drawn values, and DIR/expect.json
saying what the draw was. Usage: host_fixture.py SCENARIO DIR [SEED]
Scenarios: quiet, history, listen-overflow, conntrack-full, oom-kill, close-wait."""
import json, os, random, sys

scenario, out = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else None)
NETNS = rng.randint(4026531000, 4026533000)
INTERVAL = rng.choice([1.0, 2.0, 5.0])
T0 = 1700000000.0 + rng.randint(0, 10**6)

def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def tcp_line(i, laddr, lport, st, rx, inode):
    return "%4d: %08X:%04X 00000000:0000 %02X 00000000:%08X 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0\n" % (
        i, laddr, lport, st, rx, inode)

def snapshot(k, c, extra):
    d = os.path.join(out, str(k))
    p = os.path.join(d, "proc")
    w(os.path.join(d, "time"), "%.3f\n" % (T0 + k * INTERVAL))
    names = ["SyncookiesSent", "ListenOverflows", "ListenDrops", "TCPAbortOnData", "TCPAbortOnClose",
             "TCPAbortOnMemory", "TCPAbortOnTimeout", "TCPAbortOnLinger", "TCPMemoryPressures",
             "TCPReqQFullDrop", "TCPReqQFullDoCookies", "TCPTimeWaitOverflow"]
    w(os.path.join(p, "net/netstat"), "TcpExt: %s\nTcpExt: %s\nIpExt: InNoRoutes\nIpExt: 0\n" % (
        " ".join(names), " ".join(str(c.get(n, 0)) for n in names)))
    w(os.path.join(p, "net/snmp"), "Tcp: RtoAlgorithm MaxConn OutRsts\nTcp: 1 -1 %d\n" % c.get("OutRsts", 0))
    w(os.path.join(p, "net/snmp6"), "Ip6InReceives %d\n" % (100 + k))
    w(os.path.join(p, "net/sockstat"), "sockets: used 11\nTCP: inuse 3 orphan %d tw 0 alloc 8 mem 35\n" % c.get("orphan", 0))
    w(os.path.join(p, "net/sockstat6"), "TCP6: inuse 0\n")
    w(os.path.join(p, "vmstat"), "nr_free_pages 1000\noom_kill %d\n" % c.get("oom_kill", 0))
    w(os.path.join(p, "sys/fs/file-nr"), "542\t0\t2470938\n")
    w(os.path.join(p, "sys/net/ipv4/tcp_mem"), "288459\t384612\t576918\n")
    w(os.path.join(p, "sys/net/ipv4/tcp_max_orphans"), "131072\n")
    w(os.path.join(p, "sys/net/netfilter/nf_conntrack_count"), "%d\n" % c.get("ct_count", 10))
    w(os.path.join(p, "sys/net/netfilter/nf_conntrack_max"), "%d\n" % c.get("ct_max", 262144))
    hdr = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
    rows = ""
    for cpu in range(2):
        v = [c.get("ct_count", 10), 0, 0, 0, 0, 0, 0, 0, 0, c.get("insert_failed", 0) if cpu == 0 else 0,
             c.get("drop", 0) if cpu == 1 else 0, 0, 0, 0, 0, 0, 0]
        rows += " ".join("%08x" % x for x in v) + "\n"
    w(os.path.join(p, "net/stat/nf_conntrack"), hdr + rows)
    w(os.path.join(p, "self/mountinfo"),
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")
    os.makedirs(os.path.join(p, "self/ns"), exist_ok=True)
    os.symlink("net:[%d]" % NETNS, os.path.join(p, "self/ns/net"))
    cg = os.path.join(d, "sys/fs/cgroup/memory")
    w(os.path.join(cg, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
    w(os.path.join(cg, "memory.limit_in_bytes"), "9223372036854771712\n")
    os.makedirs(os.path.join(d, "sys/fs/cgroup/unified"), exist_ok=True)
    app = os.path.join(cg, "app.slice/web")
    w(os.path.join(app, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill %d\n" % c.get("cg_oom", 0))
    w(os.path.join(app, "memory.limit_in_bytes"), "%d\n" % c.get("cg_limit", 268435456))
    w(os.path.join(app, "memory.failcnt"), "0\n")
    tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    tcp += tcp_line(0, 0, extra.get("port", 8080), 0x0A, c.get("queue", 0), 5001)
    for i in range(c.get("cw", 0)):
        tcp += tcp_line(1 + i, 0x0100007F, 8080, 0x08, 0, 6000 + i)
    w(os.path.join(p, "net/tcp"), tcp)
    w(os.path.join(p, "net/tcp6"), tcp.splitlines(True)[0])
    # the server process: pid 4242 owns the listener and the CLOSE_WAIT sockets
    pd = os.path.join(p, "4242")
    w(os.path.join(pd, "comm"), "appserver\n")
    w(os.path.join(pd, "limits"), "Limit                     Soft Limit           Hard Limit           Units\n"
      "Max open files            %d                 524288               files\n" % c.get("fdlimit", 1024))
    w(os.path.join(pd, "cgroup"), "4:memory:/app.slice/web\n0::/\n")
    os.makedirs(os.path.join(pd, "fd"), exist_ok=True)
    fds = ["socket:[5001]"] + ["socket:[%d]" % (6000 + i) for i in range(c.get("cw", 0))]
    fds += ["/dev/null"] * max(0, c.get("fds", 10) - len(fds))
    for i, target in enumerate(fds):
        os.symlink(target, os.path.join(pd, "fd", str(i)))
    w(os.path.join(d, "kmsg"), "".join(extra.get("kmsg", {}).get(k, [])))

base = {n: rng.randint(0, 50) for n in ["TCPAbortOnData", "TCPAbortOnClose", "OutRsts"]}
expect = {"netns": NETNS, "interval_s": INTERVAL, "scenario": scenario}
snaps = []
if scenario == "quiet":
    base = {"ct_count": rng.randint(1, 1000)}
    snaps = [dict(base) for _ in range(3)]
elif scenario == "history":
    c = dict(base, ListenOverflows=rng.randint(1, 900), oom_kill=rng.randint(1, 9))
    expect.update(listen_overflows=c["ListenOverflows"], oom_kill=c["oom_kill"])
    snaps = [dict(c) for _ in range(3)]
elif scenario == "listen-overflow":
    d = rng.randint(1, 400)
    q = rng.randint(1, 128)
    c0 = dict(base, ListenOverflows=rng.randint(0, 100))
    c1 = dict(c0, ListenOverflows=c0["ListenOverflows"] + d, ListenDrops=d, queue=q)
    expect.update(delta=d, rate=d / INTERVAL, queue=q, port=rng.randint(1024, 60000))
    snaps = [c0, c1]
elif scenario == "conntrack-full":
    mx = rng.choice([65536, 131072, 262144])
    d = rng.randint(1, 300)
    c0 = dict(base, ct_max=mx, ct_count=mx // 2)
    c1 = dict(c0, ct_count=mx * 95 // 100, drop=d, insert_failed=0)
    c2 = dict(c1, drop=d * 2)
    expect.update(delta=d, rate=d / INTERVAL, max=mx)
    snaps = [c0, c1, c2]
elif scenario == "oom-kill":
    pid = rng.randint(1000, 90000)
    lim = rng.choice([128, 256, 512]) * 1048576
    c0 = dict(base, oom_kill=rng.randint(0, 5), cg_limit=lim)
    c1 = dict(c0, oom_kill=c0["oom_kill"] + 1, cg_oom=1)
    kmsg = {1: ["6,900,123456,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                "oom_memcg=/app.slice/web,task_memcg=/app.slice/web,task=worker,pid=%d,uid=0\n" % pid,
                "3,901,123457,-;Memory cgroup out of memory: Killed process %d (worker) total-vm:1000kB\n" % pid,
                " SUBSYSTEM=memory\n"]}
    expect.update(pid=pid, limit=lim)
    snaps = [c0, c1]
elif scenario == "close-wait":
    n0 = rng.randint(0, 10)
    g = rng.randint(4, 20)
    c0 = dict(base, cw=n0, fds=n0 + 30)
    c1 = dict(c0, cw=n0 + g, fds=n0 + g + 30)
    expect.update(before=n0, after=n0 + g, growth=g)
    snaps = [c0, c1]
else:
    sys.exit("unknown scenario " + scenario)
extra = {"kmsg": kmsg if scenario == "oom-kill" else {}, "port": expect.get("port", 8080)}
for k, c in enumerate(snaps):
    snapshot(k, c, extra)
w(os.path.join(out, "expect.json"), json.dumps(expect) + "\n")
