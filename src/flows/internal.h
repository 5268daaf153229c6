/* flows/internal.h: the flow table's layout and the primitives its two files
 * share (flows.c: the table, the lookup, expiry; embryo.c: half-open flows
 * kept small). Private to src/flows: other stages use flows/flows.h. */
#ifndef RSTSCOPE_FLOWS_INTERNAL_H
#define RSTSCOPE_FLOWS_INTERNAL_H

#include "flows/flows.h"

/* A slot or list index with this bit is an embryo's (t->emb), else a
 * full flow's (t->pool); FLOW_NONE is neither. */
#define EMB_BIT 0x80000000u

/* An embryonic flow: what the full state of a flow that has seen only its
 * SYN (and its retransmissions) and the SYN-ACK (and its) would hold, so
 * that promotion rebuilds exactly that state. A SYN flood's half-open
 * flows stay embryos: 128 bytes instead of a struct flow's 384. */
struct flow_embryo {
	struct ipaddr a, b;       /* a: the SYN's sender (the client) */
	uint16_t pa, pb;
	uint32_t hash;
	uint32_t next, prev;      /* the recency list, shared with full flows */
	uint64_t id;
	int64_t last_ns;          /* last packet, either direction */
	int64_t last0_ns, last1_ns;
	int64_t idle_gap_ns, idle_end_ns;
	uint32_t isn;             /* the SYN's sequence number */
	uint32_t seq1, ack1;      /* the SYN-ACK's (has1) */
	uint32_t cnt0, cnt1;      /* packets (all with the TTL below) */
	uint32_t lru_sec;
	uint16_t ipid0, ipid1;    /* packets with a non-zero IPv4 ID (saturating) */
	uint8_t ttl0, ttl1;
	uint8_t has1 : 1, reuse_dir : 1, used : 1;
};

struct flow_table {
	struct flow *pool;
	uint32_t pool_cap, pool_used, free_head;
	struct flow_embryo *emb;
	uint32_t emb_cap, emb_used, emb_free;
	uint32_t *slots;          /* pool index or FLOW_NONE; size mask + 1 */
	uint32_t *tags;           /* the flow's hash beside each slot: probes skip
	                           * other flows without touching them */
	uint32_t mask;
	uint32_t max_flows;
	uint32_t head[2], tail[2]; /* recency lists: 0 open, 1 closed */
	int64_t idle_expire_ns, closed_expire_ns, idle_min_ns;
	bool embryos;
	uint64_t next_id;
	struct flow_table_stats st;
	struct host_table hosts;
};

/* Nodes: full flows and embryos behind one index. */

static inline struct flow_embryo *emb_of(struct flow_table *t, uint32_t i)
{
	return &t->emb[i & ~EMB_BIT];
}

static inline uint32_t *node_next(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? &emb_of(t, i)->next : &t->pool[i].next;
}

static inline uint32_t *node_prev(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? &emb_of(t, i)->prev : &t->pool[i].prev;
}

static inline int node_list(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? 0 : t->pool[i].closed_list;   /* an embryo is never closed */
}

static inline int64_t node_last_ns(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? emb_of(t, i)->last_ns : t->pool[i].last_ns;
}

static inline uint16_t node_pin(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? 0 : t->pool[i].pin;   /* an RST promotes an embryo first */
}

static inline uint32_t node_hash(struct flow_table *t, uint32_t i)
{
	return i & EMB_BIT ? emb_of(t, i)->hash : t->pool[i].hash;
}

/* The recency lists (0 open, 1 closed): node i out of its list, or onto
 * the tail of list l. */
void ft_list_unlink(struct flow_table *t, uint32_t i);
void ft_list_append(struct flow_table *t, uint32_t i, int l);

/* The move of flow_touch() for node i, whose last move was at *lru_sec. */
static inline void node_touch(struct flow_table *t, uint32_t i, uint32_t *lru_sec, bool closed,
			      int64_t now_ns)
{
	uint32_t sec = (uint32_t)(now_ns / 1000000000);

	if (node_list(t, i) == closed && (*lru_sec == sec || t->tail[closed] == i))
		return;
	*lru_sec = sec;
	ft_list_unlink(t, i);
	ft_list_append(t, i, closed);
}

/* The slot that holds node idx. */
static inline uint32_t ft_slot_of(const struct flow_table *t, uint32_t idx, uint32_t hash)
{
	uint32_t s;

	for (s = hash & t->mask; t->slots[s] != idx; s = (s + 1) & t->mask)
		;
	return s;
}

/* Slots for at least twice the live flows, newmask + 1 of them; false
 * without memory (the old ones stay). */
bool ft_rehash(struct flow_table *t, uint32_t newmask);

/* Slots for one more live flow: at most half of them used (a full table
 * would not end a probe). */
static inline bool ft_hash_room(struct flow_table *t)
{
	if (((size_t)t->st.open + 1) * 2 <= (size_t)t->mask + 1 || ft_rehash(t, t->mask * 2 + 1))
		return true;
	return (size_t)t->st.open + 2 <= (size_t)t->mask;   /* fuller, without memory */
}

/* A free full flow (the free list, then growth; only t->pool moves);
 * FLOW_NONE: no memory. */
uint32_t ft_alloc_full(struct flow_table *t);
/* A node for a new flow, an embryo or not, evicting the idlest unpinned
 * flow at the cap or without memory; FLOW_NONE when none can. */
uint32_t ft_alloc_node(struct flow_table *t, bool emb);
/* Node idx (used, its hash set) into the hash and onto the open list's
 * tail; ft_hash_room() said there is room. */
void ft_node_insert(struct flow_table *t, uint32_t idx, uint32_t h);

/* A segment that only an embryo's fields record: SYN alone (of SYN, ACK,
 * RST, FIN) or SYN-ACK, no payload. */
static inline bool handshake_only(const struct tcp_view *v)
{
	uint8_t f = v->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);

	return (f == TH_SYN || f == (TH_SYN | TH_ACK)) && !v->payload_len && !v->payload_cap;
}

/* Does embryo m take v (in direction dir) as it is, or must it become a
 * full flow first? It takes what repeats the handshake it holds: the
 * SYN again (same sequence number and TTL), the first SYN-ACK, and that
 * SYN-ACK again. */
static inline bool emb_takes(const struct flow_embryo *m, const struct tcp_view *v, int dir)
{
	if (!handshake_only(v))
		return false;
	if (dir == 0)
		return !(v->flags & TH_ACK) && v->seq == m->isn && v->ttl == m->ttl0 &&
		       m->cnt0 < UINT32_MAX;
	if (!(v->flags & TH_ACK))
		return false;
	return !m->has1 || (v->seq == m->seq1 && v->ack == m->ack1 && v->ttl == m->ttl1 &&
			    m->cnt1 < UINT32_MAX);
}

/* Embryos (embryo.c). emb_absorb: v (direction dir), which emb_takes(),
 * into embryo idx. emb_new: a new embryo for v, a SYN alone that no flow
 * holds (false: no room). emb_promote: embryo idx becomes the full flow
 * the same segments would have built, in its place (NULL without memory;
 * the embryo stays). */
void emb_absorb(struct flow_table *t, uint32_t idx, const struct tcp_view *v, int dir, int64_t ts);
bool emb_new(struct flow_table *t, const struct tcp_view *v, uint32_t h, int64_t ts);
struct flow *emb_promote(struct flow_table *t, uint32_t idx);

#endif
