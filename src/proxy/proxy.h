/* proxy: a fault-injecting TCP proxy. It forwards one listening address to
 * one upstream and, on purpose, ends connections the ways networks do:
 * resets after N bytes, resets chosen at random (reproducibly, by seed),
 * and idle timeouts that end with an RST, a FIN, or silence (a blackhole
 * that keeps both sockets and drops their data, like a NAT that forgot the
 * flow). One thread, one epoll loop, fixed memory per connection.
 *
 * Usage from the CLI: proxy_opts_parse() then proxy_run(). */
#ifndef RSTSCOPE_PROXY_H
#define RSTSCOPE_PROXY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

enum proxy_idle_action {
	PROXY_IDLE_RST,    /* SO_LINGER {1,0} close of both sides: real RSTs */
	PROXY_IDLE_FIN,    /* orderly shutdown and close of both sides */
	PROXY_IDLE_SILENT, /* keep both sockets, discard their data, tell no one */
};

enum proxy_dir {
	PROXY_DIR_BOTH, /* bytes client->upstream plus upstream->client */
	PROXY_DIR_UP,   /* client -> upstream only */
	PROXY_DIR_DOWN, /* upstream -> client only */
};

/* Limits of the options; also the documented ranges of --help. */
#define PROXY_MAX_CONNS_LIMIT   100000u
#define PROXY_DEFAULT_MAX_CONNS 1024u
#define PROXY_SECONDS_LIMIT     31536000.0 /* one year */
#define PROXY_DEFAULT_CONNECT_TIMEOUT 5.0
#define PROXY_DEFAULT_SILENT_MAX 300.0
#define PROXY_ADDR_STRLEN 64 /* "[v6]:port" */

struct proxy_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[PROXY_ADDR_STRLEN]; /* as the user wrote it, normalised */
};

/* Built by proxy_opts_parse(), read-only afterwards. A "has_" flag tells
 * whether the fault was asked for; the value is meaningful only then. */
struct proxy_opts {
	struct proxy_addr listen;
	struct proxy_addr upstream;

	bool has_idle;
	double idle_timeout;          /* seconds, > 0 */
	enum proxy_idle_action idle_action;
	double silent_max;            /* how long a silenced connection is held */

	bool has_reset_bytes;
	uint64_t reset_bytes;
	enum proxy_dir reset_dir;

	bool has_reset_prob;
	double reset_prob;            /* 0..1, drawn once per connection */
	double reset_delay;           /* seconds after accept */
	bool has_seed;
	uint64_t seed;

	uint32_t max_conns;           /* concurrent; beyond it: accept and RST */
	double connect_timeout;
	bool has_duration;
	double duration;
	bool json_log;
};

/* Parse the arguments after the subcommand name (argv[0] is "proxy").
 * Returns 0 with *o filled, 1 when --help was asked for, or -1 with a
 * one-line reason in err (lower case, the option quoted). Names are
 * resolved with getaddrinfo(); nothing else touches the system. */
int proxy_opts_parse(struct proxy_opts *o, int argc, char **argv, char *err, size_t errsz);

void proxy_usage(FILE *f);

/* Run until --duration elapses or SIGINT/SIGTERM arrives; every connection
 * is closed before it returns. Returns an RS_EXIT_* code; events and the
 * summary go to stderr. */
int proxy_run(const struct proxy_opts *o);

/* The fault decisions, exposed for tests. */
const char *proxy_idle_action_name(enum proxy_idle_action a);
const char *proxy_dir_name(enum proxy_dir d);

/* A small reproducible generator (splitmix64). */
struct proxy_rng {
	uint64_t state;
};
void proxy_rng_init(struct proxy_rng *r, uint64_t seed);
uint64_t proxy_rng_next(struct proxy_rng *r);
/* Uniform in [0,1). */
double proxy_rng_unit(struct proxy_rng *r);
/* Draw once: should this connection be reset? p == 0 never, p == 1 always. */
bool proxy_rng_chance(struct proxy_rng *r, double p);

#endif
