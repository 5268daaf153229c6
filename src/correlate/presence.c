/* presence: for every RST of every capture, the captures that saw it and
 * those that covered its flow then without seeing it; and the engine's
 * lookup of that table. */
#include "correlate/internal.h"

#include <stdlib.h>
#include <string.h>

struct corr_pairstate *corr_pair_of(struct corr *c, unsigned i, unsigned j, bool *i_is_a)
{
	unsigned a = i < j ? i : j, b = i < j ? j : i;

	*i_is_a = i < j;
	for (unsigned k = 0; k < c->npairs; k++)
		if (c->p[k].a == a && c->p[k].b == b)
			return &c->p[k];
	return NULL;
}

static const struct corr_rst *sort_rsts;

static int by_flow_cmp(const void *x, const void *y)
{
	const struct corr_rst *a = &sort_rsts[*(const uint32_t *)x];
	const struct corr_rst *b = &sort_rsts[*(const uint32_t *)y];

	if (a->flow != b->flow)
		return a->flow < b->flow ? -1 : 1;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static int index_rsts(struct corr_file *cf)
{
	cf->by_flow = malloc(((size_t)cf->nrsts + 1) * sizeof(*cf->by_flow));
	if (!cf->by_flow)
		return -1;
	for (uint32_t i = 0; i < cf->nrsts; i++)
		cf->by_flow[i] = i;
	sort_rsts = cf->rsts;
	qsort(cf->by_flow, cf->nrsts, sizeof(*cf->by_flow), by_flow_cmp);
	sort_rsts = NULL;
	return 0;
}

/* The first of cf's RSTs on `flow` at `ts` or later (index into by_flow). */
static uint32_t rst_lower(const struct corr_file *cf, uint32_t flow, int64_t ts)
{
	uint32_t lo = 0, hi = cf->nrsts;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct corr_rst *r = &cf->rsts[cf->by_flow[mid]];

		if (r->flow < flow || (r->flow == flow && r->ts < ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Did capture j see RST r of capture i (0), cover its flow without it (1),
 * or neither (-1)? */
static int presence_in(struct corr *c, unsigned i, const struct corr_rst *r, unsigned j)
{
	const struct corr_file *fj = &c->f[j];
	const struct corr_pairstate *ps;
	const struct corr_link *l;
	int64_t t, w;
	uint32_t seq;
	unsigned gd;
	bool i_is_a;

	ps = corr_pair_of(c, i, j, &i_is_a);
	if (!ps || !ps->clock_known)
		return -1;
	l = i_is_a ? &ps->ab[r->flow] : &ps->ba[r->flow];
	if (l->flow == CORR_NONE)
		return -1;
	t = r->ts + (i_is_a ? ps->offset_ns : -ps->offset_ns);
	w = ps->window_ns;
	gd = r->dir ^ l->swap;
	seq = r->seq + l->dseq[r->dir];
	for (uint32_t k = rst_lower(fj, l->flow, t - w); k < fj->nrsts; k++) {
		const struct corr_rst *s = &fj->rsts[fj->by_flow[k]];

		if (s->flow != l->flow || s->ts > t + w)
			break;
		if (s->dir == gd && (s->seq == seq || (s->seq == r->seq && !(r->flags & TH_ACK))))
			return 0;
	}
	if (fj->flows[l->flow].first_ts <= t + w && fj->last_ts >= t - w)
		return 1;
	return -1;
}

static bool shares_flows(const struct corr *c, unsigned i)
{
	for (unsigned k = 0; k < c->npairs; k++) {
		const struct corr_pairstate *ps = &c->p[k];

		if ((ps->a == i || ps->b == i) &&
		    ps->by_how[HOW_TUPLE] + ps->by_how[HOW_NAT_ISN] + ps->by_how[HOW_NAT_DATA])
			return true;
	}
	return false;
}

int corr_presence(struct corr *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (index_rsts(&c->f[i]))
			return -1;
	for (unsigned i = 0; i < c->n; i++) {
		struct corr_file *fi = &c->f[i];
		bool shares = shares_flows(c, i);

		for (uint32_t k = 0; k < fi->nrsts; k++) {
			struct corr_rst *r = &fi->rsts[k];

			r->seen = r->absent = 0;
			if (!shares || r->flow == CORR_NONE)
				continue;
			r->seen = (uint8_t)(1u << i);
			for (unsigned j = 0; j < c->n; j++) {
				int p = j == i ? -1 : presence_in(c, i, r, j);

				if (p == 0)
					r->seen |= (uint8_t)(1u << j);
				else if (p == 1)
					r->absent |= (uint8_t)(1u << j);
			}
		}
	}
	return 0;
}

int corr_finish(struct corr *c)
{
	if (!c || c->finished)
		return -1;
	for (unsigned k = 0; k < c->npairs; k++)
		if (corr_match_pair(c, &c->p[k]))
			return -1;
	if (corr_presence(c))
		return -1;
	c->finished = true;
	return 0;
}

static const struct corr_rst *rst_at(const struct corr_file *cf, uint64_t frame)
{
	uint32_t lo = 0, hi = cf->nrsts;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cf->rsts[mid].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cf->nrsts && cf->rsts[lo].frame == frame ? &cf->rsts[lo] : NULL;
}

void corr_lookup(void *ctx, const char *file, uint64_t frame, struct rst_corr *out)
{
	struct corr *c = ctx;
	const struct corr_rst *r;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (!c || !c->finished || !file)
		return;
	for (i = 0; i < c->n && c->files[i] != file; i++)
		;
	for (unsigned k = 0; i == c->n && k < c->n; k++)
		if (!strcmp(c->files[k], file))
			i = k;
	if (i == c->n)
		return;
	r = rst_at(&c->f[i], frame);
	if (!r || (r->flow == CORR_NONE && shares_flows(c, i)))
		return;
	out->n = (uint8_t)c->n;
	out->self = (uint8_t)i;
	out->seen = r->seen;
	out->absent = r->absent;
	out->files = c->files;
}

void corr_summarize(const struct corr *c, struct corr_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	out->n = c->n;
	out->files = c->files;
	out->npairs = c->npairs;
	for (unsigned k = 0; k < c->npairs; k++) {
		const struct corr_pairstate *ps = &c->p[k];
		struct corr_pair_info *pi = &out->pair[k];

		pi->a = ps->a;
		pi->b = ps->b;
		pi->flows_a = c->f[ps->a].nflows;
		pi->flows_b = c->f[ps->b].nflows;
		pi->by_tuple = ps->by_how[HOW_TUPLE];
		pi->by_nat_isn = ps->by_how[HOW_NAT_ISN];
		pi->by_nat_data = ps->by_how[HOW_NAT_DATA];
		pi->seq_shifted = ps->seq_shifted;
		pi->clock_known = ps->clock_known;
		pi->offset_s = (double)ps->offset_ns / 1e9;
		pi->delay_s = (double)ps->delay_ns / 1e9;
		pi->delay_known = ps->delay_known;
		pi->window_s = (double)ps->window_ns / 1e9;
		pi->samples = ps->samples;
	}
	for (unsigned i = 0; i < c->n; i++) {
		out->rsts[i] = c->f[i].nrsts;
		out->dropped_flows[i] = c->f[i].dropped_flows;
		out->dropped_rsts[i] = c->f[i].dropped_rsts;
		out->shares[i] = shares_flows(c, i);
		out->read_error[i] = c->f[i].read_error;
	}
}
