/* proxy/options: the command line of 'rstscope proxy' into struct proxy_opts. */
#include "proxy/proxy.h"

#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "util/util.h"

void proxy_usage(FILE *f)
{
	fprintf(f,
"usage: rstscope proxy --listen ADDR:PORT --upstream ADDR:PORT [OPTIONS]\n"
"\n"
"Forward TCP connections to an upstream and end them the ways networks do:\n"
"resets after N bytes, resets at random, idle timeouts that end with an RST,\n"
"a FIN or silence. Every event is logged to stderr.\n"
"\n"
"addresses:\n"
"  --listen ADDR:PORT         where to accept (IPv6 as [::1]:8080; port 0 picks\n"
"                             a free port, printed in the 'listen' event)\n"
"  --upstream ADDR:PORT       where to forward\n"
"idle faults:\n"
"  --idle-timeout SECONDS     end a connection after this long without a byte\n"
"                             in either direction\n"
"  --idle-action rst|fin|silent\n"
"                             rst: reset both sides (SO_LINGER 0), the default;\n"
"                             fin: orderly close of both sides;\n"
"                             silent: keep both sockets open and discard all\n"
"                             data without telling either side (a NAT that\n"
"                             forgot the flow), for at most --silent-max\n"
"  --silent-max SECONDS       then reset both sides (default %.0f)\n"
"reset faults:\n"
"  --reset-after-bytes N      reset both sides once N bytes have been delivered\n"
"  --direction up|down|both   which bytes count: up = client to upstream,\n"
"                             down = upstream to client, both (the default)\n"
"  --reset-probability P      reset each connection with probability P (0..1),\n"
"                             decided when it is accepted\n"
"  --reset-delay SECONDS      when to reset a chosen connection, counted from its\n"
"                             accept (default 0); alone, it means probability 1\n"
"  --seed S                   seed of the draws (default: random, logged)\n"
"limits:\n"
"  --max-conns N              concurrent connections (default %u, max %u); more\n"
"                             are accepted and reset at once\n"
"  --connect-timeout SECONDS  upstream connect timeout (default %.0f)\n"
"  --duration SECONDS         exit after this long (default: until SIGINT/SIGTERM)\n"
"output:\n"
"  --json-log                 events as JSON lines on stderr\n"
"  -h, --help                 this text\n"
"\n"
"Events: listen, accept, refuse, upstream-fail, connect, fault, close, summary.\n"
"A client that is reset sees ECONNRESET; one that is closed with a FIN sees EOF.\n"
"Exit status: 0 on a clean stop, 2 for bad arguments, 4 when it cannot listen.\n"
"\n"
"EXAMPLES\n"
"  # reset every connection after 1 MB from the server\n"
"  rstscope proxy --listen 127.0.0.1:8080 --upstream 127.0.0.1:80 \\\n"
"      --reset-after-bytes 1000000 --direction down\n"
"  # a load balancer that resets connections idle for 30 s\n"
"  rstscope proxy --listen [::1]:5433 --upstream [::1]:5432 --idle-timeout 30\n"
"  # a NAT that silently forgets idle flows, for 10 minutes\n"
"  rstscope proxy --listen 127.0.0.1:6380 --upstream 127.0.0.1:6379 \\\n"
"      --idle-timeout 60 --idle-action silent --silent-max 600\n"
"  # reset one connection in ten, 2 s after accept, reproducibly\n"
"  rstscope proxy --listen 127.0.0.1:8443 --upstream 127.0.0.1:443 \\\n"
"      --reset-probability 0.1 --reset-delay 2 --seed 7 --json-log\n",
		PROXY_DEFAULT_SILENT_MAX, PROXY_DEFAULT_MAX_CONNS, PROXY_MAX_CONNS_LIMIT,
		PROXY_DEFAULT_CONNECT_TIMEOUT);
}

const char *proxy_idle_action_name(enum proxy_idle_action a)
{
	switch (a) {
	case PROXY_IDLE_RST: return "rst";
	case PROXY_IDLE_FIN: return "fin";
	case PROXY_IDLE_SILENT: return "silent";
	}
	return "?";
}

const char *proxy_dir_name(enum proxy_dir d)
{
	switch (d) {
	case PROXY_DIR_BOTH: return "both";
	case PROXY_DIR_UP: return "up";
	case PROXY_DIR_DOWN: return "down";
	}
	return "?";
}

enum {
	OPT_LISTEN = 256, OPT_UPSTREAM, OPT_IDLE_TIMEOUT, OPT_IDLE_ACTION,
	OPT_SILENT_MAX, OPT_RESET_BYTES, OPT_DIRECTION, OPT_RESET_PROB,
	OPT_RESET_DELAY, OPT_SEED, OPT_MAX_CONNS, OPT_CONNECT_TIMEOUT,
	OPT_DURATION, OPT_JSON_LOG,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "upstream", required_argument, NULL, OPT_UPSTREAM },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "idle-action", required_argument, NULL, OPT_IDLE_ACTION },
	{ "silent-max", required_argument, NULL, OPT_SILENT_MAX },
	{ "reset-after-bytes", required_argument, NULL, OPT_RESET_BYTES },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "reset-probability", required_argument, NULL, OPT_RESET_PROB },
	{ "reset-delay", required_argument, NULL, OPT_RESET_DELAY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "json-log", no_argument, NULL, OPT_JSON_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Resolve "ADDR:PORT" into a socket address. A listen address may use port
 * 0 (the kernel picks one); parse_hostport() rejects 0, so that one case is
 * parsed with the port swapped for 1 and set back afterwards. */
static int parse_addr(const char *s, bool listen, struct proxy_addr *a,
		      char *err, size_t errsz, const char *opt)
{
	char host[256], copy[300], num[NI_MAXHOST];
	struct addrinfo hints, *res = NULL;
	uint16_t port = 0;
	size_t n = strlen(s);
	int rc;

	if (listen && n >= 2 && n < sizeof(copy) && !strcmp(s + n - 2, ":0")) {
		memcpy(copy, s, n + 1);
		copy[n - 1] = '1';
		if (parse_hostport(copy, host, sizeof(host), &port))
			goto bad;
		port = 0;
	} else if (parse_hostport(s, host, sizeof(host), &port)) {
		goto bad;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | (listen ? AI_PASSIVE : 0);
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		rc = getaddrinfo(host, NULL, &hints, &res);
	}
	if (rc || !res || res->ai_addrlen > sizeof(a->sa)) {
		fmt_buf(err, errsz, "cannot resolve '%s' of '%s': %s", host, opt,
			rc ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (a->sa.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->sa)->sin6_port = htons(port);
	else if (a->sa.ss_family == AF_INET)
		((struct sockaddr_in *)&a->sa)->sin_port = htons(port);
	else {
		fmt_buf(err, errsz, "'%s' of '%s' is not an IP address", host, opt);
		return -1;
	}
	if (getnameinfo((struct sockaddr *)&a->sa, a->len, num, sizeof(num), NULL, 0, NI_NUMERICHOST))
		fmt_buf(num, sizeof(num), "%s", host);
	fmt_buf(a->text, sizeof(a->text), a->sa.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		num, (unsigned)port);
	return 0;
bad:
	fmt_buf(err, errsz, "bad address for '%s': '%s' (want ADDR:PORT or [V6ADDR]:PORT, port 1-65535)",
		opt, s);
	return -1;
}

static int parse_secs(const char *s, bool allow_zero, double *out,
		      char *err, size_t errsz, const char *opt)
{
	if (parse_seconds(s, PROXY_SECONDS_LIMIT, out) || (!allow_zero && *out <= 0)) {
		fmt_buf(err, errsz, "bad value for '%s': '%s' (want %s seconds, up to %.0f)",
			opt, s, allow_zero ? "0 or more" : "more than 0", PROXY_SECONDS_LIMIT);
		return -1;
	}
	return 0;
}

/* One option's argument into *o. Returns 0 or -1 with err set. */
static int apply(struct proxy_opts *o, int c, const char *arg, bool *seen_listen,
		 bool *seen_upstream, bool *seen_action, bool *seen_dir, bool *seen_delay,
		 char *err, size_t errsz)
{
	uint64_t v;

	switch (c) {
	case OPT_LISTEN:
		*seen_listen = true;
		return parse_addr(arg, true, &o->listen, err, errsz, "--listen");
	case OPT_UPSTREAM:
		*seen_upstream = true;
		return parse_addr(arg, false, &o->upstream, err, errsz, "--upstream");
	case OPT_IDLE_TIMEOUT:
		o->has_idle = true;
		return parse_secs(arg, false, &o->idle_timeout, err, errsz, "--idle-timeout");
	case OPT_IDLE_ACTION:
		*seen_action = true;
		if (!strcmp(arg, "rst"))
			o->idle_action = PROXY_IDLE_RST;
		else if (!strcmp(arg, "fin"))
			o->idle_action = PROXY_IDLE_FIN;
		else if (!strcmp(arg, "silent"))
			o->idle_action = PROXY_IDLE_SILENT;
		else {
			fmt_buf(err, errsz, "unknown action for '--idle-action': '%s' (want rst, fin or silent)", arg);
			return -1;
		}
		return 0;
	case OPT_SILENT_MAX:
		return parse_secs(arg, false, &o->silent_max, err, errsz, "--silent-max");
	case OPT_RESET_BYTES:
		o->has_reset_bytes = true;
		if (parse_u64_range(arg, 0, UINT64_MAX, &o->reset_bytes)) {
			fmt_buf(err, errsz, "bad value for '--reset-after-bytes': '%s' (want a whole number of bytes)", arg);
			return -1;
		}
		return 0;
	case OPT_DIRECTION:
		*seen_dir = true;
		if (!strcmp(arg, "both"))
			o->reset_dir = PROXY_DIR_BOTH;
		else if (!strcmp(arg, "up"))
			o->reset_dir = PROXY_DIR_UP;
		else if (!strcmp(arg, "down"))
			o->reset_dir = PROXY_DIR_DOWN;
		else {
			fmt_buf(err, errsz, "unknown direction for '--direction': '%s' (want up, down or both)", arg);
			return -1;
		}
		return 0;
	case OPT_RESET_PROB:
		o->has_reset_prob = true;
		/* a probability is a non-negative decimal like a number of seconds */
		if (parse_seconds(arg, 1.0, &o->reset_prob)) {
			fmt_buf(err, errsz, "bad value for '--reset-probability': '%s' (want a number from 0 to 1)", arg);
			return -1;
		}
		return 0;
	case OPT_RESET_DELAY:
		*seen_delay = true;
		return parse_secs(arg, true, &o->reset_delay, err, errsz, "--reset-delay");
	case OPT_SEED:
		o->has_seed = true;
		if (parse_u64_range(arg, 0, UINT64_MAX, &o->seed)) {
			fmt_buf(err, errsz, "bad value for '--seed': '%s' (want a whole number)", arg);
			return -1;
		}
		return 0;
	case OPT_MAX_CONNS:
		if (parse_u64_range(arg, 1, PROXY_MAX_CONNS_LIMIT, &v)) {
			fmt_buf(err, errsz, "bad value for '--max-conns': '%s' (want 1 to %u)", arg,
				PROXY_MAX_CONNS_LIMIT);
			return -1;
		}
		o->max_conns = (uint32_t)v;
		return 0;
	case OPT_CONNECT_TIMEOUT:
		return parse_secs(arg, false, &o->connect_timeout, err, errsz, "--connect-timeout");
	case OPT_DURATION:
		o->has_duration = true;
		return parse_secs(arg, false, &o->duration, err, errsz, "--duration");
	case OPT_JSON_LOG:
		o->json_log = true;
		return 0;
	}
	fmt_buf(err, errsz, "internal: unhandled option %d", c);
	return -1;
}

int proxy_opts_parse(struct proxy_opts *o, int argc, char **argv, char *err, size_t errsz)
{
	bool seen_listen = false, seen_upstream = false, seen_action = false;
	bool seen_dir = false, seen_delay = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->idle_action = PROXY_IDLE_RST;
	o->silent_max = PROXY_DEFAULT_SILENT_MAX;
	o->reset_dir = PROXY_DIR_BOTH;
	o->max_conns = PROXY_DEFAULT_MAX_CONNS;
	o->connect_timeout = PROXY_DEFAULT_CONNECT_TIMEOUT;
	err[0] = '\0';

	optind = 0; /* GNU: full reinitialisation, so tests may parse twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == ':') {
			fmt_buf(err, errsz, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		}
		if (c == '?') {
			if (optopt)
				fmt_buf(err, errsz, "unknown option '-%c'", optopt);
			else
				fmt_buf(err, errsz, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		if (apply(o, c, optarg, &seen_listen, &seen_upstream, &seen_action, &seen_dir,
			  &seen_delay, err, errsz))
			return -1;
	}
	if (optind < argc) {
		fmt_buf(err, errsz, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!seen_listen || !seen_upstream) {
		fmt_buf(err, errsz, "missing '%s' (see 'rstscope proxy --help')",
			!seen_listen ? "--listen" : "--upstream");
		return -1;
	}
	if (seen_action && !o->has_idle) {
		fmt_buf(err, errsz, "'--idle-action' needs '--idle-timeout'");
		return -1;
	}
	if (seen_dir && !o->has_reset_bytes) {
		fmt_buf(err, errsz, "'--direction' needs '--reset-after-bytes'");
		return -1;
	}
	if (seen_delay && !o->has_reset_prob) {
		o->has_reset_prob = true; /* a delay alone resets every connection */
		o->reset_prob = 1.0;
	}
	if (o->has_seed && !o->has_reset_prob) {
		fmt_buf(err, errsz, "'--seed' needs '--reset-probability'");
		return -1;
	}
	return 0;
}
