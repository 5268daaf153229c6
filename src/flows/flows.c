/* flows: the flow table (open addressing over a pool, two recency lists). */
#include "flows/flows.h"

#include <stdlib.h>
#include <string.h>

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

bool ttl_hist_add(struct ttl_hist *h, uint8_t ttl)
{
	int min = 0;

	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		if (h->cnt[i] && h->val[i] == ttl) {
			if (h->cnt[i] < UINT32_MAX)
				h->cnt[i]++;
			return false;
		}
		if (h->cnt[i] < h->cnt[min])
			min = i;
	}
	/* a new value replaces the least used one: the baseline keeps the
	 * values a sender really uses, not a stray one */
	h->val[min] = ttl;
	h->cnt[min] = 1;
	return true;
}

bool ttl_hist_empty(const struct ttl_hist *h)
{
	for (int i = 0; i < FLOW_TTL_SLOTS; i++)
		if (h->cnt[i])
			return false;
	return true;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* One end of a tuple for the tuple hash: a multiply of the folded address
 * and port (the mix after the sum spreads it). */
static inline uint64_t tuple_end(const struct ipaddr *a, uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, a->b, 8);
	memcpy(&w1, a->b + 8, 8);
	return (w0 ^ (w1 << 17 | w1 >> 47) ^ port) * 0x9e3779b97f4a7c15ULL;
}

/* Symmetric: both directions of a flow hash alike. */
static inline uint32_t hash_tuple(const struct tcp_view *v)
{
	return (uint32_t)mix64(tuple_end(&v->src, v->sport) + tuple_end(&v->dst, v->dport));
}

struct flow_table *flow_table_new(size_t max_flows, double idle_expire_s, double closed_expire_s,
				  double idle_min_s, bool embryos)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (max_flows < 16)
		max_flows = 16;
	if (max_flows > (1u << 30))
		max_flows = 1u << 30;
	t->max_flows = (uint32_t)max_flows;
	t->idle_expire_ns = (int64_t)(idle_expire_s * 1e9);
	t->closed_expire_ns = (int64_t)(closed_expire_s * 1e9);
	t->idle_min_ns = (int64_t)(idle_min_s * 1e9);
	t->embryos = embryos;
	t->free_head = t->emb_free = FLOW_NONE;
	t->head[0] = t->head[1] = t->tail[0] = t->tail[1] = FLOW_NONE;
	t->mask = 1023;
	t->slots = malloc((t->mask + 1) * sizeof(*t->slots));
	t->tags = malloc((t->mask + 1) * sizeof(*t->tags));
	if (!t->slots || !t->tags || !host_table_init(&t->hosts)) {
		flow_table_free(t);
		return NULL;
	}
	memset(t->slots, 0xff, (t->mask + 1) * sizeof(*t->slots));
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->emb);
	free(t->slots);
	free(t->tags);
	host_table_release(&t->hosts);
	free(t);
}

struct flow *flow_get(struct flow_table *t, uint32_t idx)
{
	return idx < t->pool_cap ? &t->pool[idx] : NULL;
}

uint32_t flow_index(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(f - t->pool);
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *t)
{
	return &t->st;
}

/* ---- nodes: full flows and embryos behind one index ---- */

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

static void list_unlink(struct flow_table *t, uint32_t i)
{
	int l = node_list(t, i);
	uint32_t next = *node_next(t, i), prev = *node_prev(t, i);

	if (prev != FLOW_NONE)
		*node_next(t, prev) = next;
	else if (t->head[l] == i)
		t->head[l] = next;
	if (next != FLOW_NONE)
		*node_prev(t, next) = prev;
	else if (t->tail[l] == i)
		t->tail[l] = prev;
	*node_next(t, i) = *node_prev(t, i) = FLOW_NONE;
}

static void list_append(struct flow_table *t, uint32_t i, int l)
{
	if (!(i & EMB_BIT))
		t->pool[i].closed_list = (uint8_t)l;
	*node_next(t, i) = FLOW_NONE;
	*node_prev(t, i) = t->tail[l];
	if (t->tail[l] != FLOW_NONE)
		*node_next(t, t->tail[l]) = i;
	else
		t->head[l] = i;
	t->tail[l] = i;
}

/* The move of flow_touch() for node i, whose last move was at *lru_sec. */
static inline void node_touch(struct flow_table *t, uint32_t i, uint32_t *lru_sec, bool closed,
			      int64_t now_ns)
{
	uint32_t sec = (uint32_t)(now_ns / 1000000000);

	if (node_list(t, i) == closed && (*lru_sec == sec || t->tail[closed] == i))
		return;
	*lru_sec = sec;
	list_unlink(t, i);
	list_append(t, i, closed);
}

void flow_touch_move(struct flow_table *t, struct flow *f, bool closed, int64_t now_ns)
{
	node_touch(t, flow_index(t, f), &f->lru_sec, closed, now_ns);
}

/* Slots for at least twice the live flows. */
static bool rehash(struct flow_table *t, uint32_t newmask)
{
	uint32_t *ns = malloc(((size_t)newmask + 1) * sizeof(*ns));
	uint32_t *nt = malloc(((size_t)newmask + 1) * sizeof(*nt));

	if (!ns || !nt) {
		free(ns);
		free(nt);
		return false;
	}
	memset(ns, 0xff, ((size_t)newmask + 1) * sizeof(*ns));
	for (uint32_t i = 0; i < t->pool_used + t->emb_used; i++) {
		uint32_t n = i < t->pool_used ? i : (i - t->pool_used) | EMB_BIT, h, s;

		if (n & EMB_BIT ? !emb_of(t, n)->used : !t->pool[n].used)
			continue;
		h = node_hash(t, n);
		for (s = h & newmask; ns[s] != FLOW_NONE; s = (s + 1) & newmask)
			;
		ns[s] = n;
		nt[s] = h;
	}
	free(t->slots);
	free(t->tags);
	t->slots = ns;
	t->tags = nt;
	t->mask = newmask;
	return true;
}

/* The slot that holds node idx. */
static uint32_t slot_of(const struct flow_table *t, uint32_t idx, uint32_t hash)
{
	uint32_t s;

	for (s = hash & t->mask; t->slots[s] != idx; s = (s + 1) & t->mask)
		;
	return s;
}

/* Remove node idx from the hash (backward-shift deletion) and the recency
 * list, and free it. */
static void node_remove(struct flow_table *t, uint32_t idx)
{
	uint32_t s = slot_of(t, idx, node_hash(t, idx)), j;

	t->slots[s] = FLOW_NONE;
	for (j = (s + 1) & t->mask; t->slots[j] != FLOW_NONE; j = (j + 1) & t->mask) {
		uint32_t home = t->tags[j] & t->mask;

		/* move j back to s when its home is not in (s, j] cyclically */
		if ((j > s && (home <= s || home > j)) || (j < s && (home <= s && home > j))) {
			t->slots[s] = t->slots[j];
			t->tags[s] = t->tags[j];
			t->slots[j] = FLOW_NONE;
			s = j;
		}
	}
	list_unlink(t, idx);
	if (idx & EMB_BIT) {
		struct flow_embryo *m = emb_of(t, idx);

		m->used = 0;
		m->next = t->emb_free;
		t->emb_free = idx & ~EMB_BIT;
	} else {
		struct flow *f = &t->pool[idx];

		f->used = 0;
		f->next = t->free_head;
		t->free_head = idx;
	}
	t->st.open--;
}

/* Grow a pool of `*cap` elements of `size` bytes (doubling, up to max). */
static bool pool_grow(void **pool, uint32_t *cap, size_t size, uint32_t max)
{
	uint32_t ncap = *cap ? *cap * 2 : 1024;
	void *np;

	if (*cap >= max)
		return false;
	if (ncap > max)
		ncap = max;
	np = realloc(*pool, (size_t)ncap * size);
	if (!np)
		return false;
	*pool = np;
	*cap = ncap;
	return true;
}

/* A free full flow: the free list, then growth. FLOW_NONE: no memory. */
static uint32_t alloc_full(struct flow_table *t)
{
	uint32_t i = t->free_head;

	if (i != FLOW_NONE) {
		t->free_head = t->pool[i].next;
		return i;
	}
	if (t->pool_used < t->pool_cap ||
	    pool_grow((void **)&t->pool, &t->pool_cap, sizeof(*t->pool), t->max_flows))
		return t->pool_used++;
	return FLOW_NONE;
}

static uint32_t alloc_emb(struct flow_table *t)
{
	uint32_t i = t->emb_free;

	if (i != FLOW_NONE) {
		t->emb_free = t->emb[i].next;
		return i | EMB_BIT;
	}
	if (t->emb_used < t->emb_cap ||
	    pool_grow((void **)&t->emb, &t->emb_cap, sizeof(*t->emb), t->max_flows))
		return t->emb_used++ | EMB_BIT;
	return FLOW_NONE;
}

/* Evict the idlest unpinned flow (closed ones first); false when the
 * first 64 of each list are pinned. */
static bool evict_one(struct flow_table *t)
{
	for (int l = 1; l >= 0; l--) {
		int guard = 64;

		for (uint32_t i = t->head[l]; i != FLOW_NONE && guard-- > 0; i = *node_next(t, i)) {
			if (node_pin(t, i))
				continue;
			node_remove(t, i);
			t->st.evicted++;
			return true;
		}
	}
	return false;
}

/* A node for a new flow, an embryo or not: at the cap, or without memory,
 * the idlest unpinned flow makes room. FLOW_NONE when none can. */
static uint32_t alloc_node(struct flow_table *t, bool emb)
{
	uint32_t i;

	if (t->st.open >= t->max_flows && !evict_one(t))
		return FLOW_NONE;
	i = emb ? alloc_emb(t) : alloc_full(t);
	if (i == FLOW_NONE && evict_one(t))
		i = emb ? alloc_emb(t) : alloc_full(t);
	return i;
}

/* Slots for one more live flow: at most half of them used (a full table
 * would not end a probe). */
static bool hash_room(struct flow_table *t)
{
	if (((size_t)t->st.open + 1) * 2 <= (size_t)t->mask + 1 || rehash(t, t->mask * 2 + 1))
		return true;
	return (size_t)t->st.open + 2 <= (size_t)t->mask;   /* fuller, without memory */
}

/* Put node idx (used, with its hash set) in the hash and at the tail of
 * the open list; hash_room() said there is room. */
static void node_insert(struct flow_table *t, uint32_t idx, uint32_t h)
{
	uint32_t s;

	for (s = h & t->mask; t->slots[s] != FLOW_NONE; s = (s + 1) & t->mask)
		;
	t->slots[s] = idx;
	t->tags[s] = h;
	list_append(t, idx, 0);
	t->st.created++;
	if (++t->st.open > t->st.peak)
		t->st.peak = t->st.open;
}

static void flow_init(struct flow_table *t, struct flow *f, const struct tcp_view *v, uint32_t hash)
{
	memset(f, 0, sizeof(*f));
	f->a = v->src;
	f->b = v->dst;
	f->pa = v->sport;
	f->pb = v->dport;
	f->hash = hash;
	f->used = 1;
	f->last_data_dir = 2;
	f->id = ++t->next_id;
	f->next = f->prev = FLOW_NONE;
}

void flow_restart(struct flow_table *t, struct flow *f, const struct tcp_view *v)
{
	uint32_t next = f->next, prev = f->prev, hash = f->hash;
	uint8_t cl = f->closed_list;
	uint16_t pin = f->pin;

	flow_init(t, f, v, hash);
	f->next = next;
	f->prev = prev;
	f->closed_list = cl;
	f->pin = pin;
	t->st.created++;
}

uint32_t flow_hash(const struct tcp_view *v)
{
	return hash_tuple(v);
}

void flow_prefetch_slot(const struct flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->tags[hash & t->mask]);
	__builtin_prefetch(&t->slots[hash & t->mask]);
}

/* Every cache line of the `size` bytes at p, for writing: one per 64
 * bytes, and the last byte (the object may straddle one line more). The
 * size is a constant; the loop is unrolled, as its steps cost more than
 * the fetches. */
static inline __attribute__((always_inline)) void prefetch_lines(const void *p, size_t size)
{
	const char *c = p;

#pragma GCC unroll 8
	for (size_t off = 0; off < size; off += 64)
		__builtin_prefetch(c + off, 1);
	__builtin_prefetch(c + size - 1, 1);
}

void flow_prefetch_flow(const struct flow_table *t, uint32_t hash)
{
	uint32_t s = hash & t->mask, i;

	for (int n = 0; n < 4 && (i = t->slots[s]) != FLOW_NONE; n++, s = (s + 1) & t->mask)
		if (t->tags[s] == hash) {
			if (i & EMB_BIT)
				prefetch_lines(&t->emb[i & ~EMB_BIT], sizeof(struct flow_embryo));
			else
				prefetch_lines(&t->pool[i], sizeof(struct flow));
			return;
		}
}

/* ---- embryos ---- */

/* A segment that only an embryo's fields record: SYN alone (of SYN, ACK,
 * RST, FIN) or SYN-ACK, no payload. */
static inline bool handshake_only(const struct tcp_view *v)
{
	uint8_t f = v->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);

	return (f == TH_SYN || f == (TH_SYN | TH_ACK)) && !v->payload_len && !v->payload_cap;
}

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

/* Does embryo m take v (in direction dir) as it is, or must it become a
 * full flow first? It takes what repeats the handshake it holds: the
 * SYN again (same sequence number and TTL), the first SYN-ACK, and that
 * SYN-ACK again. */
static bool emb_takes(const struct flow_embryo *m, const struct tcp_view *v, int dir)
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

/* v, which emb_takes(), into embryo idx: what update_flow() does with it. */
static void emb_absorb(struct flow_table *t, uint32_t idx, const struct tcp_view *v, int dir,
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
static bool emb_new(struct flow_table *t, const struct tcp_view *v, uint32_t h, int64_t ts)
{
	struct flow_embryo *m;
	uint32_t idx;

	if (!hash_room(t) || (idx = alloc_node(t, true)) == FLOW_NONE)
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
	node_insert(t, idx, h);
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
static struct flow *emb_promote(struct flow_table *t, uint32_t idx)
{
	struct flow_embryo *m = emb_of(t, idx);
	uint32_t fi = alloc_full(t), s;
	struct flow *f;

	if (fi == FLOW_NONE)
		return NULL;
	m = emb_of(t, idx);
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
	s = slot_of(t, idx, m->hash);
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

struct flow *flow_lookup(struct flow_table *t, const struct tcp_view *v, uint32_t h,
			 int64_t now_ns, int *dir, bool *created, bool *absorbed)
{
	uint32_t s, idx;
	struct flow *f;

	*absorbed = false;
	for (s = h & t->mask; (idx = t->slots[s]) != FLOW_NONE; s = (s + 1) & t->mask) {
		if (t->tags[s] != h)
			continue;
		if (idx & EMB_BIT) {
			struct flow_embryo *m = emb_of(t, idx);
			int d;

			if (m->pa == v->sport && m->pb == v->dport && !memcmp(&m->a, &v->src, 16) &&
			    !memcmp(&m->b, &v->dst, 16))
				d = 0;
			else if (m->pa == v->dport && m->pb == v->sport && !memcmp(&m->a, &v->dst, 16) &&
				 !memcmp(&m->b, &v->src, 16))
				d = 1;
			else
				continue;
			*dir = d;
			*created = false;
			if (emb_takes(m, v, d)) {
				emb_absorb(t, idx, v, d, now_ns);
				*absorbed = true;
				return NULL;
			}
			return emb_promote(t, idx);
		}
		f = &t->pool[idx];
		if (f->pa == v->sport && f->pb == v->dport && !memcmp(&f->a, &v->src, 16) &&
		    !memcmp(&f->b, &v->dst, 16)) {
			*dir = 0;
			*created = false;
			return f;
		}
		if (f->pa == v->dport && f->pb == v->sport && !memcmp(&f->a, &v->dst, 16) &&
		    !memcmp(&f->b, &v->src, 16)) {
			*dir = 1;
			*created = false;
			return f;
		}
	}
	*dir = 0;
	*created = true;
	if (t->embryos && handshake_only(v) && !(v->flags & TH_ACK)) {
		*absorbed = emb_new(t, v, h, now_ns);
		return NULL;
	}
	if (!hash_room(t) || (idx = alloc_node(t, false)) == FLOW_NONE)
		return NULL;
	f = &t->pool[idx];
	flow_init(t, f, v, h);
	f->last_ns = now_ns;
	node_insert(t, idx, h);
	return f;
}

void flow_expire(struct flow_table *t, int64_t now_ns)
{
	for (int l = 0; l < 2; l++) {
		int64_t limit = l ? t->closed_expire_ns : t->idle_expire_ns;

		for (int n = 0; n < 64 && t->head[l] != FLOW_NONE; n++) {
			uint32_t i = t->head[l];

			if (now_ns - node_last_ns(t, i) < limit)
				break;
			if (node_pin(t, i)) {       /* waits for its verdicts: look again later */
				list_unlink(t, i);
				list_append(t, i, l);
				continue;
			}
			node_remove(t, i);
			t->st.expired++;
		}
	}
}

void host_prefetch_slot(const struct flow_table *t, const struct ipaddr *a)
{
	host_table_prefetch_slot(&t->hosts, a);
}

void host_prefetch_entry(const struct flow_table *t, const struct ipaddr *a)
{
	host_table_prefetch_entry(&t->hosts, a);
}

struct host *host_get(struct flow_table *t, const struct ipaddr *a, bool create)
{
	struct host *h = host_table_get(&t->hosts, a, create);

	if (!h && create)
		t->st.host_overflow++;
	return h;
}
