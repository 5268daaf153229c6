/* verdict: what rstscope concludes about one RST, and about a capture.
 *
 * The names tables are the output interface (JSON values, docs/output.md):
 * change them only on purpose. */
#ifndef RSTSCOPE_VERDICT_H
#define RSTSCOPE_VERDICT_H
#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

enum rst_kind {
	KIND_REFUSED,      /* answers a SYN */
	KIND_HANDSHAKE,    /* during the handshake, not answering a SYN */
	KIND_ESTABLISHED,  /* on an established connection */
	KIND_AFTER_FIN,    /* after a FIN was seen on the flow */
	KIND_AFTER_RST,    /* a follow-up RST after an earlier one */
	KIND_NO_STATE,     /* the flow was seen only from the RST */
	KIND__COUNT
};

enum rst_role { ROLE_CLIENT, ROLE_SERVER, ROLE_UNKNOWN, ROLE__COUNT };

enum rst_forged { FORGED_GENUINE, FORGED_FORGED, FORGED_UNKNOWN, FORGED__COUNT };

enum rst_shape {
	SHAPE_IDLE_THEN_RESET, /* first segment after an idle gap got the RST */
	SHAPE_MID_TRANSFER,    /* data flowing or in flight */
	SHAPE_AFTER_CLOSE,     /* after a FIN or an early final response */
	SHAPE_AT_HANDSHAKE,    /* answers a SYN or right after the handshake */
	SHAPE_OTHER,           /* none of these (e.g. a quiet, not idle flow) */
	SHAPE__COUNT
};

enum rst_cause {
	CAUSE_IDLE_REAP, CAUSE_PEER_RESTART, CAUSE_UNREAD_CLOSE, CAUSE_MIDDLEBOX,
	CAUSE_OVERLOAD, CAUSE_REFUSED, CAUSE_SIZE_LIMIT, CAUSE_TLS,
	CAUSE_DELIBERATE_ABORT, CAUSE_LOSS_MTU, CAUSE_UNKNOWN, CAUSE__COUNT
};

/* What this host's kernel said about an RST (watch): nothing asked, neither
 * end local, its tcp_send_reset found, claimed a local sender but never
 * sent, no event while events were lost, a local socket took it
 * (tcp_receive_reset), to a local address but no socket took it. */
enum rst_kernel {
	RK_UNCHECKED, RK_NOT_LOCAL, RK_SENT, RK_NOT_SENT, RK_UNSURE, RK_RECEIVED,
	RK_NOT_RECEIVED, RK__COUNT
};

enum tls_stage {
	TLS_NONE,          /* no TLS seen */
	TLS_CLIENT_HELLO,  /* ClientHello sent, no ServerHello */
	TLS_SERVER_HELLO,  /* ServerHello seen, handshake not finished */
	TLS_ESTABLISHED,   /* application data seen */
	TLS__COUNT
};

extern const char *const rst_kind_name[KIND__COUNT];
extern const char *const rst_role_name[ROLE__COUNT];
extern const char *const rst_forged_name[FORGED__COUNT];
extern const char *const rst_shape_name[SHAPE__COUNT];
extern const char *const rst_cause_name[CAUSE__COUNT];
extern const char *const rst_cause_fix[CAUSE__COUNT];
extern const char *const rst_cause_title[CAUSE__COUNT];
extern const char *const tls_stage_name[TLS__COUNT];
extern const char *const rst_kernel_name[RK__COUNT];


/* Two-point correlation of one RST (analyze --correlate): which of the
 * captures of the same traffic, in path order from the client side
 * (index 0 nearest the client), saw it. Bits of `seen` and `absent` are
 * capture indices; a capture in neither did not cover the flow then. */
#define CORR_MAX 8
struct rst_corr {
	uint8_t n;              /* captures correlated; 0: no correlation run */
	uint8_t self;           /* the capture this RST was read from */
	uint8_t seen, absent;   /* saw this RST / saw the flow then but not it */
	const char *const *files; /* the n captures' names (not owned) */
};

/* The final verdict on one RST. Fixed size; strings are NUL-terminated. */
struct rst_verdict {
	/* where */
	const char *file;       /* the input's name as given (not owned) */
	uint64_t frame;         /* 1-based frame number in its file */
	int64_t ts_ns;          /* capture time, ns since the epoch */
	uint64_t flow_id;       /* engine-wide flow number, for --explain */
	/* the packet */
	struct ipaddr src, dst;
	uint16_t sport, dport;
	uint8_t ipver, ttl, flags;
	uint16_t ipid;
	uint32_t seq, ack;
	uint32_t payload_len;
	char payload_text[64];  /* printable prefix of an RST's payload, if any */
	/* judgement */
	enum rst_kind kind;
	enum rst_role sender_role;
	enum rst_forged forged;
	char forged_evidence[256];
	enum rst_shape shape;
	double idle_gap_s;      /* < 0: none (JSON null) */
	double reap_gap_s;      /* the silence a reaping hop timed out on (< 0: none):
	                         * the gap before the server's FIN, else idle_gap_s */
	uint64_t bytes_in_flight;
	uint32_t cluster_size;  /* flows of this endpoint reset in the window (1: alone) */
	/* application context */
	char http_method[12];   /* "" when no HTTP request seen */
	uint32_t http_prior_requests; /* requests the connection carried before */
	uint16_t http_last_status;    /* 0: none */
	bool http_expect_100;
	bool http_request_unanswered; /* the request that was reset had no response */
	enum tls_stage tls;
	/* two-point correlation (n == 0: none) */
	struct rst_corr corr;
	/* cause */
	enum rst_cause cause;
	const char *cause_rule; /* the id of the rule that decided it (`rstscope rules`); NULL: none */
	char cause_evidence[256];
	/* the kernel's view (watch); kernel_reason "" when no event matched */
	char kernel_reason[32];
	bool kernel_checked;    /* watch looked for the event (absence is evidence) */
	enum rst_kernel kernel; /* what it found */
	bool kernel_only;       /* a kernel reset no capture showed (frame 0, file NULL) */
	bool by_closer;         /* pid is the task that closed the socket */
	char kernel_state[16];  /* the socket's state the kernel printed ("" none) */
	int pid;                /* -1: unknown */
	char comm[17];
	uint64_t netns;         /* the owner's network namespace inode (0: unknown) */
	char cgroup[160];       /* its cgroup ("" unknown) */
	char container[80];     /* the container that implies ("" none) */
	bool owner_gone;        /* the owner had exited when its reset was read */
	/* the host event behind it: the owner (or its cgroup) OOM-killed then
	 * (oom_pid 0: none) */
	int oom_pid;
	char oom_comm[17];
	char oom_cgroup[160];
	uint64_t oom_limit;     /* bytes; 0: none or unknown */
	/* or the listener that sent it overflowing then (the host's counters;
	 * overflow_drops 0: none) */
	uint64_t overflow_drops;
	double overflow_rate, overflow_interval_s;
};

/* ---- the per-capture diagnosis ---- */

#define DIAG_EXAMPLES 3
#define DIAG_GAPS_MAX 8192
#define DIAG_TIMEOUTS_MAX 8

struct diag_example {
	const char *file;
	uint64_t frame;
	char flow[112];          /* "a:p > b:p" */
};

struct diag_cause {
	enum rst_cause id;
	uint64_t count;
	double confidence;       /* mean of the per-RST confidences, 0..1 */
	double conf_sum;
	unsigned n_examples;
	struct diag_example ex[DIAG_EXAMPLES];
};

/* A host finding (rstscope host's, sampled by watch) as evidence: a cause
 * with resets that a finding bears on is corroborated (its confidence
 * raised by DIAG_HOST_WEIGHT, the finding named beside it). */
#define DIAG_HOST_MAX 16
#define DIAG_HOST_WEIGHT 0.5
struct diag_host {
	char name[24];           /* the finding's id: "listen-overflow", ... */
	enum rst_cause cause;    /* the cause it bears on; CAUSE__COUNT: none */
	char where[96];          /* "listener 10.0.0.2:80", "pid 42 (app)", "" host-wide */
	uint64_t netns;          /* 0: host-wide or unknown */
	uint64_t count;          /* events over its intervals */
	double max_rate;         /* per second, the highest interval */
	unsigned intervals;
	int64_t first_ns, last_ns;
};

struct diag_timeout {
	double lo_s, hi_s;       /* the clustered idle gaps span [lo, hi] */
	uint64_t count;
	double survived_s;       /* the longest silence a reused connection survived
	                          * below lo_s (< 0: none seen) */
	bool consistent;         /* no reuse survived a silence of lo_s or more */
};

/* Survived silences, in buckets 1 % wide from 1 s up (about 1160 buckets to
 * a day): enough to bound a timeout, at a fixed size. */
#define DIAG_SURV_BUCKETS 1200

struct diagnosis {
	uint64_t resets;
	uint64_t by_kind[KIND__COUNT];
	uint64_t by_forged[FORGED__COUNT];
	struct diag_cause causes[CAUSE__COUNT];   /* indexed by enum rst_cause */
	enum rst_cause rank[CAUSE__COUNT];        /* after diagnosis_finish: best first */
	unsigned n_causes;                        /* causes with count > 0 */
	/* idle gaps of idle-then-reset RSTs, for the reaping timeout estimate */
	double gaps[DIAG_GAPS_MAX];
	unsigned n_gaps;
	uint64_t gaps_dropped;
	struct diag_timeout timeouts[DIAG_TIMEOUTS_MAX];
	unsigned n_timeouts;
	uint32_t survived[DIAG_SURV_BUCKETS];
	uint64_t n_survived;
	/* keep-alive races: a client request crossing the server's FIN */
	uint64_t races;
	double race_gap_ms_min, race_gap_ms_max;
	struct diag_example race_ex[DIAG_EXAMPLES];
	/* non-idempotent requests reset on a reused connection */
	uint64_t risky;
	struct diag_example risky_ex[DIAG_EXAMPLES];
	char risky_method[DIAG_EXAMPLES][12];
	uint64_t clustered;                       /* RSTs in a cluster */
	unsigned max_cluster;
	/* what the host's counters said meanwhile (watch samples them): each
	 * finding where it happened, summed over the intervals it held in */
	struct diag_host host[DIAG_HOST_MAX];
	unsigned n_host;
	uint64_t host_dropped;                    /* findings beyond DIAG_HOST_MAX */
};

void diagnosis_init(struct diagnosis *d);
/* Count one final verdict; race_gap_ms < 0 when it was no keep-alive race. */
void diagnosis_add(struct diagnosis *d, const struct rst_verdict *v, double confidence,
		   double race_gap_ms);
/* A connection reused after `gap_s` of silence and answered (no RST). */
void diagnosis_survived(struct diagnosis *d, double gap_s);
/* A host finding of one sampled interval ending at ts_ns (see diag_host). */
void diagnosis_host(struct diagnosis *d, const char *name, enum rst_cause cause,
		    const char *where, uint64_t netns, uint64_t count, double rate, int64_t ts_ns);
/* Add d (another capture's, or another run's) to into, as if its resets
 * had been counted there after into's own: counts and confidence sums
 * added, examples kept up to DIAG_EXAMPLES in that order, idle gaps
 * appended up to DIAG_GAPS_MAX, survived silences and host findings
 * summed. Then diagnosis_finish(into) ranks the whole. */
void diagnosis_merge(struct diagnosis *into, const struct diagnosis *d);
/* The first host finding that bears on cause c, or NULL. */
const struct diag_host *diagnosis_host_for(const struct diagnosis *d, enum rst_cause c);
/* Rank the causes and estimate idle timeouts; call once, at the end. */
void diagnosis_finish(struct diagnosis *d);
/* "a:p > b:p" for a verdict. */
void verdict_flow_str(const struct rst_verdict *v, char *buf, size_t size);

#endif
