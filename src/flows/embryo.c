/* embryo: half-open flows kept as 128-byte embryos until their first
 * segment beyond the handshake, then promoted to the full state the engine
 * would have built from the same segments (flows/internal.h). */
#include "flows/internal.h"

#include <string.h>

/* The host of `a` learns a TTL new to its flow. */
static void host_learn(struct flow_table *t, const struct ipaddr *a, uint8_t ttl)
{
	struct host *h = host_get(t, a, true);

	if (h)
		ttl_hist_add(&h->ttl, ttl);
}

/* Silence tracking as the engine does it for a packet without payload. */
static inline void emb_gap(struct flow_table *t, struct flow_embryo *m, int dir, int64_t ts)
{
	if (ts - m->last_ns >= t->idle_min_ns) {
		m->idle_gap_ns = ts - m->last_ns;
		m->idle_end_ns = ts;
		m->reuse_dir = (uint8_t)dir;
	}
	m->last_ns = ts;
}

/* v, which emb_takes(), into embryo idx: what update_flow() does with it. */
void emb_absorb(struct flow_table *t, uint32_t idx, const struct tcp_view *v, int dir,
		int64_t ts)
{
	struct flow_embryo *m = emb_of(t, idx);
	bool nz = v->ipver == 4 && v->ipid;

	if (dir == 0) {
		m->last0_ns = ts;
		m->cnt0++;
		if (nz && m->ipid0 < UINT16_MAX)
			m->ipid0++;
	} else {
		if (!m->has1) {
			m->has1 = 1;
			m->seq1 = v->seq;
			m->ack1 = v->ack;
			m->ttl1 = v->ttl;
			host_learn(t, &v->src, v->ttl);
		}
		m->last1_ns = ts;
		m->cnt1++;
		if (nz && m->ipid1 < UINT16_MAX)
			m->ipid1++;
	}
	emb_gap(t, m, dir, ts);
	node_touch(t, idx, &m->lru_sec, false, ts);
}

/* A new embryo for v, a SYN (handshake_only, no ACK) no flow holds. */
bool emb_new(struct flow_table *t, const struct tcp_view *v, uint32_t h, int64_t ts)
{
	struct flow_embryo *m;
	uint32_t idx;

	if (!ft_hash_room(t) || (idx = ft_alloc_node(t, true)) == FLOW_NONE)
		return false;
	m = emb_of(t, idx);
	memset(m, 0, sizeof(*m));
	m->a = v->src;
	m->b = v->dst;
	m->pa = v->sport;
	m->pb = v->dport;
	m->hash = h;
	m->used = 1;
	m->id = ++t->next_id;
	m->isn = v->seq;
	m->ttl0 = v->ttl;
	m->last_ns = ts;
	ft_node_insert(t, idx, h);
	host_learn(t, &v->src, v->ttl);
	m->last0_ns = ts;
	m->cnt0 = 1;
	m->ipid0 = v->ipver == 4 && v->ipid;
	emb_gap(t, m, 0, ts);
	node_touch(t, idx, &m->lru_sec, false, ts);
	return true;
}

/* One direction of a promoted flow: a handshake segment sent cnt times. */
static void dir_from_emb(struct flow_dir *d, int64_t last_ns, uint32_t cnt, uint32_t end,
			 uint8_t ttl, uint16_t ipid_nonzero)
{
	d->last_ns = last_ns;
	d->pkts = cnt;
	d->next_seq = end;
	d->seq_valid = 1;
	d->ttl.val[0] = ttl;
	d->ttl.cnt[0] = cnt;
	d->ipid_nonzero = ipid_nonzero;
}

/* Embryo idx becomes a full flow with the state the engine would have
 * built from the same segments, in its place in the hash and the recency
 * list. NULL without memory (the embryo stays). */
struct flow *emb_promote(struct flow_table *t, uint32_t idx)
{
	struct flow_embryo *m = emb_of(t, idx);
	uint32_t fi = ft_alloc_full(t), s;
	struct flow *f;

	if (fi == FLOW_NONE)
		return NULL;
	f = &t->pool[fi];
	memset(f, 0, sizeof(*f));
	f->a = m->a;
	f->b = m->b;
	f->pa = m->pa;
	f->pb = m->pb;
	f->hash = m->hash;
	f->used = 1;
	f->id = m->id;
	f->last_ns = m->last_ns;
	f->idle_gap_ns = m->idle_gap_ns;
	f->idle_end_ns = m->idle_end_ns;
	f->reuse_dir = m->reuse_dir;
	f->last_data_dir = 2;
	f->lru_sec = m->lru_sec;
	f->client = 0;
	f->role_known = 1;
	f->state = m->has1 ? FS_SYNACK : FS_SYN;
	dir_from_emb(&f->d[0], m->last0_ns, m->cnt0, m->isn + 1, m->ttl0, m->ipid0);
	f->d[0].syn = 1;
	f->d[0].isn = m->isn;
	if (m->has1) {
		dir_from_emb(&f->d[1], m->last1_ns, m->cnt1, m->seq1 + 1, m->ttl1, m->ipid1);
		f->d[1].synack = 1;
		f->d[1].max_ack = m->ack1;
		f->d[1].ack_valid = 1;
	}
	/* its place: the slot, and the list between the same neighbours */
	s = ft_slot_of(t, idx, m->hash);
	t->slots[s] = fi;
	f->next = m->next;
	f->prev = m->prev;
	f->closed_list = 0;
	if (f->prev != FLOW_NONE)
		*node_next(t, f->prev) = fi;
	else
		t->head[0] = fi;
	if (f->next != FLOW_NONE)
		*node_prev(t, f->next) = fi;
	else
		t->tail[0] = fi;
	m->used = 0;
	m->next = t->emb_free;
	t->emb_free = idx & ~EMB_BIT;
	return f;
}
