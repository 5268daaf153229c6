/* match: the flows of two captures paired up: by 5-tuple, across a NAT by
 * ISN, and without a handshake by their data segments; each link learns
 * the per-direction sequence offset between the two views of the flow. */
#include "correlate/internal.h"

#include <stdlib.h>
#include <string.h>

/* Slack on top of the pair's window for a NAT-mapped SYN's timing: the
 * handshake may be retransmitted on one side only. */
#define NAT_SYN_SLACK_NS 3000000000ll
#define DATA_VOTES_MIN 2          /* kept segments in common to match by data */
#define DATA_VOTES_BLIND 3        /* the same, before the clocks are aligned */
#define FLAGS_CMP (TH_FIN | TH_SYN | TH_PSH | TH_ACK | TH_URG)

static const struct corr_anchor *anchor_at(const struct corr_flow *f, unsigned d, unsigned k)
{
	return k < f->nfirst[d] ? &f->first[d][k] : &f->last[d][k - f->nfirst[d]];
}

static unsigned anchors(const struct corr_flow *f, unsigned d)
{
	return (unsigned)f->nfirst[d] + f->nlast[d];
}

const struct corr_anchor *corr_same_packet(const struct corr_flow *g, unsigned gd,
					   const struct corr_anchor *x, const struct corr_link *l,
					   unsigned xd)
{
	for (unsigned k = 0; k < anchors(g, gd); k++) {
		const struct corr_anchor *y = anchor_at(g, gd, k);

		if (y->seq != x->seq + l->dseq[xd] || y->len != x->len ||
		    (y->flags & FLAGS_CMP) != (x->flags & FLAGS_CMP))
			continue;
		if ((x->flags & TH_ACK) && y->ack != x->ack + l->dseq[!xd])
			continue;
		return y;
	}
	return NULL;
}

/* The sequence offset of direction d of f as direction e of g: from the
 * ISNs when both know them, else the offset most of their kept segments of
 * the same length and flags agree on (0 on a tie or with nothing to go by). */
static uint32_t seq_offset(const struct corr_flow *f, unsigned d, const struct corr_flow *g,
			   unsigned e)
{
	uint32_t cand[CORR_ANCHORS * 2 * CORR_ANCHORS * 2];
	unsigned nc = 0, best = 0, zero = 0;
	uint32_t pick = 0;

	if ((f->has_isn >> d & 1) && (g->has_isn >> e & 1))
		return g->isn[e] - f->isn[d];
	for (unsigned i = 0; i < anchors(f, d); i++)
		for (unsigned k = 0; k < anchors(g, e); k++) {
			const struct corr_anchor *x = anchor_at(f, d, i), *y = anchor_at(g, e, k);

			if (x->len == y->len && (x->flags & FLAGS_CMP) == (y->flags & FLAGS_CMP))
				cand[nc++] = y->seq - x->seq;
		}
	for (unsigned i = 0; i < nc; i++) {
		unsigned votes = 0;

		for (unsigned k = 0; k < nc; k++)
			votes += cand[k] == cand[i];
		if (cand[i] == 0)
			zero = votes;
		if (votes > best) {
			best = votes;
			pick = cand[i];
		}
	}
	return zero == best ? 0 : pick;
}

static void link_flows(struct corr *c, struct corr_pairstate *ps, uint32_t i, uint32_t j,
		       unsigned swap, enum corr_how how)
{
	const struct corr_flow *f = &c->f[ps->a].flows[i], *g = &c->f[ps->b].flows[j];
	struct corr_link *l = &ps->ab[i], *r = &ps->ba[j];

	l->flow = j;
	l->swap = r->swap = (uint8_t)swap;
	l->how = r->how = (uint8_t)how;
	r->flow = i;
	for (unsigned d = 0; d < 2; d++) {
		l->dseq[d] = seq_offset(f, d, g, d ^ swap);
		r->dseq[d ^ swap] = 0u - l->dseq[d];
	}
	ps->by_how[how]++;
	if (l->dseq[0] || l->dseq[1])
		ps->seq_shifted++;
}

static void unlink_flows(struct corr_pairstate *ps, uint32_t i)
{
	struct corr_link *l = &ps->ab[i];

	ps->by_how[l->how]--;
	if (l->dseq[0] || l->dseq[1])
		ps->seq_shifted--;
	ps->ba[l->flow].flow = CORR_NONE;
	l->flow = CORR_NONE;
}

/* Endpoint 0 of f is endpoint 1 of g (the same tuple). */
static unsigned tuple_swap(const struct corr_flow *f, const struct corr_flow *g)
{
	return memcmp(&f->addr[0], &g->addr[0], sizeof(f->addr[0])) || f->port[0] != g->port[0];
}

/* Round 1: tuples that occur once in both, or reuses with the same ISN.
 * Returns whether some flow of a was left for the timed round. */
static bool match_tuples(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];
	bool left = false;

	for (uint32_t i = 0; i < fa->nflows; i++) {
		const struct corr_flow *f = &fa->flows[i];
		uint32_t j = corr_find_tuple(fb, f);

		if (j == CORR_NONE)
			continue;
		if (f->prev == CORR_NONE && corr_find_tuple(fa, f) == i &&
		    fb->flows[j].prev == CORR_NONE) {
			link_flows(c, ps, i, j, tuple_swap(f, &fb->flows[j]), HOW_TUPLE);
			continue;
		}
		for (uint32_t k = j; k != CORR_NONE; k = fb->flows[k].prev) {
			const struct corr_flow *g = &fb->flows[k];
			unsigned sw = tuple_swap(f, g);

			if (ps->ba[k].flow == CORR_NONE && (f->has_isn & 1) && (g->has_isn & 1) &&
			    f->isn[0] == g->isn[0] && !sw) {
				link_flows(c, ps, i, k, 0, HOW_TUPLE);
				break;
			}
		}
		left |= ps->ab[i].flow == CORR_NONE;
	}
	return left;
}

/* Round 4, with the clocks aligned: reuses of a tuple by the time they were open. */
static void match_tuples_timed(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];

	for (uint32_t i = 0; i < fa->nflows; i++) {
		const struct corr_flow *f = &fa->flows[i];
		uint32_t best = CORR_NONE;
		int64_t best_d = INT64_MAX;

		if (ps->ab[i].flow != CORR_NONE)
			continue;
		for (uint32_t k = corr_find_tuple(fb, f); k != CORR_NONE; k = fb->flows[k].prev) {
			const struct corr_flow *g = &fb->flows[k];
			int64_t lo = g->first_ts - ps->offset_ns, hi = g->last_ts - ps->offset_ns;
			int64_t d = f->first_ts - lo;

			if (ps->ba[k].flow != CORR_NONE || lo > f->last_ts + ps->window_ns ||
			    hi < f->first_ts - ps->window_ns)
				continue;
			if (d < 0)
				d = -d;
			if (d < best_d) {
				best_d = d;
				best = k;
			}
		}
		if (best != CORR_NONE)
			link_flows(c, ps, i, best, tuple_swap(f, &fb->flows[best]), HOW_TUPLE);
	}
}

struct key { uint32_t v, flow; uint8_t d, k; };

static int key_cmp(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	return a->v < b->v ? -1 : a->v > b->v;
}

static const struct key *key_lower(const struct key *k, size_t n, uint32_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid].v < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? &k[lo] : NULL;
}

/* Round 2: flows with a handshake across a NAT, by the client's ISN or the
 * server's (one of them may be rewritten). Returns 0 or -1 (no memory). */
static int match_isn(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];
	struct key *k = malloc(((size_t)fb->nflows * 2 + 1) * sizeof(*k));
	size_t n = 0;

	if (!k)
		return -1;
	for (uint32_t j = 0; j < fb->nflows; j++)
		for (uint8_t d = 0; d < 2; d++)
			if (ps->ba[j].flow == CORR_NONE && (fb->flows[j].has_isn >> d & 1))
				k[n++] = (struct key){ fb->flows[j].isn[d], j, d, 0 };
	qsort(k, n, sizeof(*k), key_cmp);
	for (uint32_t i = 0; i < fa->nflows && n; i++) {
		const struct corr_flow *f = &fa->flows[i];

		if (ps->ab[i].flow != CORR_NONE || !f->client_known)
			continue;
		for (uint8_t d = 0; d < 2 && ps->ab[i].flow == CORR_NONE; d++) {
			const struct key *e = (f->has_isn >> d & 1) ? key_lower(k, n, f->isn[d]) : NULL;

			for (; e && e < k + n && e->v == f->isn[d]; e++)
				if (e->d == d && ps->ba[e->flow].flow == CORR_NONE &&
				    fb->flows[e->flow].client_known) {
					link_flows(c, ps, i, e->flow, 0, HOW_NAT_ISN);
					break;
				}
		}
	}
	free(k);
	return 0;
}

/* Round 3: a NAT-mapped SYN must fall in the aligned time window. Returns
 * how many links it dropped. */
static unsigned check_isn_timing(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];
	unsigned dropped = 0;

	for (uint32_t i = 0; i < fa->nflows; i++) {
		int64_t d;

		if (ps->ab[i].flow == CORR_NONE || ps->ab[i].how != HOW_NAT_ISN)
			continue;
		d = fb->flows[ps->ab[i].flow].syn_ts - fa->flows[i].syn_ts - ps->offset_ns;
		if (d < -(ps->window_ns + NAT_SYN_SLACK_NS) || d > ps->window_ns + NAT_SYN_SLACK_NS) {
			unlink_flows(ps, i);
			dropped++;
		}
	}
	return dropped;
}

/* Round 5: flows without a handshake across a NAT, by kept segments with
 * the same seq, ack and length (and, with the clocks aligned, time). */
static int match_data(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];
	struct key *k = malloc(((size_t)fb->nflows * 4 * CORR_ANCHORS + 1) * sizeof(*k));
	size_t n = 0;

	if (!k)
		return -1;
	for (uint32_t j = 0; j < fb->nflows; j++)
		for (uint8_t d = 0; d < 2; d++)
			for (unsigned a = 0; ps->ba[j].flow == CORR_NONE && a < anchors(&fb->flows[j], d); a++)
				k[n++] = (struct key){ anchor_at(&fb->flows[j], d, a)->seq, j, d, (uint8_t)a };
	qsort(k, n, sizeof(*k), key_cmp);
	for (uint32_t i = 0; i < fa->nflows && n; i++) {
		const struct corr_flow *f = &fa->flows[i];
		uint32_t cand = CORR_NONE;
		unsigned votes = 0, swap = 0;

		if (ps->ab[i].flow != CORR_NONE)
			continue;
		for (unsigned d = 0; d < 2; d++)
			for (unsigned a = 0; a < anchors(f, d); a++) {
				const struct corr_anchor *x = anchor_at(f, d, a);
				const struct key *e = key_lower(k, n, x->seq);

				for (; e && e < k + n && e->v == x->seq; e++) {
					const struct corr_anchor *y = anchor_at(&fb->flows[e->flow], e->d, e->k);
					int64_t dt = y->ts - x->ts - ps->offset_ns;

					if (y->len != x->len || y->ack != x->ack ||
					    ps->ba[e->flow].flow != CORR_NONE ||
					    (ps->clock_known && (dt > ps->window_ns || dt < -ps->window_ns)))
						continue;
					if (cand == CORR_NONE || (e->flow == cand && (e->d ^ d) == swap)) {
						cand = e->flow;
						swap = e->d ^ d;
						votes++;
					}
					break;
				}
			}
		if (cand != CORR_NONE &&
		    votes >= (ps->clock_known ? DATA_VOTES_MIN : DATA_VOTES_BLIND))
			link_flows(c, ps, i, cand, swap, HOW_NAT_DATA);
	}
	free(k);
	return 0;
}

int corr_match_pair(struct corr *c, struct corr_pairstate *ps)
{
	size_t na = c->f[ps->a].nflows, nb = c->f[ps->b].nflows;
	bool left;

	ps->ab = malloc((na + 1) * sizeof(*ps->ab));
	ps->ba = malloc((nb + 1) * sizeof(*ps->ba));
	if (!ps->ab || !ps->ba)
		return -1;
	memset(ps->ab, 0xff, (na + 1) * sizeof(*ps->ab));
	memset(ps->ba, 0xff, (nb + 1) * sizeof(*ps->ba));
	left = match_tuples(c, ps);
	if (match_isn(c, ps) || corr_clock_pair(c, ps))
		return -1;
	if (ps->clock_known && check_isn_timing(c, ps) && corr_clock_pair(c, ps))
		return -1;
	if (ps->clock_known && left)
		match_tuples_timed(c, ps);
	if (match_data(c, ps))
		return -1;
	return corr_clock_pair(c, ps);
}
