/* flows: the flow table (open addressing over a pool, two recency lists). */
#include "flows/flows.h"
#include "flows/internal.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- the recency lists, nodes in and out (ft_*: contracts in flows/internal.h) ---- */

void ft_list_unlink(struct flow_table *t, uint32_t i)
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

void ft_list_append(struct flow_table *t, uint32_t i, int l)
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

void flow_touch_move(struct flow_table *t, struct flow *f, bool closed, int64_t now_ns)
{
	node_touch(t, flow_index(t, f), &f->lru_sec, closed, now_ns);
}

bool ft_rehash(struct flow_table *t, uint32_t newmask)
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

/* Remove node idx from the hash (backward-shift deletion) and the recency
 * list, and free it. */
static void node_remove(struct flow_table *t, uint32_t idx)
{
	uint32_t s = ft_slot_of(t, idx, node_hash(t, idx)), j;

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
	ft_list_unlink(t, idx);
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

uint32_t ft_alloc_full(struct flow_table *t)
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

uint32_t ft_alloc_node(struct flow_table *t, bool emb)
{
	uint32_t i;

	if (t->st.open >= t->max_flows && !evict_one(t))
		return FLOW_NONE;
	i = emb ? alloc_emb(t) : ft_alloc_full(t);
	if (i == FLOW_NONE && evict_one(t))
		i = emb ? alloc_emb(t) : ft_alloc_full(t);
	return i;
}

void ft_node_insert(struct flow_table *t, uint32_t idx, uint32_t h)
{
	uint32_t s;

	for (s = h & t->mask; t->slots[s] != FLOW_NONE; s = (s + 1) & t->mask)
		;
	t->slots[s] = idx;
	t->tags[s] = h;
	ft_list_append(t, idx, 0);
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
	if (!ft_hash_room(t) || (idx = ft_alloc_node(t, false)) == FLOW_NONE)
		return NULL;
	f = &t->pool[idx];
	flow_init(t, f, v, h);
	f->last_ns = now_ns;
	ft_node_insert(t, idx, h);
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
				ft_list_unlink(t, i);
				ft_list_append(t, i, l);
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
