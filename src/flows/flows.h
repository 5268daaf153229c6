/* flows: bidirectional TCP flow state by 5-tuple, and per-host baselines.
 *
 * Fixed-size state per flow (no packet lists). The table uses open
 * addressing over indices into a pool; flows sit on one of two
 * recency lists (open, closed) so the idlest is found in O(1) for expiry
 * and for eviction when the cap is reached. A flow with pending RST
 * verdicts (pin > 0) is never expired or evicted.
 *
 * A flow that has seen only its SYN (and the SYN-ACK, and retransmissions
 * of either) is an embryo, kept in a compact form of its own: a SYN
 * flood's half-open flows cost a third of a full flow's memory. The first
 * other segment promotes it to the full state it would have had, so no
 * detector ever sees an embryo; embryos count as flows everywhere (the
 * cap, eviction, expiry, the stats). */
#ifndef RSTSCOPE_FLOWS_H
#define RSTSCOPE_FLOWS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define FLOW_TTL_SLOTS 4
#define FLOW_NONE UINT32_MAX

/* A small histogram of the TTLs (hop limits) a sender used. */
struct ttl_hist {
	uint8_t val[FLOW_TTL_SLOTS];
	uint32_t cnt[FLOW_TTL_SLOTS];
};
/* Count ttl in h; true when it was not there before. */
bool ttl_hist_add(struct ttl_hist *h, uint8_t ttl);
bool ttl_hist_empty(const struct ttl_hist *h);

/* One direction of a flow: what its sender did. */
struct flow_dir {
	int64_t last_ns, last_data_ns, fin_ns;
	uint64_t bytes;
	uint32_t pkts, retrans;
	uint32_t next_seq;      /* highest seq + len (+1 for SYN/FIN) sent */
	uint32_t max_ack;       /* highest ACK sent */
	uint32_t last_data_ack; /* ACK field of its last data segment */
	uint32_t fin_seq;
	uint32_t isn;           /* its SYN's sequence number (valid when syn) */
	uint16_t after_rst_data; /* data segments sent after this side's own RST */
	uint32_t rst_first_ack; /* ACK number of its first RST */
	uint16_t rsts;          /* RSTs it sent */
	uint8_t rst_ack_varied; /* its RSTs carried different ACK numbers (a burst) */
	uint16_t ipid_nonzero;  /* packets with a non-zero IP ID (saturating) */
	struct ttl_hist ttl;    /* non-RST packets only */
	uint8_t syn : 1, synack : 1, fin : 1, seq_valid : 1, ack_valid : 1;
};

/* HTTP/1.x and TLS context, read from the first bytes of segments. */
struct flow_app {
	char method[12];        /* the current (last) request's method */
	uint32_t requests;      /* requests seen on the connection */
	uint32_t responses;
	uint16_t last_status;
	uint8_t expect_100 : 1, is_http : 1, is_tls : 1, tls_stage : 2;
	int64_t last_response_ns;
	uint64_t req_body_start;   /* client bytes when the current request began */
};

enum flow_state { FS_SYN, FS_SYNACK, FS_ESTABLISHED, FS_CLOSED };

struct flow {
	struct ipaddr a, b;     /* a: the side of the first packet seen */
	uint16_t pa, pb;
	uint32_t hash;
	uint32_t next, prev;    /* recency list links (pool indices) */
	uint64_t id;            /* engine-wide number, bumps when a tuple is reused */
	int64_t last_ns;        /* last packet, either direction */
	int64_t idle_gap_ns;    /* the last silence >= the idle threshold ... */
	int64_t idle_end_ns;    /* ... and the packet that ended it */
	uint8_t last_data_dir;  /* direction of the last data segment, 2: none yet */
	uint32_t lru_sec;       /* capture second of its last move in the recency list */
	uint8_t client;         /* index of the client direction (0 or 1) */
	uint8_t role_known : 1, closed_list : 1, used : 1;
	uint8_t reuse_pending : 1, reuse_dir : 1; /* data ended a silence: is it answered? */
	uint8_t state;          /* enum flow_state */
	uint16_t pin;           /* pending RST verdicts that refer to this flow */
	uint32_t rsts;
	uint8_t first_rst_cause; /* the cause given to the flow's first RST */
	uint8_t first_rst_cause_set;
	int64_t est_ns;         /* the handshake completed */
	int64_t fin_gap_ns[2];  /* the silence before each direction's FIN */
	struct flow_dir d[2];
	struct flow_app app;
};

struct flow_table_stats {
	uint64_t created, evicted, expired, open, peak, host_overflow;
};

struct flow_table;

/* max_flows caps the live flows; idle_expire_s and closed_expire_s age them;
 * idle_min_s is the engine's idle gap (embryos track it as the engine does);
 * without `embryos` every flow is full from its first segment. */
struct flow_table *flow_table_new(size_t max_flows, double idle_expire_s, double closed_expire_s,
				  double idle_min_s, bool embryos);
void flow_table_free(struct flow_table *t);

/* Find the flow of v's 5-tuple, whose flow_hash() is `hash`, or create it
 * (evicting the idlest unpinned flow at the cap). *dir is set to the
 * direction of v within the flow and *created to whether it is new.
 * A segment an embryo records by itself (a SYN that starts a flow, its
 * SYN-ACK, their retransmissions) is recorded, with all the engine would
 * do with it (the host's TTLs, idle gaps, the recency list): NULL with
 * *absorbed set. Otherwise NULL only when every flow is pinned (or no
 * memory is left). */
struct flow *flow_lookup(struct flow_table *t, const struct tcp_view *v, uint32_t hash,
			 int64_t now_ns, int *dir, bool *created, bool *absorbed);
/* v's tuple hash (both directions alike). */
uint32_t flow_hash(const struct tcp_view *v);
/* Hints for a lookup soon: bring the hash's slots, then its flow, into the
 * cache. They change nothing; a batch overlaps its memory latencies. */
void flow_prefetch_slot(const struct flow_table *t, uint32_t hash);
void flow_prefetch_flow(const struct flow_table *t, uint32_t hash);
/* The same two steps for the host of a: its index slot, then (once that
 * has arrived) its entry. Only hints: nothing is read that matters. */
void host_prefetch_slot(const struct flow_table *t, const struct ipaddr *a);
void host_prefetch_entry(const struct flow_table *t, const struct ipaddr *a);
/* Start over on the same tuple (a new SYN on a closed flow). */
void flow_restart(struct flow_table *t, struct flow *f, const struct tcp_view *v);
/* Mark the flow used at now_ns: moves it to the tail of its recency list,
 * at most once per capture second (the order is kept to the second, which
 * expiry and eviction need, without relinking on every packet). */
void flow_touch_move(struct flow_table *t, struct flow *f, bool closed, int64_t now_ns);
static inline void flow_touch(struct flow_table *t, struct flow *f, bool closed, int64_t now_ns)
{
	/* (most segments: already moved this second, on the same list) */
	if (f->closed_list == closed && f->lru_sec == (uint32_t)(now_ns / 1000000000))
		return;
	flow_touch_move(t, f, closed, now_ns);
}
/* Expire idle flows as of now_ns (bounded work per call). */
void flow_expire(struct flow_table *t, int64_t now_ns);
struct flow *flow_get(struct flow_table *t, uint32_t idx);
uint32_t flow_index(const struct flow_table *t, const struct flow *f);
const struct flow_table_stats *flow_table_stats(const struct flow_table *t);

/* Per host (address): the TTLs it sent with, over all its flows, and its
 * recent resets for cluster detection. */
#define HOST_RECENT 32
struct host_resets {                    /* allocated at a host's first RST */
	uint32_t pos, len;
	int64_t ns[HOST_RECENT];        /* recent RSTs it sent (capture time) */
	uint64_t flow[HOST_RECENT];
	uint16_t port[HOST_RECENT];     /* from this port (the service) */
	int64_t gap[HOST_RECENT];       /* the silence it ended or answered (-1: none) */
};
struct host {
	struct ipaddr addr;
	struct ttl_hist ttl;            /* non-RST packets it sent, all flows */
	struct host_resets *resets;
};
/* The flow table's hosts (hosts.c): the hosts in a dense array, in order
 * of first sight, behind an index of 4-byte open-addressing slots at most
 * half full, so a flood of distinct sources costs a struct host and 8 to
 * 16 bytes of index a source. At most HOST_MAX hosts. */
#define HOST_MAX (1u << 17)
struct host_table {
	struct host *v;
	uint32_t *slot;                 /* an index into v, or FLOW_NONE */
	uint32_t mask, used, cap;
};
bool host_table_init(struct host_table *ht);    /* false: no memory */
void host_table_release(struct host_table *ht); /* frees what it holds */
/* The host of a; created when `create` and not there. NULL: not there, or
 * (create) HOST_MAX hosts held or no memory. A pointer stays valid until
 * the next call that creates. */
struct host *host_table_get(struct host_table *ht, const struct ipaddr *a, bool create);
/* Hints: a's index slot into the cache, then (once it arrived) its entry. */
void host_table_prefetch_slot(const struct host_table *ht, const struct ipaddr *a);
void host_table_prefetch_entry(const struct host_table *ht, const struct ipaddr *a);
/* Record an RST `h` sent from `port` on flow `flow_id` at `ns`, which ended
 * or answered a silence of gap_ns (-1: none); false on no memory. */
bool host_note_reset(struct host *h, int64_t ns, uint64_t flow_id, uint16_t port, int64_t gap_ns);
/* Flows other than flow_id that `h` reset from `port` within `window_ns` of
 * `ns`. When same_gap is not NULL it gets how many of them reset after a
 * silence within tol_ns of gap_ns (gap_ns >= 0). */
unsigned host_resets_near(const struct host *h, int64_t ns, int64_t window_ns, uint64_t flow_id,
			  uint16_t port, int64_t gap_ns, int64_t tol_ns, unsigned *same_gap);
/* host_table_get() on t's hosts; a host it could not create counts in the
 * stats' host_overflow. */
struct host *host_get(struct flow_table *t, const struct ipaddr *a, bool create);

#endif
