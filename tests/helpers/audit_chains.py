#!/usr/bin/env python3
"""Write real-looking config chains with drawn idle timeouts for `rstscope audit`.

usage: audit_chains.py SEED OUTDIR COUNT

Each chain OUTDIR/NNN/ holds the files, `args` (the command line, one
argument a line) and `expected` (one "id down up" line per finding, hops
1-based, sorted). A chain is client pool -> [sysctl host with conntrack]
-> nginx, HAProxy or Envoy -> a named backend server; about half are sound, the
rest draw one or more inversions, keepalives above conntrack's idle
timeout, or silent drops. Values stay clear of the 1 s race margin.
"""
import os
import random
import sys

SERVERS = ["node@20", "node@26", "gunicorn", "uvicorn", "apache", "tomcat", "go-http"]
MARGIN = 1.0


def below(r, c, lo=2):
    """a value clearly below c (at least 2 s under), at least lo"""
    hi = int(c - 2)
    return r.randint(lo, max(lo, hi))


def above(r, c, span=300):
    """a value at or above c"""
    return r.randint(int(c) + (0 if c == int(c) else 1), int(c) + span)


def nginx_time(r, s):
    forms = [f"{s}", f"{s}s"]
    if s % 60 == 0:
        forms.append(f"{s // 60}m")
    if s > 60 and s % 60:
        forms.append(f"{s // 60}m{s % 60}s")
    return r.choice(forms)


def haproxy_time(r, s):
    forms = [f"{s}s", f"{s * 1000}", f"{s * 1000}ms"]
    if s % 60 == 0:
        forms.append(f"{s // 60}m")
    return r.choice(forms)


def write_nginx(r, d, down, up):
    """up None: no upstream keepalive (no reuse). Returns the main file."""
    ka_in_server = r.random() < 0.5
    use_default_up = up == 60 and r.random() < 0.7
    upstream = ["upstream app {", "    server 10.20.0.7:8080 max_fails=3;"]
    if up is not None:
        upstream.append(f"    keepalive {r.choice([8, 16, 32, 64])};")
        if not use_default_up:
            upstream.append(f"    keepalive_timeout {nginx_time(r, up)};")
    upstream.append("}")
    server = ["server {", "    listen 80;", "    server_name app.example.com;"]
    if ka_in_server:
        server.append(f"    keepalive_timeout {nginx_time(r, down)};")
    server += ["    location / {", "        proxy_pass http://app;", "        proxy_http_version 1.1;",
               '        proxy_set_header Connection "";',
               f"        proxy_read_timeout {r.choice([30, 60, 120, 300])}s;", "    }", "}"]
    http = ["http {", "    sendfile on;", "    include mime.types;" if False else "    tcp_nopush on;"]
    if not ka_in_server:
        http.append(f"    keepalive_timeout {nginx_time(r, down)};")
    if r.random() < 0.5:
        os.makedirs(os.path.join(d, "conf.d"), exist_ok=True)
        with open(os.path.join(d, "conf.d", "app.conf"), "w") as f:
            f.write("\n".join(upstream + server) + "\n")
        http.append("    include conf.d/*.conf;")
    else:
        http += ["    " + x for x in upstream + server]
    http.append("}")
    text = ["user www-data;", "worker_processes auto;", "pid /run/nginx.pid;", "",
            "events {", "    worker_connections 768;", "}", ""] + http
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as f:
        f.write("\n".join(text) + "\n")
    return path


def write_haproxy(r, d, down, up):
    """down: the effective client-side keep-alive; up None: http-server-close."""
    how = r.choice(["keep-alive", "request", "client"])
    client = down if how == "client" else r.randint(down, down + 600)
    lines = ["global", "    log /dev/log local0", "    maxconn 4096", "", "defaults", "    mode http",
             "    log global", "    option httplog", "    timeout connect 5s",
             f"    timeout client {haproxy_time(r, client)}"]
    if up is not None:
        lines.append(f"    timeout server {haproxy_time(r, up)}")
    else:
        lines.append(f"    timeout server {haproxy_time(r, r.randint(5, 600))}")
    if how == "request":
        lines.append(f"    timeout http-request {haproxy_time(r, down)}")
    lines += ["", "frontend www", "    bind :80", "    default_backend app"]
    if how == "keep-alive":
        lines.append(f"    timeout http-keep-alive {haproxy_time(r, down)}")
    lines += ["", "backend app", "    balance roundrobin"]
    if up is None:
        lines.append("    option http-server-close")
    else:
        lines.append(f"    http-reuse {r.choice(['safe', 'aggressive', 'always'])}")
    lines.append("    server app1 10.20.0.7:8080 check")
    path = os.path.join(d, "haproxy.cfg")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def envoy_time(r, s):
    return r.choice([f"{s}s", f'"{s}s"', f"'{s}s'", f"{s}.0s"])


def write_envoy(r, d, down, up):
    """a front-proxy bootstrap: one HTTP listener, one or two clusters; up
    is the largest cluster idle timeout (Envoy always pools upstream)."""
    lines = ["# Envoy front proxy", "admin:", "  address:",
             "    socket_address: { address: 127.0.0.1, port_value: 9901 }",
             "static_resources:", "  listeners:", "  - name: listener_http", "    address:",
             "      socket_address:", "        address: 0.0.0.0", "        port_value: 8080",
             "    filter_chains:", "    - filters:",
             "      - name: envoy.filters.network.http_connection_manager", "        typed_config:",
             '          "@type": type.googleapis.com/envoy.extensions.filters.network.'
             'http_connection_manager.v3.HttpConnectionManager',
             "          stat_prefix: ingress_http", "          common_http_protocol_options:",
             f"            idle_timeout: {envoy_time(r, down)}  # downstream idle"]
    if r.random() < 0.5:
        lines.append(f"          stream_idle_timeout: {envoy_time(r, r.randint(5, 600))}")
    lines += ["          route_config:", "            name: local_route", "            virtual_hosts:",
              "            - name: app", '              domains: ["*"]', "              routes:",
              '              - match: { prefix: "/" }', "                route:",
              "                  cluster: app", "          http_filters:",
              "          - name: envoy.filters.http.router", "            typed_config:",
              '              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
              "  clusters:"]
    clusters = [("app", up)]
    if r.random() < 0.4:
        clusters.append(("metrics", r.randint(2, up)))
        r.shuffle(clusters)
    for name, t in clusters:
        lines += [f"  - name: {name}", "    connect_timeout: 0.25s", "    type: STRICT_DNS",
                  "    lb_policy: ROUND_ROBIN"]
        if r.random() < 0.7:
            lines += ["    typed_extension_protocol_options:",
                      "      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:",
                      '        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
                      "        common_http_protocol_options:",
                      f"          idle_timeout: {envoy_time(r, t)}",
                      "        explicit_http_config:", "          http_protocol_options: {}"]
        else:
            lines += ["    common_http_protocol_options:", f"      idle_timeout: {envoy_time(r, t)}"]
        lines += ["    load_assignment:", f"      cluster_name: {name}", "      endpoints:",
                  "      - lb_endpoints:", "        - endpoint:", "            address:",
                  "              socket_address:", "                address: 10.20.0.7",
                  "                port_value: 8080"]
    path = os.path.join(d, "envoy.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def chain(r, d):
    sound = r.random() < 0.5
    # drawn "sound" values first: client a < proxy down d, a < conntrack m;
    # proxy up u < server b; keepalive k < m
    b = r.randint(10, 900)
    u = below(r, b)
    dn = r.randint(10, 900)
    a = below(r, dn)
    m = r.randint(max(a, 0) + 3, 5000)
    k = below(r, m, 10)
    reuse = r.random() < 0.85
    has_sysctl = r.random() < 0.6
    if not sound:
        bad = r.sample(["client", "proxy", "ka", "silent"], r.randint(1, 2))
        if "client" in bad:
            a = above(r, dn)
            m = max(m, a + r.randint(3, 500)) if "silent" not in bad else m
        if "proxy" in bad:
            reuse = True
            u = above(r, b)
        if "ka" in bad:
            has_sysctl = True
            k = above(r, m, 3000)
        if "silent" in bad:
            has_sysctl = True
            m = r.randint(10, max(10, min(a, dn) - 1)) if min(a, dn) > 11 else m
            if k >= m - 2 and "ka" not in bad:
                k = below(r, m, 1)
    if reuse and r.random() < 0.3:
        u = 60 if b > 62 and "proxy" not in (locals().get("bad") or []) else u
    front = r.choice(["nginx", "haproxy", "envoy"])
    if front == "envoy":
        reuse = True   # Envoy always pools upstream connections
    server = r.choice(SERVERS)
    args = ["--json", "--client-idle", str(a)]
    hops = ["client"]
    if has_sysctl:
        p = os.path.join(d, "sysctl.conf")
        with open(p, "w") as f:
            f.write("# /etc/sysctl.d/90-net.conf\n")
            f.write(f"net.ipv4.tcp_keepalive_time = {k}\n")
            f.write(f"net.ipv4.tcp_keepalive_intvl = {r.choice([15, 30, 75])}\n")
            f.write(f"net.ipv4.tcp_keepalive_probes = {r.choice([3, 5, 9])}\n")
            f.write("net.core.somaxconn = 4096\n")
            f.write(f"net.netfilter.nf_conntrack_tcp_timeout_established = {m}\n")
        args.append(p)
        hops.append("sysctl")
    writer = {"nginx": write_nginx, "haproxy": write_haproxy, "envoy": write_envoy}[front]
    args.append(writer(r, d, dn, u if reuse else None))
    hops.append(front)
    args += ["--hop", server, "--hop-idle", f"{server.split('@')[0]}={b}"]
    hops.append(server)
    # expected findings, by the same rules as docs/audit.md
    exp = []
    ci, pi, si = 1, len(hops) - 1, len(hops)
    closers = [(dn, pi)] + ([(m, 2)] if has_sysctl else [])
    c, ch = min(closers)
    if a >= c - MARGIN:
        exp.append(("timeout-inversion", ci, ch))
    if reuse and u >= b - MARGIN:
        exp.append(("timeout-inversion", pi, si))
    if has_sysctl and k >= m - MARGIN:
        exp.append(("keepalive-above-idle", 2, 2))
    if has_sysctl and min(a, dn) >= m - MARGIN:
        exp.append(("silent-drop", ci if a <= dn else pi, 2) if a <= dn else ("silent-drop", 2, pi))
    with open(os.path.join(d, "args"), "w") as f:
        f.write("\n".join(args) + "\n")
    with open(os.path.join(d, "expected"), "w") as f:
        for e in sorted(exp):
            f.write(" ".join(str(x) for x in e) + "\n")
    return bool(exp)


def main():
    seed, out, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    r = random.Random(seed)
    bad = 0
    for i in range(count):
        d = os.path.join(out, f"{i:03d}")
        os.makedirs(d, exist_ok=True)
        bad += chain(r, d)
    print(f"seed {seed}: {count} chains, {bad} with findings")


if __name__ == "__main__":
    main()
