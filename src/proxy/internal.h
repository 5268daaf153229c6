/* proxy/internal: the state shared by the proxy's own files (loop, conn,
 * fault, log). Not an interface for other stages: use proxy.h. */
#ifndef RSTSCOPE_PROXY_INTERNAL_H
#define RSTSCOPE_PROXY_INTERNAL_H
#include "proxy/proxy.h"

#define PROXY_BUF_SIZE (64 * 1024)   /* per direction, per connection */
#define PROXY_ACCEPT_BATCH 64        /* accepts per listener wake-up */
#define PROXY_EVENTS 128             /* epoll events per wake-up */
#define PROXY_DRAIN_MAX 1.0          /* seconds to wait for delivery before a reset */
#define PROXY_DRAIN_POLL 0.002       /* how often delivery is checked meanwhile */

enum proxy_side { PROXY_CLIENT = 0, PROXY_UPSTREAM = 1 };

/* pipe[PROXY_UP] carries client -> upstream, pipe[PROXY_DOWN] the reverse;
 * pipe[d] is read from fd[d] and written to fd[!d]. */
enum { PROXY_UP = 0, PROXY_DOWN = 1 };

enum proxy_state {
	PROXY_CONNECTING,  /* upstream connect in progress */
	PROXY_OPEN,        /* forwarding */
	PROXY_DRAINING,    /* a reset is due: waiting until sent bytes are acked */
	PROXY_SILENT,      /* blackholed: reading and discarding both sides */
};

/* A bounded ring buffer. */
struct proxy_pipe {
	unsigned char buf[PROXY_BUF_SIZE];
	size_t head, len;
	bool eof;        /* read side returned 0 */
	bool shut;       /* write side shut down after eof and empty buffer */
	uint64_t bytes;  /* delivered to the destination socket */
};

struct proxy_conn {
	uint64_t id;
	uint32_t slot, gen;
	uint32_t active_idx;     /* index in proxy.active */
	int fd[2];               /* PROXY_CLIENT, PROXY_UPSTREAM; -1 when closed */
	uint32_t mask[2];        /* epoll interest registered; 0 = not in epoll */
	enum proxy_state state;
	struct proxy_pipe pipe[2];
	double t_accept, t_last, t_reset;
	double t_deadline;       /* connect timeout, drain bound or silent bound */
	double t_poll;           /* draining: last delivery check */
	bool reset_chosen;       /* by --reset-probability */
	bool fault_done;         /* a fault fired; no second one */
	bool quiet_done[2];      /* silent: that side closed or failed */
	const char *drain_reason;
	char client[PROXY_ADDR_STRLEN];
};

struct proxy_counts {
	uint64_t accepted, refused, upstream_fail, connected, closed;
	uint64_t rst_idle, fin_idle, silenced, silent_max;
	uint64_t rst_bytes, rst_random, peer_reset;
	uint64_t bytes_up, bytes_down;
};

struct proxy {
	const struct proxy_opts *o;
	int ep, lfd, sigfd;
	bool listen_paused;      /* out of descriptors: accept again later */
	double t_start, t_resume;
	struct proxy_conn **slots;   /* max_conns entries */
	uint32_t *gens;              /* per slot, bumped on reuse */
	uint32_t *free_slots, nfree;
	struct proxy_conn **active;  /* dense list of live connections */
	uint32_t nactive;
	uint64_t next_id;
	struct proxy_rng rng;
	uint64_t seed;
	struct proxy_counts n;
	bool stopping;
};

/* The epoll data word: kind in the low 2 bits, slot, then generation, so a
 * stale event for a slot already reused is recognised and dropped. */
enum { PROXY_EV_LISTEN = 0, PROXY_EV_SIGNAL = 1, PROXY_EV_CLIENT = 2, PROXY_EV_UPSTREAM = 3 };
#define PROXY_EV_WORD(kind, slot, gen) \
	((uint64_t)(kind) | ((uint64_t)(slot) << 2) | ((uint64_t)(gen) << 32))

double proxy_now(void);
void proxy_addr_text(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size);

/* conn.c */
void proxy_conn_accept(struct proxy *p, int cfd, const struct sockaddr_storage *ss, socklen_t sl);
/* Handle readiness of one side. */
void proxy_conn_event(struct proxy *p, struct proxy_conn *c, enum proxy_side side, uint32_t ev);
/* Apply timers that are due at now. */
void proxy_conn_timers(struct proxy *p, struct proxy_conn *c, double now);
/* The earliest time conn_timers has something to do, or a huge value. */
double proxy_conn_next(const struct proxy *p, const struct proxy_conn *c);
/* End a connection: how = 'r' (RST both), 'f' (FIN/close both). Logs the
 * close with reason and frees it. */
void proxy_conn_end(struct proxy *p, struct proxy_conn *c, char how, const char *reason);
/* Blackhole: keep both sockets, discard what they send, until silent_max. */
void proxy_conn_silence(struct proxy *p, struct proxy_conn *c, double now);
/* Stop forwarding; reset both sides once what was sent is acknowledged (or
 * PROXY_DRAIN_MAX passed), so the peer receives exactly the bytes counted. */
void proxy_conn_drain(struct proxy *p, struct proxy_conn *c, double now, const char *reason);
/* Bytes not yet acknowledged by the peer of side s (SIOCOUTQ), 0 on error. */
size_t proxy_conn_unacked(const struct proxy_conn *c, enum proxy_side s);

/* fault.c */
/* How many more bytes pipe d may deliver under --reset-after-bytes. */
uint64_t proxy_fault_budget(const struct proxy *p, const struct proxy_conn *c, int d);
/* Has the --reset-after-bytes threshold been reached? */
bool proxy_fault_bytes_due(const struct proxy *p, const struct proxy_conn *c);

/* log.c: one line per event, text or JSON. Fields come as a printf-style
 * list of "key=value" pairs; values that are not numbers are quoted in
 * JSON. */
void proxy_log(const struct proxy *p, const char *event, const struct proxy_conn *c,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void proxy_log_summary(const struct proxy *p);

#endif
