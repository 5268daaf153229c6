/* audit_parsers: nginx (includes, globs, upstream keepalive, defaults,
 * errors with lines), HAProxy (sections, defaults, the http-keep-alive
 * fallbacks, units, http-server-close, mode tcp), sysctl (both syntaxes),
 * Envoy (the YAML subset, listeners, clusters, defaults, tcp_proxy, errors),
 * durations and sniffing. Values are drawn so a parser that ignores them fails. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "unit.h"

static unsigned draw(unsigned lo, unsigned hi)
{
	return lo + (unsigned)rand() % (hi - lo + 1);
}

static int parse(enum audit_format want, const char *text, struct audit_hop *h, struct audit_err *e)
{
	memset(e, 0, sizeof(*e));
	CHECK_EQ_INT(audit_sniff(text, strlen(text)), want);
	switch (want) {
	case AUDIT_FMT_NGINX: return audit_parse_nginx(text, strlen(text), "t.conf", NULL, h, e);
	case AUDIT_FMT_HAPROXY: return audit_parse_haproxy(text, strlen(text), "h.cfg", h, e);
	case AUDIT_FMT_SYSCTL: return audit_parse_sysctl(text, strlen(text), "s.conf", h, e);
	case AUDIT_FMT_ENVOY: return audit_parse_envoy(text, strlen(text), "e.yaml", h, e);
	default: return -1;
	}
}

static void durations(void)
{
	double v;

	CHECK(!audit_duration("75", 2, AUDIT_DUR_NGINX, &v) && v == 75);
	CHECK(!audit_duration("1m30s", 5, AUDIT_DUR_NGINX, &v) && v == 90);
	CHECK(!audit_duration("500ms", 5, AUDIT_DUR_NGINX, &v) && v == 0.5);
	CHECK(!audit_duration("1h", 2, AUDIT_DUR_NGINX, &v) && v == 3600);
	CHECK(!audit_duration("5000", 4, AUDIT_DUR_HAPROXY, &v) && v == 5);
	CHECK(!audit_duration("30s", 3, AUDIT_DUR_HAPROXY, &v) && v == 30);
	CHECK(!audit_duration("2m", 2, AUDIT_DUR_HAPROXY, &v) && v == 120);
	CHECK(!audit_duration("3600s", 5, AUDIT_DUR_ENVOY, &v) && v == 3600);
	CHECK(!audit_duration("\"1.5s\"", 6, AUDIT_DUR_ENVOY, &v) && v == 1.5);
	CHECK(audit_duration("3600", 4, AUDIT_DUR_ENVOY, &v));
	CHECK(audit_duration("7x", 2, AUDIT_DUR_NGINX, &v));
	CHECK(audit_duration("", 0, AUDIT_DUR_NGINX, &v));
	CHECK(audit_duration("-5", 2, AUDIT_DUR_NGINX, &v));
	CHECK(audit_duration("30s5", 4, AUDIT_DUR_HAPROXY, &v));
}

static void nginx(void)
{
	struct audit_hop h;
	struct audit_err e;
	char buf[2048];
	unsigned ka = draw(3, 600), up = draw(3, 600), srv = draw(3, 600);

	snprintf(buf, sizeof(buf),
		 "user www-data;\nevents { worker_connections 768; }\nhttp {\n  # keepalive_timeout 1;\n"
		 "  keepalive_timeout %us;\n  upstream app {\n    server 10.0.0.5:8080;\n    keepalive 16;\n"
		 "    keepalive_timeout %u;\n  }\n  server {\n    listen 80;\n    keepalive_timeout %um;\n"
		 "    location / { proxy_pass http://app; proxy_http_version 1.1;\n"
		 "      proxy_set_header Connection \"\"; }\n  }\n}\n", ka, up, srv);
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, buf, &h, &e), 0);
	double want = ka < srv * 60 ? ka : srv * 60;
	CHECK(h.down.s == want);
	CHECK_EQ_STR(h.down.src, ka < srv * 60 ? "t.conf:5" : "t.conf:13");
	CHECK(h.reuse && h.up.s == up);
	CHECK_EQ_STR(h.up.src, "t.conf:9");

	/* keepalive without proxy_http_version 1.1: not reused */
	snprintf(buf, sizeof(buf), "http { upstream a { server x; keepalive 4; }\n server { location / { proxy_pass http://a; } } }\n");
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, buf, &h, &e), 0);
	CHECK(!h.reuse);
	CHECK(h.down.s == 75 && strstr(h.down.src, "default"));
	/* keepalive with the upstream default 60 s */
	snprintf(buf, sizeof(buf), "http { upstream a { server x; keepalive 4; }\n proxy_http_version 1.1; }\n");
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, buf, &h, &e), 0);
	CHECK(h.reuse && h.up.s == 60 && strstr(h.up.src, "default"));
	/* keepalive_timeout 0: keep-alive off */
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, "http { keepalive_timeout 0; }\n", &h, &e), 0);
	CHECK(h.ka_off);

	/* errors name their line */
	unsigned bad = draw(2, 9);
	size_t o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "http {\n");
	for (unsigned i = 2; i < bad; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "  sendfile on;\n");
	snprintf(buf + o, sizeof(buf) - o, "  keepalive_timeout 7x;\n}\n");
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, buf, &h, &e), -1);
	CHECK_EQ_INT(e.line, bad);
	CHECK(strstr(e.msg, "7x") != NULL);
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, "http {\n server {\n listen 80;\n}\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 1);
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, "http {\n}\n}\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 3);
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, "http {\n keepalive_timeout 5\n}\n", &h, &e), -1);
	CHECK_EQ_INT(parse(AUDIT_FMT_NGINX, "http { return 200 \"x;\n", &h, &e), -1);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void nginx_includes(void)
{
	char dir[] = "/tmp/audit-unit.XXXXXX", p[256], t[512];
	struct audit_hop h;
	struct audit_err e;
	unsigned up = draw(5, 300), ka = draw(5, 300);

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(p, sizeof(p), "%s/conf.d", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/snippets", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/nginx.conf", dir);
	write_file(p, "events {}\nhttp {\n  include conf.d/*.conf;\n  include snippets/ka.inc;\n}\n");
	snprintf(p, sizeof(p), "%s/conf.d/up.conf", dir);
	snprintf(t, sizeof(t), "upstream b {\n  server 127.0.0.1:9;\n  keepalive 8;\n  keepalive_timeout %us;\n}\n"
		 "proxy_http_version 1.1;\n", up);
	write_file(p, t);
	snprintf(p, sizeof(p), "%s/snippets/ka.inc", dir);
	snprintf(t, sizeof(t), "keepalive_timeout %u;\n", ka);
	write_file(p, t);
	snprintf(p, sizeof(p), "%s/nginx.conf", dir);
	CHECK_EQ_INT(audit_parse_file(p, &h, &e), 0);
	CHECK(h.reuse && h.up.s == up);
	CHECK(strstr(h.up.src, "conf.d/up.conf:4") != NULL);
	CHECK(h.down.s == ka);
	CHECK(strstr(h.down.src, "snippets/ka.inc:1") != NULL);

	/* a missing include is an error at its line; a glob with no match is not */
	snprintf(p, sizeof(p), "%s/two.conf", dir);
	write_file(p, "http {\n  include none/*.conf;\n  include missing.conf;\n}\n");
	CHECK_EQ_INT(audit_parse_file(p, &h, &e), -1);
	CHECK_EQ_INT(e.line, 3);
	/* an include of itself stops at the depth bound */
	snprintf(p, sizeof(p), "%s/loop.conf", dir);
	write_file(p, "include loop.conf;\n");
	CHECK_EQ_INT(audit_parse_file(p, &h, &e), -1);
	CHECK(strstr(e.msg, "deep") != NULL);
	snprintf(t, sizeof(t), "rm -rf '%s'", dir);
	CHECK_EQ_INT(system(t), 0);
}

static void haproxy(void)
{
	struct audit_hop h;
	struct audit_err e;
	char buf[2048];
	unsigned cl = draw(5, 600), req = draw(2, 60), srv = draw(5, 600), hka = draw(1, 300);

	/* http-keep-alive falls back to http-request, then to client */
	snprintf(buf, sizeof(buf),
		 "global\n    maxconn 1000\n\ndefaults\n    mode http\n    timeout connect 5s\n"
		 "    timeout client %us\n    timeout server %u000\n    timeout http-request %us\n\n"
		 "frontend web\n    bind :80\n    default_backend app\n\nbackend app\n    server s1 10.0.0.5:8080\n",
		 cl, srv, req);
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, buf, &h, &e), 0);
	CHECK(h.down.s == req);
	CHECK_EQ_STR(h.down.src, "h.cfg:9");
	CHECK(h.reuse && h.up.s == srv);
	CHECK_EQ_STR(h.up.src, "h.cfg:8");
	snprintf(buf, sizeof(buf),
		 "defaults\n  mode http\n  timeout client %um\n  timeout server %us\n"
		 "frontend f\n  bind :80\n  timeout http-keep-alive %us\nbackend b\n  option http-server-close\n",
		 cl, srv, hka);
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, buf, &h, &e), 0);
	CHECK(h.down.s == hka);
	CHECK(!h.reuse);
	snprintf(buf, sizeof(buf), "defaults\n  timeout client %us\nlisten l\n  bind :80\n", cl);
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, buf, &h, &e), 0);
	CHECK(h.down.s == cl && strstr(h.down.param, "client"));
	CHECK(isinf(h.up.s));   /* no timeout server: none */
	/* named defaults and "from" */
	snprintf(buf, sizeof(buf), "defaults short\n  timeout client 3s\n  timeout server 4s\n"
		 "defaults long\n  timeout client %us\n  timeout server %us\n"
		 "frontend f from short\n  bind :80\nbackend b from short\n", cl, srv);
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, buf, &h, &e), 0);
	CHECK(h.down.s == 3 && h.up.s == 4);
	/* mode tcp: a box */
	snprintf(buf, sizeof(buf), "defaults\n  mode tcp\n  timeout client %us\n  timeout server %us\nlisten pg\n  bind :5432\n", cl, srv);
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, buf, &h, &e), 0);
	CHECK_EQ_INT(h.kind, AUDIT_BOX);
	CHECK(h.box.s == (cl < srv ? cl : srv));
	/* a bad value names its line */
	CHECK_EQ_INT(parse(AUDIT_FMT_HAPROXY, "defaults\n  timeout client 30s\nfrontend f\n  timeout http-keep-alive soon\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 4);
}

static void sysctl(void)
{
	struct audit_hop h;
	struct audit_err e;
	char buf[1024];
	unsigned ka = draw(30, 7200), est = draw(60, 432000);

	snprintf(buf, sizeof(buf), "# tuned\nnet.ipv4.tcp_keepalive_time = %u\nnet.ipv4.tcp_keepalive_intvl=30\n"
		 "net/netfilter/nf_conntrack_tcp_timeout_established = %u\nvm.swappiness = 10\n", ka, est);
	CHECK_EQ_INT(parse(AUDIT_FMT_SYSCTL, buf, &h, &e), 0);
	CHECK(h.ka.s == ka && h.box.s == est && h.silent);
	CHECK_EQ_STR(h.box.src, "s.conf:4");
	CHECK_EQ_INT(parse(AUDIT_FMT_SYSCTL, "net.ipv4.tcp_fin_timeout = 60\n", &h, &e), 0);
	CHECK(h.ka.s == 7200 && h.box.s < 0);
	CHECK_EQ_INT(parse(AUDIT_FMT_SYSCTL, "vm.swappiness = 1\nnet.ipv4.tcp_keepalive_time = lots\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 2);
}

static void envoy(void)
{
	struct audit_hop h;
	struct audit_err e;
	char buf[4096];
	unsigned dn = draw(2, 900), st = draw(2, 600), up1 = draw(2, 900), up2 = draw(2, 900), tcp = draw(2, 900);

	/* a front proxy bootstrap: quoted and plain durations, flow bits, a
	 * block scalar, comments; the typed and the legacy cluster option */
	snprintf(buf, sizeof(buf),
		 "# front proxy\n---\nadmin:\n  address:\n    socket_address: { address: 127.0.0.1, port_value: 9901 }\n"
		 "static_resources:\n  listeners:\n  - name: http\n    address:\n      socket_address:\n"
		 "        address: 0.0.0.0\n        port_value: 8080\n    filter_chains:\n    - filters:\n"
		 "      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n"
		 "          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n"
		 "          stat_prefix: ingress_http  # the stats\n          common_http_protocol_options:\n"
		 "            idle_timeout: %us\n          stream_idle_timeout: \"%u.5s\"\n"
		 "          route_config:\n            virtual_hosts:\n            - name: app\n              domains: [\"*\"]\n"
		 "              routes:\n              - match: { prefix: \"/\" }\n                route: { cluster: app }\n"
		 "          http_filters:\n          - name: envoy.filters.http.lua\n            typed_config:\n"
		 "              inline_code: |\n                -- idle_timeout: 1s\n                function envoy_on_request(h) end\n"
		 "          - name: envoy.filters.http.router\n"
		 "  clusters:\n  - name: app\n    connect_timeout: 0.25s\n    typed_extension_protocol_options:\n"
		 "      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n"
		 "        \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n"
		 "        common_http_protocol_options:\n          idle_timeout: '%us'\n"
		 "        explicit_http_config:\n          http_protocol_options: {}\n"
		 "  - name: legacy\n    common_http_protocol_options:\n      idle_timeout: %us\n",
		 dn, st, up1, up2);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, buf, &h, &e), 0);
	CHECK_EQ_INT(h.kind, AUDIT_PROXY);
	CHECK(h.down.s == dn);
	CHECK_EQ_STR(h.down.src, "e.yaml:20");
	CHECK(h.reuse && h.up.s == (up1 >= up2 ? up1 : up2));
	CHECK_EQ_STR(h.up.src, up1 >= up2 ? "e.yaml:43" : "e.yaml:48");
	CHECK_EQ_INT(h.n_info, 1);
	CHECK(h.info[0].s == st + 0.5);
	CHECK_EQ_STR(h.info[0].src, "e.yaml:21");

	/* defaults: 1 h both sides, stream idle 5 min; lists at the key's column */
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY,
			   "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n"
			   "      - name: envoy.filters.network.http_connection_manager\n"
			   "        typed_config:\n          stat_prefix: x\n  clusters:\n  - name: a\n"
			   "    type: STATIC\n", &h, &e), 0);
	CHECK(h.down.s == 3600 && strstr(h.down.src, "default of Envoy"));
	CHECK(h.up.s == 3600 && strstr(h.up.src, "envoyproxy.io"));
	CHECK(h.info[0].s == 300);
	/* idle_timeout 0s: none */
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY,
			   "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n"
			   "      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n"
			   "          common_http_protocol_options:\n            idle_timeout: 0s\n", &h, &e), 0);
	CHECK(isinf(h.down.s) && h.up.s == 3600);

	/* tcp_proxy only: a box; 0 disables the timeout */
	snprintf(buf, sizeof(buf),
		 "static_resources:\n  listeners:\n  - name: pg\n    filter_chains:\n    - filters:\n"
		 "      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n"
		 "          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n"
		 "          stat_prefix: pg\n          cluster: pg\n          idle_timeout: %us\n", tcp);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, buf, &h, &e), 0);
	CHECK_EQ_INT(h.kind, AUDIT_BOX);
	CHECK(h.box.s == tcp);
	CHECK_EQ_STR(h.box.src, "e.yaml:11");
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY,
			   "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n"
			   "      - name: envoy.tcp_proxy\n        typed_config: { cluster: pg, idle_timeout: 0s }\n",
			   &h, &e), 0);
	CHECK(h.kind == AUDIT_BOX && isinf(h.box.s));
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY,
			   "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n"
			   "      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n          cluster: pg\n",
			   &h, &e), 0);
	CHECK(h.box.s == 3600 && strstr(h.box.src, "default of Envoy"));

	/* bad files name their line */
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY,
			   "static_resources:\n  listeners:\n  - filter_chains:\n    - filters:\n"
			   "      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n"
			   "          common_http_protocol_options:\n            idle_timeout: 300ms\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 8);
	CHECK(strstr(e.msg, "300ms") != NULL);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n  listeners: &l\n  - name: a\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 2);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n  listeners:\n  - name: a\n     port: 1\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 4);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n  clusters:\n  - name: \"a\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 3);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n\tclusters: []\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 2);
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n  clusters: [ a,\n    b ]\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 2);
	/* no listener to read: the file as a whole */
	CHECK_EQ_INT(parse(AUDIT_FMT_ENVOY, "static_resources:\n  clusters:\n  - name: a\n", &h, &e), -1);
	CHECK_EQ_INT(e.line, 0);
	CHECK(strstr(e.msg, "listener") != NULL);
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

	printf("audit_parsers: seed %u\n", seed);
	srand(seed);
	durations();
	nginx();
	nginx_includes();
	haproxy();
	sysctl();
	envoy();
	CHECK_EQ_INT(audit_sniff("hello world\n", 12), AUDIT_FMT_UNKNOWN);
	return unit_done("audit_parsers");
}
