/* probe/internal.h: what the probe's files share (not an interface for
 * other stages; probe.h is). */
#ifndef RSTSCOPE_PROBE_INTERNAL_H
#define RSTSCOPE_PROBE_INTERNAL_H
#include <stdint.h>
#include <stdio.h>

#include "probe/probe.h"

/* tcpinfo.c: what the kernel says about one socket. */
struct probe_tcpinfo {
	uint8_t state;        /* TCP_ESTABLISHED, ... */
	uint32_t unacked;     /* segments sent and not yet acknowledged */
	uint32_t rtt_us;      /* smoothed RTT */
};
/* 0, or -errno. */
int probe_tcpinfo_read(int fd, struct probe_tcpinfo *ti);
/* Bound how long sent data may stay unacknowledged (TCP_USER_TIMEOUT). */
int probe_tcpinfo_user_timeout(int fd, double seconds);

/* http.c: one HTTP/1.1 response taken from a byte stream. */
struct probe_http {
	char head[4096];
	size_t hlen;
	bool in_body, chunked;
	uint64_t body_left;
	char tail[5];         /* the last bytes of a chunked body */
	int status;
};
void probe_http_reset(struct probe_http *h);
/* Feed bytes: 1 a response ended (h->status), 0 more needed, -1 it cannot
 * be delimited (no length: the server closes after it) or is malformed.
 * Bytes after a response's end are not expected (one request at a time). */
int probe_http_feed(struct probe_http *h, const char *p, size_t n);
/* The request, with the Host header; returns its length. */
size_t probe_http_request(char *buf, size_t size, const char *host);

/* capture.c: TTLs of the target's segments to the probe's ports. */
struct probe_capture;
/* NULL with err filled when no capture is possible (rights, libpcap). */
struct probe_capture *probe_capture_open(const struct probe_target *t, char *err, size_t errsz);
void probe_capture_free(struct probe_capture *c);
int probe_capture_fd(const struct probe_capture *c);
/* Read what is pending (non-blocking). */
void probe_capture_drain(struct probe_capture *c);
/* The TTL of the last segment to local port lport with any of `flags`
 * (TH_RST, TH_FIN), or -1. */
int probe_capture_ttl(const struct probe_capture *c, uint16_t lport, uint8_t flags);
/* The TTLs of the target's segments with neither RST nor FIN: a 256-entry
 * set; returns how many distinct ones. */
unsigned probe_capture_baseline(const struct probe_capture *c, bool set[256]);

/* trial.c: one connection. */
enum probe_trial_state {
	TRIAL_CONNECTING, TRIAL_FIRST,   /* (http) the first request's answer */
	TRIAL_IDLE, TRIAL_SENT, TRIAL_DONE, TRIAL_FAILED, TRIAL_MOOT,
};

struct probe_trial {
	int fd;
	unsigned round;
	double idle;          /* planned */
	enum probe_trial_state st;
	double t_begin;       /* connect() called */
	double t_quiet;       /* the idle clock runs from here */
	double t_sent;
	uint16_t lport;
	enum probe_outcome outcome;
	double died_at;       /* idle at a death seen while idle, else -1 */
	int err;              /* errno of a failure or a death */
	int ttl;              /* the killing segment's TTL, -1 unknown */
	struct probe_http http;
	char why[96];         /* a failure's reason */
};

struct probe_trial_env {
	const struct probe_opts *o;
	double wait_s;
	char req[512];
	size_t reqlen;
};

/* Start connecting; 0 or -errno (then st is TRIAL_FAILED). */
int probe_trial_start(struct probe_trial *t, const struct probe_trial_env *e, double now);
/* poll() events for it (0: none wanted) and when it next needs a look. */
short probe_trial_events(const struct probe_trial *t, const struct probe_trial_env *e);
double probe_trial_wake(const struct probe_trial *t, const struct probe_trial_env *e);
/* Advance on revents (0 on a timer). */
void probe_trial_step(struct probe_trial *t, const struct probe_trial_env *e, short revents, double now);
void probe_trial_close(struct probe_trial *t);

/* report.c */
struct probe_result {
	const struct probe_opts *o;
	struct probe_bracket b;
	bool converged;
	unsigned rounds, trials, moot, failed, conflicts;
	unsigned deaths_idle;       /* deaths seen while idle */
	double death_spread;        /* max - min of those idles */
	double wait_s, wall_s;
	const char *sender;         /* peer, path, unknown */
	char evidence[512];
};
void probe_report_trial(FILE *f, const struct probe_opts *o, const struct probe_trial *t);
void probe_report_result(FILE *f, const struct probe_result *r);

double probe_now(void);

#endif
