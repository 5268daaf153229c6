/* flows: the flow table (open addressing over a pool, two recency lists). */
#include "flows/flows.h"

#include <stdlib.h>
#include <string.h>

#define HOST_CAP (1u << 18)

struct flow_table {
	struct flow *pool;
	uint32_t pool_cap, pool_used, free_head;
	uint32_t *slots;          /* pool index or FLOW_NONE; size mask + 1 */
	uint32_t *tags;           /* the flow's hash beside each slot: probes skip
	                           * other flows without touching them */
	uint32_t mask;
	uint32_t max_flows;
	uint32_t head[2], tail[2]; /* recency lists: 0 open, 1 closed */
	int64_t idle_expire_ns, closed_expire_ns;
	uint64_t next_id;
	struct flow_table_stats st;
	struct host *hosts;
	uint32_t host_mask, host_used;
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

static inline uint64_t hash_end(const struct ipaddr *a, uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, a->b, 8);
	memcpy(&w1, a->b + 8, 8);
	return mix64(w0 ^ mix64(w1 ^ ((uint64_t)port << 48)));
}

/* Symmetric: both directions of a flow hash alike. */
static inline uint32_t hash_tuple(const struct tcp_view *v)
{
	return (uint32_t)mix64(hash_end(&v->src, v->sport) + hash_end(&v->dst, v->dport));
}

struct flow_table *flow_table_new(size_t max_flows, double idle_expire_s, double closed_expire_s)
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
	t->free_head = FLOW_NONE;
	t->head[0] = t->head[1] = t->tail[0] = t->tail[1] = FLOW_NONE;
	t->mask = 1023;
	t->slots = malloc((t->mask + 1) * sizeof(*t->slots));
	t->tags = malloc((t->mask + 1) * sizeof(*t->tags));
	t->host_mask = 1023;
	t->hosts = calloc(t->host_mask + 1, sizeof(*t->hosts));
	if (!t->slots || !t->tags || !t->hosts) {
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
	free(t->slots);
	free(t->tags);
	if (t->hosts)
		for (uint32_t i = 0; i <= t->host_mask; i++)
			free(t->hosts[i].resets);
	free(t->hosts);
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

static void list_unlink(struct flow_table *t, struct flow *f)
{
	int l = f->closed_list;
	uint32_t i = flow_index(t, f);

	if (f->prev != FLOW_NONE)
		t->pool[f->prev].next = f->next;
	else if (t->head[l] == i)
		t->head[l] = f->next;
	if (f->next != FLOW_NONE)
		t->pool[f->next].prev = f->prev;
	else if (t->tail[l] == i)
		t->tail[l] = f->prev;
	f->next = f->prev = FLOW_NONE;
}

static void list_append(struct flow_table *t, struct flow *f, int l)
{
	uint32_t i = flow_index(t, f);

	f->closed_list = (uint8_t)l;
	f->next = FLOW_NONE;
	f->prev = t->tail[l];
	if (t->tail[l] != FLOW_NONE)
		t->pool[t->tail[l]].next = i;
	else
		t->head[l] = i;
	t->tail[l] = i;
}

void flow_touch(struct flow_table *t, struct flow *f, bool closed, int64_t now_ns)
{
	uint32_t sec = (uint32_t)(now_ns / 1000000000);

	if (f->closed_list == closed && (f->lru_sec == sec || t->tail[closed] == flow_index(t, f)))
		return;
	f->lru_sec = sec;
	list_unlink(t, f);
	list_append(t, f, closed);
}

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
	for (uint32_t i = 0; i < t->pool_cap; i++) {
		uint32_t s;

		if (!t->pool[i].used)
			continue;
		for (s = t->pool[i].hash & newmask; ns[s] != FLOW_NONE; s = (s + 1) & newmask)
			;
		ns[s] = i;
		nt[s] = t->pool[i].hash;
	}
	free(t->slots);
	free(t->tags);
	t->slots = ns;
	t->tags = nt;
	t->mask = newmask;
	return true;
}

/* Remove a flow from the hash (backward-shift deletion) and free its slot. */
static void flow_remove(struct flow_table *t, struct flow *f)
{
	uint32_t idx = flow_index(t, f), s, j;

	for (s = f->hash & t->mask; t->slots[s] != idx; s = (s + 1) & t->mask)
		;
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
	list_unlink(t, f);
	f->used = 0;
	f->next = t->free_head;
	t->free_head = idx;
	t->st.open--;
}

/* A free pool slot: the free list, then growth, then evicting the idlest
 * unpinned flow (closed ones first). FLOW_NONE when all are pinned. */
static uint32_t alloc_slot(struct flow_table *t)
{
	uint32_t i;

	if (t->free_head != FLOW_NONE) {
		i = t->free_head;
		t->free_head = t->pool[i].next;
		return i;
	}
	if (t->pool_used < t->pool_cap)
		return t->pool_used++;
	if (t->pool_cap < t->max_flows) {
		uint32_t ncap = t->pool_cap ? t->pool_cap * 2 : 1024;
		struct flow *np;

		if (ncap > t->max_flows)
			ncap = t->max_flows;
		np = realloc(t->pool, (size_t)ncap * sizeof(*np));
		if (np) {
			t->pool = np;
			t->pool_cap = ncap;
			/* at most half the slots used */
			if ((size_t)ncap * 2 > (size_t)t->mask + 1 && !rehash(t, ncap * 2 - 1))
				return FLOW_NONE;
			return t->pool_used++;
		}
	}
	for (int l = 1; l >= 0; l--) {
		int guard = 64;

		for (i = t->head[l]; i != FLOW_NONE && guard-- > 0; i = t->pool[i].next) {
			if (t->pool[i].pin)
				continue;
			flow_remove(t, &t->pool[i]);
			t->st.evicted++;
			i = t->free_head;
			t->free_head = t->pool[i].next;
			return i;
		}
	}
	return FLOW_NONE;
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

void flow_prefetch_flow(const struct flow_table *t, uint32_t hash)
{
	uint32_t s = hash & t->mask;

	for (int n = 0; n < 4 && t->slots[s] != FLOW_NONE; n++, s = (s + 1) & t->mask)
		if (t->tags[s] == hash) {
			const char *f = (const char *)&t->pool[t->slots[s]];

			for (size_t off = 0; off < sizeof(struct flow); off += 64)
				__builtin_prefetch(f + off, 1);
			return;
		}
}

struct flow *flow_lookup(struct flow_table *t, const struct tcp_view *v, uint32_t h,
			 int64_t now_ns, int *dir, bool *created)
{
	uint32_t s, idx;
	struct flow *f;

	for (s = h & t->mask; (idx = t->slots[s]) != FLOW_NONE; s = (s + 1) & t->mask) {
		if (t->tags[s] != h)
			continue;
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
	idx = alloc_slot(t);
	if (idx == FLOW_NONE)
		return NULL;
	f = &t->pool[idx];
	flow_init(t, f, v, h);
	f->last_ns = now_ns;
	for (s = h & t->mask; t->slots[s] != FLOW_NONE; s = (s + 1) & t->mask)
		;
	t->slots[s] = idx;
	t->tags[s] = h;
	list_append(t, f, 0);
	t->st.created++;
	if (++t->st.open > t->st.peak)
		t->st.peak = t->st.open;
	*dir = 0;
	*created = true;
	return f;
}

void flow_expire(struct flow_table *t, int64_t now_ns)
{
	for (int l = 0; l < 2; l++) {
		int64_t limit = l ? t->closed_expire_ns : t->idle_expire_ns;

		for (int n = 0; n < 64 && t->head[l] != FLOW_NONE; n++) {
			struct flow *f = &t->pool[t->head[l]];

			if (now_ns - f->last_ns < limit)
				break;
			if (f->pin) {       /* waits for its verdicts: look again later */
				list_unlink(t, f);
				list_append(t, f, l);
				continue;
			}
			flow_remove(t, f);
			t->st.expired++;
		}
	}
}

static inline uint32_t hash_addr(const struct ipaddr *a)
{
	return (uint32_t)hash_end(a, 0);
}

static bool host_grow(struct flow_table *t)
{
	uint32_t nmask = t->host_mask * 2 + 1;
	struct host *nh = calloc((size_t)nmask + 1, sizeof(*nh));

	if (!nh)
		return false;
	for (uint32_t i = 0; i <= t->host_mask; i++) {
		uint32_t s;

		if (!t->hosts[i].used)
			continue;
		for (s = hash_addr(&t->hosts[i].addr) & nmask; nh[s].used; s = (s + 1) & nmask)
			;
		nh[s] = t->hosts[i];
	}
	free(t->hosts);
	t->hosts = nh;
	t->host_mask = nmask;
	return true;
}

struct host *host_get(struct flow_table *t, const struct ipaddr *a, bool create)
{
	uint32_t s;

	for (s = hash_addr(a) & t->host_mask; t->hosts[s].used; s = (s + 1) & t->host_mask)
		if (!memcmp(&t->hosts[s].addr, a, sizeof(*a)))
			return &t->hosts[s];
	if (!create)
		return NULL;
	if ((t->host_used + 1) * 2 > t->host_mask + 1) {
		if (t->host_mask + 1 >= HOST_CAP || !host_grow(t)) {
			t->st.host_overflow++;
			return NULL;
		}
		for (s = hash_addr(a) & t->host_mask; t->hosts[s].used; s = (s + 1) & t->host_mask)
			;
	}
	t->hosts[s].used = 1;
	t->hosts[s].addr = *a;
	t->host_used++;
	return &t->hosts[s];
}

bool host_note_reset(struct host *h, int64_t ns, uint64_t flow_id, uint16_t port, int64_t gap_ns)
{
	struct host_resets *r = h->resets;

	if (!r) {
		r = h->resets = calloc(1, sizeof(*r));
		if (!r)
			return false;
	}
	r->ns[r->pos] = ns;
	r->flow[r->pos] = flow_id;
	r->port[r->pos] = port;
	r->gap[r->pos] = gap_ns;
	r->pos = (r->pos + 1) % HOST_RECENT;
	if (r->len < HOST_RECENT)
		r->len++;
	return true;
}

unsigned host_resets_near(const struct host *h, int64_t ns, int64_t window_ns, uint64_t flow_id,
			  uint16_t port, int64_t gap_ns, int64_t tol_ns, unsigned *same_gap)
{
	const struct host_resets *r = h->resets;
	unsigned n = 0;

	if (same_gap)
		*same_gap = 0;
	if (!r)
		return 0;
	for (uint32_t i = 0; i < r->len; i++) {
		int64_t d = r->ns[i] - ns;
		bool dup = false;

		if (r->flow[i] == flow_id || r->port[i] != port || d > window_ns || d < -window_ns)
			continue;
		for (uint32_t j = 0; j < i && !dup; j++)   /* count flows, not RSTs */
			dup = r->flow[j] == r->flow[i];
		n += !dup;
		if (!dup && same_gap && gap_ns >= 0 && r->gap[i] >= 0 &&
		    r->gap[i] - gap_ns <= tol_ns && gap_ns - r->gap[i] <= tol_ns)
			(*same_gap)++;
	}
	return n;
}
