/* hosts: the flow table's hosts, a dense array behind a compact index. */
#include "flows/flows.h"

#include <stdlib.h>
#include <string.h>

/* Spread an address over 32 bits (a multiply, then the high half). */
static inline uint32_t hash_addr(const struct ipaddr *a)
{
	uint64_t w0, w1, x;

	memcpy(&w0, a->b, 8);
	memcpy(&w1, a->b + 8, 8);
	x = (w0 ^ (w1 << 17 | w1 >> 47)) * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(x >> 32);
}

bool host_table_init(struct host_table *ht)
{
	memset(ht, 0, sizeof(*ht));
	ht->mask = 1023;
	ht->slot = malloc((ht->mask + 1) * sizeof(*ht->slot));
	if (!ht->slot)
		return false;
	memset(ht->slot, 0xff, (ht->mask + 1) * sizeof(*ht->slot));
	return true;
}

void host_table_release(struct host_table *ht)
{
	for (uint32_t i = 0; i < ht->used; i++)
		free(ht->v[i].resets);
	free(ht->v);
	free(ht->slot);
	memset(ht, 0, sizeof(*ht));
}

/* The slot of a: its host's, or the empty one where it would go. */
static uint32_t find_slot(const struct host_table *ht, const struct ipaddr *a)
{
	uint32_t s = hash_addr(a) & ht->mask;

	while (ht->slot[s] != FLOW_NONE && memcmp(&ht->v[ht->slot[s]].addr, a, sizeof(*a)))
		s = (s + 1) & ht->mask;
	return s;
}

/* Double the index; false: no memory (the table stays as it was). */
static bool index_grow(struct host_table *ht)
{
	uint32_t nmask = ht->mask * 2 + 1;
	uint32_t *ns = malloc(((size_t)nmask + 1) * sizeof(*ns));

	if (!ns)
		return false;
	memset(ns, 0xff, ((size_t)nmask + 1) * sizeof(*ns));
	for (uint32_t i = 0; i < ht->used; i++) {
		uint32_t s = hash_addr(&ht->v[i].addr) & nmask;

		while (ns[s] != FLOW_NONE)
			s = (s + 1) & nmask;
		ns[s] = i;
	}
	free(ht->slot);
	ht->slot = ns;
	ht->mask = nmask;
	return true;
}

void host_table_prefetch_slot(const struct host_table *ht, const struct ipaddr *a)
{
	__builtin_prefetch(&ht->slot[hash_addr(a) & ht->mask]);
}

void host_table_prefetch_entry(const struct host_table *ht, const struct ipaddr *a)
{
	uint32_t i = ht->slot[hash_addr(a) & ht->mask];

	if (i != FLOW_NONE)
		__builtin_prefetch(&ht->v[i]);
}

struct host *host_table_get(struct host_table *ht, const struct ipaddr *a, bool create)
{
	uint32_t s = find_slot(ht, a);

	if (ht->slot[s] != FLOW_NONE)
		return &ht->v[ht->slot[s]];
	if (!create || ht->used >= HOST_MAX)
		return NULL;
	if (ht->used == ht->cap) {
		uint32_t ncap = ht->cap ? ht->cap * 2 : 256;
		struct host *nv;

		if (ncap > HOST_MAX)
			ncap = HOST_MAX;
		if (!(nv = realloc(ht->v, (size_t)ncap * sizeof(*nv))))
			return NULL;
		ht->v = nv;
		ht->cap = ncap;
	}
	if ((ht->used + 1) * 2 > ht->mask + 1) {
		if (!index_grow(ht))
			return NULL;
		s = find_slot(ht, a);
	}
	memset(&ht->v[ht->used], 0, sizeof(ht->v[0]));
	ht->v[ht->used].addr = *a;
	ht->slot[s] = ht->used;
	return &ht->v[ht->used++];
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
