/* diagnosis: the per-capture summary: causes ranked with evidence, idle
 * timeouts estimated from clustered gaps, keep-alive races, risky retries. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "verdict/verdict.h"

void diagnosis_init(struct diagnosis *d)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < CAUSE__COUNT; i++) {
		d->causes[i].id = (enum rst_cause)i;
		d->rank[i] = (enum rst_cause)i;
	}
}

void verdict_flow_str(const struct rst_verdict *v, char *buf, size_t size)
{
	char a[48], b[48];

	ipaddr_str(&v->src, a, sizeof(a));
	ipaddr_str(&v->dst, b, sizeof(b));
	if (v->ipver == 6)
		fmt_buf(buf, size, "[%s]:%u > [%s]:%u", a, v->sport, b, v->dport);
	else
		fmt_buf(buf, size, "%s:%u > %s:%u", a, v->sport, b, v->dport);
}

static void example(struct diag_example *ex, const struct rst_verdict *v)
{
	ex->file = v->file;
	ex->frame = v->frame;
	verdict_flow_str(v, ex->flow, sizeof(ex->flow));
}

/* Non-idempotent methods (RFC 9110 9.2.2): a retry may repeat the effect. */
static bool non_idempotent(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PATCH") || !strcmp(m, "CONNECT");
}

void diagnosis_add(struct diagnosis *d, const struct rst_verdict *v, double confidence,
		   double race_gap_ms)
{
	struct diag_cause *c = &d->causes[v->cause];

	d->resets++;
	d->by_kind[v->kind]++;
	d->by_forged[v->forged]++;
	if (c->n_examples < DIAG_EXAMPLES && v->kind != KIND_AFTER_RST)
		example(&c->ex[c->n_examples++], v);
	c->count++;
	c->conf_sum += confidence;
	if (v->cluster_size > 1) {
		d->clustered++;
		if (v->cluster_size > d->max_cluster)
			d->max_cluster = v->cluster_size;
	}
	if (v->reap_gap_s >= 0 && (v->cause == CAUSE_IDLE_REAP || v->cause == CAUSE_MIDDLEBOX)) {
		if (d->n_gaps < DIAG_GAPS_MAX)
			d->gaps[d->n_gaps++] = v->reap_gap_s;
		else
			d->gaps_dropped++;
	}
	if (race_gap_ms >= 0) {
		if (!d->races || race_gap_ms < d->race_gap_ms_min)
			d->race_gap_ms_min = race_gap_ms;
		if (!d->races || race_gap_ms > d->race_gap_ms_max)
			d->race_gap_ms_max = race_gap_ms;
		if (d->races < DIAG_EXAMPLES)
			example(&d->race_ex[d->races], v);
		d->races++;
	}
	if (v->http_method[0] && non_idempotent(v->http_method) && v->http_prior_requests > 0 &&
	    v->http_request_unanswered && v->kind != KIND_AFTER_RST) {
		if (d->risky < DIAG_EXAMPLES) {
			example(&d->risky_ex[d->risky], v);
			memcpy(d->risky_method[d->risky], v->http_method, sizeof(d->risky_method[0]));
		}
		d->risky++;
	}
}

static int surv_bucket(double gap_s)
{
	int b = gap_s <= 1.0 ? 0 : (int)(log(gap_s) / log(1.01)) + 1;

	return b < DIAG_SURV_BUCKETS ? b : DIAG_SURV_BUCKETS - 1;
}

/* The upper edge of a bucket: the survived gaps in it are at most this. */
static double surv_edge(int b)
{
	return b == 0 ? 1.0 : pow(1.01, b);
}

void diagnosis_survived(struct diagnosis *d, double gap_s)
{
	d->survived[surv_bucket(gap_s)]++;
	d->n_survived++;
}

/* Bound a group of reset gaps with the survived ones: the longest survived
 * silence below the group, and whether any reuse survived one as long as
 * the group's shortest reset gap (then no single timeout explains it). */
static void bound_timeout(const struct diagnosis *d, struct diag_timeout *t)
{
	int lo = surv_bucket(t->lo_s);

	t->survived_s = -1;
	t->consistent = true;
	for (int b = DIAG_SURV_BUCKETS - 1; b >= 0; b--) {
		if (!d->survived[b])
			continue;
		if (b > lo) {
			t->consistent = false;
		} else {
			t->survived_s = surv_edge(b) < t->lo_s ? surv_edge(b) : t->lo_s;
			break;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Group sorted gaps: a gap joins the group when it is within max(0.5 s, 2 %)
 * of the previous one. The reaping timeout lies just below each group. */
static void estimate_timeouts(struct diagnosis *d)
{
	double *g = d->gaps;
	unsigned i = 0;

	d->n_timeouts = 0;
	qsort(g, d->n_gaps, sizeof(*g), cmp_double);
	while (i < d->n_gaps) {
		unsigned j = i + 1;
		struct diag_timeout t;

		while (j < d->n_gaps) {
			double tol = g[j - 1] * 0.02 > 0.5 ? g[j - 1] * 0.02 : 0.5;

			if (g[j] - g[j - 1] > tol)
				break;
			j++;
		}
		t.lo_s = g[i];
		t.hi_s = g[j - 1];
		t.count = j - i;
		bound_timeout(d, &t);
		if (d->n_timeouts < DIAG_TIMEOUTS_MAX) {
			d->timeouts[d->n_timeouts++] = t;
		} else {   /* keep the largest groups */
			unsigned m = 0;

			for (unsigned k = 1; k < DIAG_TIMEOUTS_MAX; k++)
				if (d->timeouts[k].count < d->timeouts[m].count)
					m = k;
			if (t.count > d->timeouts[m].count)
				d->timeouts[m] = t;
		}
		i = j;
	}
	/* biggest groups first */
	for (unsigned a = 1; a < d->n_timeouts; a++)
		for (unsigned b = a; b > 0 && d->timeouts[b].count > d->timeouts[b - 1].count; b--) {
			struct diag_timeout tmp = d->timeouts[b];

			d->timeouts[b] = d->timeouts[b - 1];
			d->timeouts[b - 1] = tmp;
		}
}

static double score(const struct diag_cause *c)
{
	if (c->id == CAUSE_UNKNOWN)
		return (double)c->count * 0.01;  /* named causes rank above "unknown" */
	return c->conf_sum;
}

/* The entry of finding name at where in netns; a new one (zeroed but for
 * its key, *fresh set) while there is room; NULL (counted dropped) beyond. */
static struct diag_host *host_slot(struct diagnosis *d, const char *name, const char *where,
				   uint64_t netns, bool *fresh)
{
	struct diag_host *h;

	*fresh = false;
	for (unsigned i = 0; i < d->n_host; i++)
		if (!strcmp(d->host[i].name, name) && !strcmp(d->host[i].where, where) &&
		    d->host[i].netns == netns)
			return &d->host[i];
	if (d->n_host == DIAG_HOST_MAX) {
		d->host_dropped++;
		return NULL;
	}
	h = &d->host[d->n_host++];
	memset(h, 0, sizeof(*h));
	fmt_buf(h->name, sizeof(h->name), "%s", name);
	fmt_buf(h->where, sizeof(h->where), "%s", where);
	h->netns = netns;
	*fresh = true;
	return h;
}

void diagnosis_host(struct diagnosis *d, const char *name, enum rst_cause cause,
		    const char *where, uint64_t netns, uint64_t count, double rate, int64_t ts_ns)
{
	bool fresh;
	struct diag_host *h = host_slot(d, name, where, netns, &fresh);

	if (!h)
		return;
	if (fresh) {
		h->cause = cause;
		h->first_ns = ts_ns;
	}
	h->count += count;
	h->intervals++;
	h->last_ns = ts_ns;
	if (rate > h->max_rate)
		h->max_rate = rate;
}

static void merge_examples(struct diag_example *into, unsigned *n, const struct diag_example *ex,
			   unsigned m)
{
	for (unsigned i = 0; i < m && *n < DIAG_EXAMPLES; i++)
		into[(*n)++] = ex[i];
}

void diagnosis_merge(struct diagnosis *into, const struct diagnosis *d)
{
	unsigned k;

	into->resets += d->resets;
	for (int i = 0; i < KIND__COUNT; i++)
		into->by_kind[i] += d->by_kind[i];
	for (int i = 0; i < FORGED__COUNT; i++)
		into->by_forged[i] += d->by_forged[i];
	for (int i = 0; i < CAUSE__COUNT; i++) {
		struct diag_cause *c = &into->causes[i];

		merge_examples(c->ex, &c->n_examples, d->causes[i].ex, d->causes[i].n_examples);
		c->count += d->causes[i].count;
		c->conf_sum += d->causes[i].conf_sum;
	}
	for (unsigned i = 0; i < d->n_gaps; i++)
		if (into->n_gaps < DIAG_GAPS_MAX)
			into->gaps[into->n_gaps++] = d->gaps[i];
		else
			into->gaps_dropped++;
	into->gaps_dropped += d->gaps_dropped;
	for (int i = 0; i < DIAG_SURV_BUCKETS; i++)
		into->survived[i] += d->survived[i];
	into->n_survived += d->n_survived;
	if (d->races) {
		if (!into->races || d->race_gap_ms_min < into->race_gap_ms_min)
			into->race_gap_ms_min = d->race_gap_ms_min;
		if (!into->races || d->race_gap_ms_max > into->race_gap_ms_max)
			into->race_gap_ms_max = d->race_gap_ms_max;
		k = (unsigned)(into->races < DIAG_EXAMPLES ? into->races : DIAG_EXAMPLES);
		merge_examples(into->race_ex, &k, d->race_ex,
			       (unsigned)(d->races < DIAG_EXAMPLES ? d->races : DIAG_EXAMPLES));
		into->races += d->races;
	}
	for (uint64_t i = 0; i < d->risky && i < DIAG_EXAMPLES; i++)
		if (into->risky + i < DIAG_EXAMPLES) {
			into->risky_ex[into->risky + i] = d->risky_ex[i];
			memcpy(into->risky_method[into->risky + i], d->risky_method[i],
			       sizeof(into->risky_method[0]));
		}
	into->risky += d->risky;
	into->clustered += d->clustered;
	if (d->max_cluster > into->max_cluster)
		into->max_cluster = d->max_cluster;
	for (unsigned i = 0; i < d->n_host; i++) {
		const struct diag_host *h = &d->host[i];
		bool fresh;
		struct diag_host *t = host_slot(into, h->name, h->where, h->netns, &fresh);

		if (!t)
			continue;
		if (fresh) {
			*t = *h;
			continue;
		}
		t->count += h->count;
		t->intervals += h->intervals;
		if (h->max_rate > t->max_rate)
			t->max_rate = h->max_rate;
		if (h->first_ns < t->first_ns)
			t->first_ns = h->first_ns;
		if (h->last_ns > t->last_ns)
			t->last_ns = h->last_ns;
	}
	into->host_dropped += d->host_dropped;
}

/* The first host finding that bears on cause c, or NULL. */
const struct diag_host *diagnosis_host_for(const struct diagnosis *d, enum rst_cause c)
{
	for (unsigned i = 0; i < d->n_host; i++)
		if (d->host[i].cause == c)
			return &d->host[i];
	return NULL;
}

void diagnosis_finish(struct diagnosis *d)
{
	d->n_causes = 0;
	for (int i = 0; i < CAUSE__COUNT; i++) {
		struct diag_cause *c = &d->causes[i];

		c->confidence = c->count ? c->conf_sum / (double)c->count : 0;
		/* what the host's counters say weighs with the resets */
		if (c->count && diagnosis_host_for(d, (enum rst_cause)i))
			c->confidence = 1 - (1 - c->confidence) * (1 - DIAG_HOST_WEIGHT);
		d->rank[i] = (enum rst_cause)i;
		d->n_causes += c->count > 0;
	}
	for (int a = 1; a < CAUSE__COUNT; a++)
		for (int b = a; b > 0 && score(&d->causes[d->rank[b]]) >
					 score(&d->causes[d->rank[b - 1]]); b--) {
			enum rst_cause tmp = d->rank[b];

			d->rank[b] = d->rank[b - 1];
			d->rank[b - 1] = tmp;
		}
	estimate_timeouts(d);
}
