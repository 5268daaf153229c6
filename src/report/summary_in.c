/* summary_in: JSON summaries read back (jansson). */
#include "report/summary_in.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct summary_pool {
	char **s;
	size_t n, cap;
};

struct summary_pool *summary_pool_new(void)
{
	return calloc(1, sizeof(struct summary_pool));
}

void summary_pool_free(struct summary_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	free(p);
}

/* A copy of s kept in the pool (one per distinct string); NULL: no memory. */
static const char *intern(struct summary_pool *p, const char *s)
{
	for (size_t i = p->n; i-- > 0;)
		if (!strcmp(p->s[i], s))
			return p->s[i];
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		char **ns = realloc(p->s, nc * sizeof(*ns));

		if (!ns)
			return NULL;
		p->s = ns, p->cap = nc;
	}
	if (!(p->s[p->n] = strdup(s)))
		return NULL;
	return p->s[p->n++];
}

static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static uint64_t u64(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static double num(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : 0;
}

struct ctx {
	struct summary_pool *pool;
	const char *file;          /* the summary's capture (interned), NULL: none */
	char *err;
	size_t errsz;
};

static int example(struct ctx *c, const json_t *j, struct diag_example *ex)
{
	const json_t *fl = json_object_get(j, "flow"), *fi = json_object_get(j, "file");

	memset(ex, 0, sizeof(*ex));
	if (!json_is_object(j) || !json_is_string(fl)) {
		fmt_buf(c->err, c->errsz, "an example without its flow");
		return -1;
	}
	ex->frame = u64(j, "frame");
	fmt_buf(ex->flow, sizeof(ex->flow), "%s", json_string_value(fl));
	ex->file = json_is_string(fi) ? intern(c->pool, json_string_value(fi)) : c->file;
	return 0;
}

static int causes(struct ctx *c, const json_t *o, const json_t *raw, struct diagnosis *d)
{
	const json_t *arr = json_object_get(o, "causes"), *sums = json_object_get(raw, "conf_sum");
	const json_t *it, *ex;
	size_t i, k;

	if (!json_is_array(arr) || !json_is_object(sums)) {
		fmt_buf(c->err, c->errsz, "no causes or no raw confidence sums");
		return -1;
	}
	json_array_foreach(arr, i, it) {
		const json_t *id = json_object_get(it, "id");
		int ci = json_is_string(id) ? name_index(rst_cause_name, CAUSE__COUNT,
							 json_string_value(id)) : -1;
		struct diag_cause *dc;

		if (ci < 0) {
			fmt_buf(c->err, c->errsz, "unknown cause '%s'",
				json_is_string(id) ? json_string_value(id) : "?");
			return -1;
		}
		dc = &d->causes[ci];
		dc->count = u64(it, "count");
		dc->conf_sum = num(json_object_get(sums, rst_cause_name[ci]));
		json_array_foreach(json_object_get(it, "examples"), k, ex) {
			if (dc->n_examples < DIAG_EXAMPLES && example(c, ex, &dc->ex[dc->n_examples++]))
				return -1;
		}
	}
	return 0;
}

static int counts(struct ctx *c, const json_t *obj, const char *const *names, int n,
		  uint64_t *out, const char *what)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		int i = name_index(names, n, key);

		if (i < 0) {
			fmt_buf(c->err, c->errsz, "unknown %s '%s'", what, key);
			return -1;
		}
		out[i] = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
	}
	return 0;
}

static int raw_part(struct ctx *c, const json_t *o, const json_t *raw, struct diagnosis *d)
{
	const json_t *it, *v;
	size_t i;

	json_array_foreach(json_object_get(raw, "gaps"), i, v)
		if (d->n_gaps < DIAG_GAPS_MAX)
			d->gaps[d->n_gaps++] = num(v);
	d->gaps_dropped = u64(raw, "gaps_dropped");
	json_array_foreach(json_object_get(raw, "survived"), i, it) {
		long long b = json_integer_value(json_array_get(it, 0));

		if (b >= 0 && b < DIAG_SURV_BUCKETS)
			d->survived[b] = (uint32_t)json_integer_value(json_array_get(it, 1));
	}
	d->n_survived = u64(raw, "n_survived");
	v = json_object_get(raw, "race_gap_ms");
	d->race_gap_ms_min = num(json_array_get(v, 0));
	d->race_gap_ms_max = num(json_array_get(v, 1));
	d->max_cluster = (unsigned)u64(raw, "max_cluster");
	d->races = u64(json_object_get(o, "keepalive_races"), "count");
	json_array_foreach(json_object_get(raw, "race_examples"), i, it)
		if (i < DIAG_EXAMPLES && example(c, it, &d->race_ex[i]))
			return -1;
	v = json_object_get(o, "risky_retries");
	d->risky = u64(v, "count");
	json_array_foreach(json_object_get(v, "examples"), i, it) {
		const json_t *m = json_object_get(it, "method");

		if (i >= DIAG_EXAMPLES)
			break;
		if (example(c, it, &d->risky_ex[i]))
			return -1;
		fmt_buf(d->risky_method[i], sizeof(d->risky_method[0]), "%s",
			json_is_string(m) ? json_string_value(m) : "");
	}
	return 0;
}

static int host_part(struct ctx *c, const json_t *o, const json_t *raw, struct diagnosis *d)
{
	const json_t *it, *rh = json_object_get(raw, "host");
	size_t i;

	json_array_foreach(json_object_get(o, "host"), i, it) {
		struct diag_host *h;
		const json_t *x = json_array_get(rh, i), *name = json_object_get(it, "finding");
		const json_t *where = json_object_get(it, "where"), *cause = json_object_get(it, "cause");

		if (d->n_host == DIAG_HOST_MAX)
			break;
		if (!json_is_string(name) || !json_is_string(where)) {
			fmt_buf(c->err, c->errsz, "a host finding without its name or place");
			return -1;
		}
		h = &d->host[d->n_host++];
		fmt_buf(h->name, sizeof(h->name), "%s", json_string_value(name));
		fmt_buf(h->where, sizeof(h->where), "%s", json_string_value(where));
		h->cause = CAUSE__COUNT;
		if (json_is_string(cause)) {
			int ci = name_index(rst_cause_name, CAUSE__COUNT, json_string_value(cause));

			if (ci < 0) {
				fmt_buf(c->err, c->errsz, "unknown cause '%s'", json_string_value(cause));
				return -1;
			}
			h->cause = (enum rst_cause)ci;
		}
		h->netns = u64(it, "netns");
		h->count = u64(it, "count");
		h->intervals = (unsigned)u64(it, "intervals");
		h->max_rate = x ? num(json_object_get(x, "max_rate")) : num(json_object_get(it, "max_rate"));
		h->first_ns = x ? json_integer_value(json_object_get(x, "first_ns")) : 0;
		h->last_ns = x ? json_integer_value(json_object_get(x, "last_ns")) : 0;
	}
	d->host_dropped = u64(o, "host_dropped");
	return 0;
}

static void stats_part(const json_t *st, struct engine_stats *s)
{
	s->frames = u64(st, "frames");
	s->bytes = u64(st, "bytes");
	for (int r = 0; r < DECODE__COUNT; r++)
		s->result[r] = u64(st, decode_result_name[r]);
	s->flows_created = u64(st, "flows_created");
	s->flows_peak = u64(st, "flows_peak");
	s->flows_evicted = u64(st, "flows_evicted");
	s->flows_expired = u64(st, "flows_expired");
	s->time_backwards = u64(st, "time_backwards");
}

int summary_parse(const char *text, size_t len, struct summary_pool *pool,
		  struct diagnosis *d, struct engine_stats *s, unsigned *files,
		  char *file, size_t filesz, char *err, size_t errsz)
{
	json_error_t je;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	const json_t *raw, *fi, *ty;
	struct ctx c = { pool, NULL, err, errsz };
	int rc = -1;

	diagnosis_init(d);
	memset(s, 0, sizeof(*s));
	*files = 0;
	if (!o) {
		fmt_buf(err, errsz, "not JSON: %s (column %d)", je.text, je.column);
		return -1;
	}
	ty = json_object_get(o, "type");
	if (!json_is_string(ty) || strcmp(json_string_value(ty), "summary")) {
		fmt_buf(err, errsz, "not a summary");
		goto out;
	}
	raw = json_object_get(o, "raw");
	if (!json_is_object(raw)) {
		fmt_buf(err, errsz, "a summary without \"raw\" (from an older rstscope?)");
		goto out;
	}
	fi = json_object_get(o, "file");
	file[0] = '\0';
	if (json_is_string(fi)) {
		fmt_buf(file, filesz, "%s", json_string_value(fi));
		if (!(c.file = intern(pool, json_string_value(fi)))) {
			fmt_buf(err, errsz, "out of memory");
			goto out;
		}
	}
	*files = (unsigned)u64(o, "files");
	d->resets = u64(o, "resets");
	d->clustered = u64(o, "clustered");
	if (causes(&c, o, raw, d) ||
	    counts(&c, json_object_get(o, "kinds"), rst_kind_name, KIND__COUNT, d->by_kind, "kind") ||
	    counts(&c, json_object_get(o, "forged"), rst_forged_name, FORGED__COUNT, d->by_forged,
		   "sender verdict") ||
	    raw_part(&c, o, raw, d) || host_part(&c, o, raw, d))
		goto out;
	stats_part(json_object_get(o, "stats"), s);
	rc = 0;
out:
	json_decref(o);
	return rc;
}
