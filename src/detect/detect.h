/* detect: the detectors. Each reads flow state and fills part of a pending
 * RST's verdict, in table order: kind, shape, context, kernel, sender,
 * cluster, cause. A detector is a file plus one line in detect_table (detect.c).
 *
 * on_packet runs on the first data segment of each side's turn (the
 * first after the other side's data), after the flow's state is updated; on_rst when an RST is seen, before the flow records it; and
 * on_final when the verdict's horizon has passed. `f` is NULL in on_final
 * when the flow is gone (restarted by a new SYN): detectors then use what
 * they saved in the pending record. */
#ifndef RSTSCOPE_DETECT_H
#define RSTSCOPE_DETECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "engine/engine.h"
#include "flows/flows.h"
#include "kernel/kernel.h"
#include "verdict/verdict.h"

struct pending_rst {
	struct rst_verdict v;
	int64_t horizon_ns;
	int64_t clock_ns;          /* the engine's clock at the RST (v.ts_ns is the
	                            * packet's own time, which can go backwards) */
	uint32_t flow_idx;
	uint8_t sdir;              /* the RST's direction within its flow */
	uint8_t flow_created;      /* the flow began with this RST */
	struct ttl_hist base_ttl;  /* the sender's TTLs in the flow at the RST */
	uint16_t base_ipid_nonzero;
	uint32_t expect_seq;       /* sender's next sequence number at the RST */
	uint8_t expect_seq_valid;
	double confidence;         /* of the cause, 0..1 */
	double sender_conf;        /* of the forged verdict, 0..1 */
	double race_gap_ms;        /* < 0: no keep-alive race */
	int64_t fin_ns;            /* the receiver's FIN before the RST, 0: none */
	uint8_t provoked_by_data;  /* the receiver's data came right before */
	uint8_t provoking_acks_fin;/* that data acknowledged the sender's FIN */
	uint8_t idle_before_fin;   /* the flow was idle before the sender's FIN ... */
	double fin_gap_s;          /* ... for this long */
	int64_t provoked_ns;       /* the receiver's last data before the RST */
	uint64_t peer_body_bytes;  /* receiver's bytes in the current request */
	uint32_t retrans;          /* retransmissions in the flow before the RST */
	uint8_t completed_close;   /* both FINs sent and acknowledged before the RST */
	uint8_t acked_reuse;       /* the receiver's data ended a silence and the
	                            * sender acknowledged it, sending no data since */
	int64_t reuse_ns;          /* ... when that data came */
	int64_t quiet_since_ns;    /* ... and the sender's last data (or the silence's
	                            * start) before it: when its idle timer began */
	uint8_t cluster_one_timer; /* its cluster's resets all came after the same silence */
};

struct detect_env {
	struct flow_table *ft;
	const struct engine_opts *o;
	struct kstore *ks;         /* the kernel's resets; NULL: no kernel source */
};

struct detector {
	const char *name;
	void (*on_packet)(const struct detect_env *env, struct flow *f, int dir,
			  const struct tcp_view *v, int64_t ts_ns);
	void (*on_rst)(const struct detect_env *env, struct pending_rst *p, struct flow *f,
		       const struct tcp_view *v);
	void (*on_final)(const struct detect_env *env, struct pending_rst *p, struct flow *f);
};

extern const struct detector detect_kind, detect_shape, detect_context, detect_kernel,
	detect_sender, detect_cluster, detect_cause;

/* A pending record for a kernel reset that no wire RST claimed (kernel.c):
 * no frame, no flow; kind and shape from the kernel's reason and socket
 * state, the kernel's word in the verdict. The detectors' on_final then
 * judge it like any other. */
void detect_kernel_pending(struct pending_rst *p, const struct kernel_reset *r);
extern const struct detector *const detect_table[];
extern const unsigned detect_count;

/* ---- the cause decision: an ordered table of rules (cause_rules.c) ----
 *
 * The first rule whose predicate holds gives the RST its cause, confidence
 * and evidence. Facts are computed once per RST from what the detectors
 * before cause decided; predicates only read them. */
struct cause_facts {
	const struct rst_verdict *v;
	const struct pending_rst *p;
	bool first_cause_known;     /* the flow's first RST had a cause ... */
	enum rst_cause first_cause; /* ... this one */
	bool restart_refused;       /* refused soon after resets of the same service */
	bool answered_error;        /* the server answered >= 400, no request open */
	bool big_body;              /* a request body past a size limit */
	bool cluster;               /* enough flows of the service reset together */
	bool keepalive_unread;      /* the server's idle timer fired on an acked reuse */
	double timer_s;             /* ... that long after it went quiet */
	double unread_ms;           /* ... with the request that long in its queue */
	double cluster_window_s;
};

#define RULE_CAUSE_FIRST CAUSE__COUNT /* the cause of the flow's first RST */
#define RULE_CONF_SENDER (-1.0)       /* the sender verdict's confidence */
enum rule_reap { REAP_IDLE, REAP_FIN, REAP_TIMER }; /* which silence a reaper timed */

struct cause_rule {
	const char *id;             /* stable, in docs/output.md */
	unsigned cause;             /* enum rst_cause, or RULE_CAUSE_FIRST */
	double confidence;          /* 0..1, or RULE_CONF_SENDER */
	bool race;                  /* counts as a keep-alive race */
	enum rule_reap reap;        /* the gap an idle-timeout estimate uses */
	bool (*when)(const struct cause_facts *x);
	/* the evidence sentence */
	void (*why)(const struct cause_facts *x, char *buf, size_t size);
	const char *doc;            /* the predicate in words */
};
extern const struct cause_rule cause_rules[];
extern const unsigned cause_rule_count;
/* The rule that decides facts x (the last rule always holds). */
const struct cause_rule *cause_rule_match(const struct cause_facts *x);

/* Thresholds the rules name (docs/output.md lists them with the rules). */
#define RULE_RESTART_REFUSED_S 30.0    /* refused this soon after the service's resets */
#define RULE_RETRANS_MIN 3             /* retransmissions that mean a lossy path */
#define RULE_BODY_LIMIT_413 (64u << 10) /* body read before a 413: a size limit */
#define RULE_BODY_BIG (1u << 20)       /* body past this: a size limit, any status */
#define RULE_UNREAD_MAX_S 2.0          /* an acked reuse this long before the RST */
#define RULE_ONE_TIMER_PCT 1.0         /* silences this close (%, or ... */
#define RULE_ONE_TIMER_MIN_S 0.2       /* ... this many s) are one timer's */

/* The thresholds above, for docs/output.md ("rstscope rules"). */
struct cause_threshold {
	const char *name;
	double value;
	const char *unit, *meaning;
};
extern const struct cause_threshold cause_thresholds[];
extern const unsigned cause_threshold_count;

/* Shared helpers. Serial-number comparison (RFC 1982) for 32-bit seq. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
/* The initial TTL a stack most likely used (32, 64, 128, 255). */
static inline unsigned ttl_initial(unsigned ttl)
{
	return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}
/* Unacknowledged bytes sent by direction `from` of f. */
uint64_t flow_unacked(const struct flow *f, int from);

#endif
