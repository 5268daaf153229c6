/* clock: the offset between two captures' clocks, from the packets both
 * kept: the median of the time differences per direction of travel, so
 * that the one-way delay cancels; and the window an RST is looked for in. */
#include "correlate/internal.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW_MIN_NS 100000000ll     /* 100 ms: timestamps' granularity and jitter */
#define SPREAD_MAX_NS 5000000000ll    /* a spread beyond 5 s says mismatched packets */

void corr_samples_add(struct corr_samples *s, int64_t v)
{
	if (!s->v) {
		s->v = malloc(CORR_SAMPLES_MAX * sizeof(*s->v));
		if (!s->v)
			return;
	}
	s->seen++;
	if (s->n < CORR_SAMPLES_MAX) {
		s->v[s->n++] = v;
	} else {
		/* a reservoir: every sample kept with the same chance */
		uint32_t r;

		s->rng = s->rng * 1664525u + 1013904223u;
		r = s->rng % s->seen;

		if (r < CORR_SAMPLES_MAX)
			s->v[r] = v;
	}
}

void corr_samples_release(struct corr_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->seen = 0;
}

static int i64_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* Sorts s in place; the median of a non-empty set. */
static int64_t median(struct corr_samples *s)
{
	qsort(s->v, s->n, sizeof(*s->v), i64_cmp);
	return s->n % 2 ? s->v[s->n / 2] : s->v[s->n / 2 - 1] / 2 + s->v[s->n / 2] / 2;
}

/* The 95th percentile of |sample - centre| over the groups, in `tmp`. */
static int64_t spread(const struct corr_samples *s, const int64_t centre[3], int64_t *tmp)
{
	uint32_t n = 0;

	for (int g = 0; g < 3; g++)
		for (uint32_t i = 0; i < s[g].n; i++) {
			int64_t r = s[g].v[i] - centre[g];

			tmp[n++] = r < 0 ? -r : r;
		}
	qsort(tmp, n, sizeof(*tmp), i64_cmp);
	return n ? tmp[(uint32_t)((uint64_t)(n - 1) * 95 / 100)] : 0;
}

static void collect(struct corr *c, struct corr_pairstate *ps)
{
	const struct corr_file *fa = &c->f[ps->a], *fb = &c->f[ps->b];

	for (uint32_t i = 0; i < fa->nflows; i++) {
		const struct corr_link *l = &ps->ab[i];
		const struct corr_flow *f = &fa->flows[i], *g;

		if (l->flow == CORR_NONE)
			continue;
		g = &fb->flows[l->flow];
		for (unsigned d = 0; d < 2; d++) {
			unsigned e = d ^ l->swap, grp;
			unsigned na = (unsigned)f->nfirst[d] + f->nlast[d];

			/* a is nearer the client: the client's packets travel a -> b */
			grp = f->client_known ? d : g->client_known ? e : 2;
			for (unsigned k = 0; k < na; k++) {
				const struct corr_anchor *x = k < f->nfirst[d] ? &f->first[d][k]
								: &f->last[d][k - f->nfirst[d]];
				const struct corr_anchor *y = corr_same_packet(g, e, x, l, d);

				if (y)
					corr_samples_add(&ps->s[grp], y->ts - x->ts);
			}
		}
	}
}

int corr_clock_pair(struct corr *c, struct corr_pairstate *ps)
{
	struct corr_samples all = { 0 };
	int64_t centre[3] = { 0, 0, 0 }, *tmp;
	uint32_t n;

	(void)c;
	for (int g = 0; g < 3; g++)
		ps->s[g].n = ps->s[g].seen = ps->s[g].rng = 0;
	collect(c, ps);
	n = ps->s[0].n + ps->s[1].n + ps->s[2].n;
	ps->samples = (uint64_t)ps->s[0].seen + ps->s[1].seen + ps->s[2].seen;
	ps->clock_known = n > 0;
	ps->delay_known = false;
	ps->offset_ns = ps->delay_ns = 0;
	ps->window_ns = WINDOW_MIN_NS;
	if (!n)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	if (ps->s[0].n && ps->s[1].n) {
		int64_t m0 = median(&ps->s[0]), m1 = median(&ps->s[1]);

		ps->offset_ns = m0 / 2 + m1 / 2;
		ps->delay_ns = m0 / 2 - m1 / 2;
		ps->delay_known = true;
	} else {
		n = 0;
		for (int g = 0; g < 3; g++)
			if (ps->s[g].n) {
				memcpy(tmp + n, ps->s[g].v, ps->s[g].n * sizeof(*tmp));
				n += ps->s[g].n;
			}
		all.v = tmp;
		all.n = n;
		ps->offset_ns = median(&all);
	}
	centre[0] = ps->offset_ns + ps->delay_ns;
	centre[1] = ps->offset_ns - ps->delay_ns;
	centre[2] = ps->offset_ns;
	{
		int64_t sp = spread(ps->s, centre, tmp);

		if (sp > SPREAD_MAX_NS)
			sp = SPREAD_MAX_NS;
		ps->window_ns = WINDOW_MIN_NS + (ps->delay_ns < 0 ? -ps->delay_ns : ps->delay_ns) +
				2 * sp;
	}
	free(tmp);
	return 0;
}
