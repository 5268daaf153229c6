/* probe: measure a path's idle timeout and how it ends an idle connection,
 * by opening connections to one target, leaving each idle for a different
 * time (each on its own 5-tuple, so none refreshes another's state in a
 * middlebox) and then sending on it. Rounds narrow the bracket
 * [longest idle survived, shortest idle that died] to PROBE_TOL_REL of it
 * or PROBE_TOL_ABS_S, whichever is larger, within a time budget of about
 * --max.
 *
 * Layers, each its own file: target.c (resolve and refuse), plan.c (the
 * schedule and the bracket: pure, no sockets), tcpinfo.c (what the kernel
 * says about a socket), trial.c (one connection's state machine), capture.c
 * (TTLs of the target's segments through libpcap, when allowed), run.c (the
 * poll loop that drives the trials and the plan), report.c (text and JSON).
 *
 * Usage from the CLI: fill struct probe_opts (probe_opts_init, then
 * probe_target_resolve), then probe_run(). */
#ifndef RSTSCOPE_PROBE_H
#define RSTSCOPE_PROBE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Bounds of the options (documented in docs/probe.md and --help). */
#define PROBE_DEFAULT_MAX_S    120.0
#define PROBE_MAX_MAX_S        3600.0
#define PROBE_MIN_MAX_S        1.0
#define PROBE_DEFAULT_PARALLEL 16u
#define PROBE_MAX_PARALLEL     64u
#define PROBE_MIN_IDLE_S       0.25   /* the shortest idle of round 1 */
#define PROBE_TOL_REL          0.05   /* the bracket's goal: 5 % of it ... */
#define PROBE_TOL_ABS_S        0.2    /* ... or 0.2 s, whichever is larger */
#define PROBE_MAX_ROUNDS       8u
#define PROBE_CONNECT_TIMEOUT_S 5.0
#define PROBE_WAIT_MIN_S       1.0    /* unanswered data: silent after this ... */
#define PROBE_WAIT_MAX_S       10.0   /* ... or 8 handshake RTTs, at most this */
#define PROBE_ADDR_STRLEN      80

/* --- the target ----------------------------------------------------------- */

struct probe_target {
	struct sockaddr_storage sa;
	socklen_t len;
	char host[64];                 /* as given (for the Host header) */
	char text[PROBE_ADDR_STRLEN];  /* numeric "a.b.c.d:p" or "[v6]:p" */
};

/* Why an address may not be probed, or PROBE_ADDR_OK. */
enum probe_addr_verdict {
	PROBE_ADDR_OK = 0,
	PROBE_ADDR_UNSPECIFIED,  /* 0.0.0.0/8, :: */
	PROBE_ADDR_MULTICAST,    /* 224.0.0.0/4, ff00::/8 */
	PROBE_ADDR_BROADCAST,    /* 255.255.255.255 or a local interface's broadcast */
};
const char *probe_addr_verdict_name(enum probe_addr_verdict v);

/* The fixed rules on one address (v4-mapped IPv6 is judged as IPv4). */
enum probe_addr_verdict probe_addr_check(const struct sockaddr *sa);

/* Parse "HOST:PORT" or "[V6]:PORT", resolve HOST with getaddrinfo (names or
 * numbers, IPv4 or IPv6: the first usable answer) and refuse what
 * probe_addr_check refuses or what is a broadcast address of a local
 * interface. Returns 0; -2 (a bad argument, err says why) or -4 (could
 * not resolve). */
int probe_target_resolve(struct probe_target *t, const char *arg, char *err, size_t errsz);

/* --- options ---------------------------------------------------------------- */

struct probe_opts {
	struct probe_target target;
	double max_s;        /* the longest idle tried and the run's time budget */
	unsigned parallel;   /* connections open at once, at most */
	bool http;           /* keep-alive GETs instead of one acknowledged byte */
	double wait_s;       /* 0: derived from the handshake RTT */
	bool json;
	const char *user;    /* -Z: become this user once the capture is open */
};

void probe_opts_init(struct probe_opts *o);

/* --- the plan: schedule and bracket (pure) ------------------------------- */

enum probe_outcome {
	PROBE_ALIVE,    /* its data after the idle was acknowledged (answered) */
	PROBE_RST,      /* reset, while idle or answering the data */
	PROBE_FIN,      /* the other end closed it (read returned 0) */
	PROBE_SILENT,   /* nothing acknowledged or answered the data in time */
	PROBE_OUTCOME__COUNT
};
const char *probe_outcome_name(enum probe_outcome o);

/* The bracket of the idle timeout: alive after `survived` seconds of idle
 * (0 when no trial survived yet), dead after `died` (has_died false: no
 * trial died yet). A death seen while the connection was still idle is an
 * active reaper (a FIN or RST at the timeout): `died` is then when it came,
 * a direct measurement. */
struct probe_bracket {
	double survived;
	double died;
	bool has_died;
	bool died_while_idle;
	enum probe_outcome death;     /* of the shortest death */
};

/* The bracket's goal width for an upper end of d seconds. */
double probe_tolerance(double d);
/* Narrow enough (or no death seen: nothing to narrow)? */
bool probe_bracket_done(const struct probe_bracket *b);
/* Fold one trial in: planned idle `idle`, its outcome, and `at` the idle
 * after which it died if it died while still idle (< 0 otherwise). */
void probe_bracket_add(struct probe_bracket *b, double idle, enum probe_outcome o, double at);
/* The estimate: the direct measurement of an active reaper, else the
 * bracket's middle; < 0 when nothing died. */
double probe_bracket_estimate(const struct probe_bracket *b);

struct probe_plan {
	double max_s;
	double wait_s;      /* what a send costs beyond the idle (silence bound) */
	double deadline;    /* run-relative seconds: no trial may end after it */
	unsigned parallel;
	unsigned round;     /* the last round planned, 1-based */
	struct probe_bracket b;
};

void probe_plan_init(struct probe_plan *p, double max_s, unsigned parallel, double wait_s);
/* The idles of the next round, started at run-relative time `now`, into
 * idle[] (room for p->parallel); returns how many (0: the run is over:
 * converged, no room in the budget or PROBE_MAX_ROUNDS reached). Round 1
 * spreads them geometrically from PROBE_MIN_IDLE_S to max_s; later rounds
 * evenly inside the bracket, no more than its width needs, and only as
 * long as fits before the deadline. */
size_t probe_plan_next(struct probe_plan *p, double now, double *idle);
/* May a pending trial with this planned idle stop? (the bracket already
 * says how it would end: longer than a death, or shorter than a survival) */
bool probe_plan_moot(const struct probe_plan *p, double idle);

/* --- a run --------------------------------------------------------------- */

/* Probe until the plan is over; trials and the result go to stdout (text
 * or JSON lines), progress to stderr on a terminal. Returns an RS_EXIT_*
 * value: 0 measured (or nothing died within max_s), 4 runtime failure
 * (cannot connect: said why). */
int probe_run(const struct probe_opts *o);

#endif
