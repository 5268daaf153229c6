/* json: JSON Lines output; the schema is docs/output.md. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "report/report.h"

static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* A verdict's line is built here and written in one call: it is written
 * for every RST, and a printf a field cost more than the rest of a verdict
 * (the format is the same as fprintf's would be, to the byte). */
struct jw {
	FILE *f;
	size_t n;
	char b[2048];
};

static void jw_flush(struct jw *w)
{
	if (w->n)
		fwrite(w->b, 1, w->n, w->f);
	w->n = 0;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (n > sizeof(w->b) - w->n) {
		jw_flush(w);
		if (n > sizeof(w->b)) {
			fwrite(s, 1, n, w->f);
			return;
		}
	}
	memcpy(w->b + w->n, s, n);
	w->n += n;
}

static inline void jw_s(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

/* "%" PRIu64; pad > 0: at least that many digits, zeros in front */
static void jw_u(struct jw *w, uint64_t v, int pad)
{
	char t[24];
	int i = (int)sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || (int)sizeof(t) - i < pad);
	jw_put(w, t + i, sizeof(t) - (size_t)i);
}

static void jw_i(struct jw *w, int64_t v)
{
	if (v < 0) {
		jw_put(w, "-", 1);
		jw_u(w, -(uint64_t)v, 0);
	} else {
		jw_u(w, (uint64_t)v, 0);
	}
}

/* "%.*f" */
static void jw_fixed(struct jw *w, int digits, double d)
{
	char t[64];
	int n = snprintf(t, sizeof(t), "%.*f", digits, d);

	jw_put(w, t, n > 0 && (size_t)n < sizeof(t) ? (size_t)n : 0);
}

static inline void jw_bool(struct jw *w, bool b)
{
	jw_s(w, b ? "true" : "false");
}

/* s as a JSON string (report_json_string() too): runs of plain bytes at
 * once, the rest escaped */
static void jw_str(struct jw *w, const char *s)
{
	jw_put(w, "\"", 1);
	while (s && *s) {
		unsigned char c;
		size_t n = 0;

		while (json_plain((unsigned char)s[n]))
			n++;
		if (n) {
			jw_put(w, s, n);
			s += n;
			continue;
		}
		c = (unsigned char)*s++;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			jw_put(w, e, 2);
		} else if (c == '\n') {
			jw_put(w, "\\n", 2);
		} else {
			static const char hex[] = "0123456789abcdef";
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			jw_put(w, e, 6);
		}
	}
	jw_put(w, "\"", 1);
}

void report_json_string(FILE *f, const char *s)
{
	struct jw w = { .f = f };

	jw_str(&w, s);
	jw_flush(&w);
}

/* A string, or null when it is empty. */
static void jw_str_or_null(struct jw *w, const char *s)
{
	if (s[0])
		jw_str(w, s);
	else
		jw_s(w, "null");
}

/* Capture time: seconds, and the fraction in microseconds or, when it
 * has them, nanoseconds; before 1970 with one sign in front (a number). */
static void jw_time(struct jw *w, int64_t ns)
{
	uint64_t t = ns < 0 ? -(uint64_t)ns : (uint64_t)ns, frac = t % 1000000000;

	if (ns < 0)
		jw_put(w, "-", 1);
	jw_u(w, t / 1000000000, 0);
	jw_put(w, ".", 1);
	if (frac % 1000)
		jw_u(w, frac, 9);
	else
		jw_u(w, frac / 1000, 6);
}

static void flags_str(uint8_t fl, char *buf)
{
	static const char names[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (fl & (1 << i))
			buf[n++] = names[i];
	buf[n] = '\0';
}

/* The kernel's view of a reset (watch) */
static void jw_kernel(struct jw *w, const struct rst_verdict *v)
{
	jw_s(w, ",\"kernel_reason\":");
	jw_str_or_null(w, v->kernel_reason);
	if (v->pid >= 0) {
		jw_s(w, ",\"pid\":");
		jw_i(w, v->pid);
		jw_s(w, ",\"comm\":");
		jw_str(w, v->comm);
	} else {
		jw_s(w, ",\"pid\":null,\"comm\":null");
	}
	jw_s(w, ",\"kernel_match\":\"");
	jw_s(w, rst_kernel_name[v->kernel]);
	jw_s(w, "\",\"by_closer\":");
	jw_bool(w, v->by_closer);
	jw_s(w, ",\"kernel_state\":");
	jw_str_or_null(w, v->kernel_state);
	jw_s(w, ",\"netns\":");
	if (v->netns)
		jw_u(w, v->netns, 0);
	else
		jw_s(w, "null");
	jw_s(w, ",\"cgroup\":");
	jw_str_or_null(w, v->cgroup);
	jw_s(w, ",\"container\":");
	jw_str_or_null(w, v->container);
	jw_s(w, ",\"owner_gone\":");
	jw_bool(w, v->owner_gone);
	jw_s(w, ",\"oom_kill\":");
	if (v->oom_pid > 0) {
		jw_s(w, "{\"pid\":");
		jw_i(w, v->oom_pid);
		jw_s(w, ",\"comm\":");
		jw_str(w, v->oom_comm);
		jw_s(w, ",\"cgroup\":");
		jw_str_or_null(w, v->oom_cgroup);
		jw_s(w, ",\"limit_bytes\":");
		if (v->oom_limit)
			jw_u(w, v->oom_limit, 0);
		else
			jw_s(w, "null");
		jw_s(w, "}");
	} else {
		jw_s(w, "null");
	}
	jw_s(w, ",\"listen_overflow\":");
	if (v->overflow_drops) {
		jw_s(w, "{\"drops\":");
		jw_u(w, v->overflow_drops, 0);
		jw_s(w, ",\"interval_s\":");
		jw_fixed(w, 1, v->overflow_interval_s);
		jw_s(w, ",\"rate\":");
		jw_fixed(w, 1, v->overflow_rate);
		jw_s(w, "}");
	} else {
		jw_s(w, "null");
	}
}

void report_json_rst(FILE *f, const struct rst_verdict *v)
{
	struct jw w = { .f = f };
	char a[48], fl[9];

	/* a kernel reset no capture showed: the same verdict, no frame */
	if (v->kernel_only) {
		jw_s(&w, "{\"type\":\"kernel_reset\",\"file\":null,\"frame\":null");
	} else {
		jw_s(&w, "{\"type\":\"rst\",\"file\":");
		jw_str(&w, v->file);
		jw_s(&w, ",\"frame\":");
		jw_u(&w, v->frame, 0);
	}
	jw_s(&w, ",\"time\":");
	jw_time(&w, v->ts_ns);
	jw_s(&w, ",\"src\":\"");
	jw_s(&w, ipaddr_str(&v->src, a, sizeof(a)));
	jw_s(&w, "\",\"sport\":");
	jw_u(&w, v->sport, 0);
	jw_s(&w, ",\"dst\":\"");
	jw_s(&w, ipaddr_str(&v->dst, a, sizeof(a)));
	jw_s(&w, "\",\"dport\":");
	jw_u(&w, v->dport, 0);
	jw_s(&w, ",\"ipver\":");
	jw_u(&w, v->ipver, 0);
	jw_s(&w, ",\"ttl\":");
	jw_u(&w, v->ttl, 0);
	flags_str(v->flags, fl);
	jw_s(&w, ",\"flags\":\"");
	jw_s(&w, fl);
	jw_s(&w, "\",\"seq\":");
	jw_u(&w, v->seq, 0);
	jw_s(&w, ",\"ack\":");
	jw_u(&w, v->ack, 0);
	jw_s(&w, ",\"ipid\":");
	jw_u(&w, v->ipid, 0);
	jw_s(&w, ",\"payload_len\":");
	jw_u(&w, v->payload_len, 0);
	jw_s(&w, ",\"flow_id\":");
	jw_u(&w, v->flow_id, 0);
	jw_s(&w, ",\"kind\":\"");
	jw_s(&w, rst_kind_name[v->kind]);
	jw_s(&w, "\",\"sender_role\":\"");
	jw_s(&w, rst_role_name[v->sender_role]);
	jw_s(&w, "\",\"forged\":\"");
	jw_s(&w, rst_forged_name[v->forged]);
	jw_s(&w, "\",\"forged_evidence\":");
	jw_str(&w, v->forged_evidence);
	jw_s(&w, ",\"shape\":\"");
	jw_s(&w, rst_shape_name[v->shape]);
	jw_s(&w, "\",\"idle_gap_s\":");
	if (v->idle_gap_s >= 0)
		jw_fixed(&w, 3, v->idle_gap_s);
	else
		jw_s(&w, "null");
	jw_s(&w, ",\"bytes_in_flight\":");
	jw_u(&w, v->bytes_in_flight, 0);
	jw_s(&w, ",\"cluster_size\":");
	jw_u(&w, v->cluster_size, 0);
	jw_s(&w, ",\"cause\":\"");
	jw_s(&w, rst_cause_name[v->cause]);
	jw_s(&w, "\",\"cause_rule\":");
	if (v->cause_rule)
		jw_str(&w, v->cause_rule);
	else
		jw_s(&w, "null");
	jw_s(&w, ",\"cause_evidence\":");
	jw_str(&w, v->cause_evidence);
	jw_s(&w, ",\"http\":");
	if (v->http_method[0]) {
		jw_s(&w, "{\"method\":\"");
		jw_s(&w, v->http_method);
		jw_s(&w, "\",\"prior_requests\":");
		jw_u(&w, v->http_prior_requests, 0);
		jw_s(&w, ",\"reused\":");
		jw_bool(&w, v->http_prior_requests);
		jw_s(&w, ",\"last_status\":");
		if (v->http_last_status)
			jw_u(&w, v->http_last_status, 0);
		else
			jw_s(&w, "null");
		jw_s(&w, ",\"expect_100\":");
		jw_bool(&w, v->http_expect_100);
		jw_s(&w, ",\"unanswered\":");
		jw_bool(&w, v->http_request_unanswered);
		jw_s(&w, "}");
	} else {
		jw_s(&w, "null");
	}
	jw_s(&w, ",\"tls\":\"");
	jw_s(&w, tls_stage_name[v->tls]);
	jw_s(&w, "\",\"payload_text\":");
	jw_str_or_null(&w, v->payload_text);
	if (v->corr.n) {
		jw_flush(&w);
		report_json_rst_corr(f, &v->corr);
	}
	if (v->kernel_checked)
		jw_kernel(&w, v);
	jw_put(&w, "}\n", 2);
	jw_flush(&w);
}

void report_json_error(FILE *f, const char *file, uint64_t frame, const char *message)
{
	fputs("{\"type\":\"error\",\"file\":", f);
	report_json_string(f, file);
	if (frame)
		fprintf(f, ",\"frame\":%" PRIu64 ",\"message\":", frame);
	else
		fputs(",\"frame\":null,\"message\":", f);
	report_json_string(f, message);
	fputs("}\n", f);
}

/* An example; its capture named when it is not the summary's own (a
 * summary of several). */
static void json_example(FILE *f, const struct diag_example *ex, const char *file)
{
	fprintf(f, "{\"frame\":%" PRIu64 ",\"flow\":", ex->frame);
	report_json_string(f, ex->flow);
	if (ex->file && (!file || strcmp(ex->file, file))) {
		fputs(",\"file\":", f);
		report_json_string(f, ex->file);
	}
	putc('}', f);
}

/* What a summary is made of, exactly, for rstscope merge: confidence sums,
 * idle gaps, survived silences by bucket, the race gaps, the largest
 * cluster, race examples, host findings' exact figures. */
static void json_raw(FILE *f, const struct diagnosis *d, const char *file)
{
	unsigned n = 0;

	fputs(",\"raw\":{\"conf_sum\":{", f);
	for (int i = 0; i < CAUSE__COUNT; i++)
		if (d->causes[i].count)
			fprintf(f, "%s\"%s\":%.17g", n++ ? "," : "", rst_cause_name[i],
				d->causes[i].conf_sum);
	fputs("},\"gaps\":[", f);
	for (unsigned i = 0; i < d->n_gaps; i++)
		fprintf(f, "%s%.17g", i ? "," : "", d->gaps[i]);
	fprintf(f, "],\"gaps_dropped\":%" PRIu64 ",\"survived\":[", d->gaps_dropped);
	n = 0;
	for (int b = 0; b < DIAG_SURV_BUCKETS; b++)
		if (d->survived[b])
			fprintf(f, "%s[%d,%" PRIu32 "]", n++ ? "," : "", b, d->survived[b]);
	fprintf(f, "],\"n_survived\":%" PRIu64 ",\"race_gap_ms\":[%.17g,%.17g],\"max_cluster\":%u"
		",\"race_examples\":[", d->n_survived, d->race_gap_ms_min, d->race_gap_ms_max,
		d->max_cluster);
	for (uint64_t k = 0; k < d->races && k < DIAG_EXAMPLES; k++) {
		if (k)
			putc(',', f);
		json_example(f, &d->race_ex[k], file);
	}
	fputs("],\"host\":[", f);
	for (unsigned i = 0; i < d->n_host; i++)
		fprintf(f, "%s{\"max_rate\":%.17g,\"first_ns\":%" PRId64 ",\"last_ns\":%" PRId64 "}",
			i ? "," : "", d->host[i].max_rate, d->host[i].first_ns, d->host[i].last_ns);
	fputs("]}", f);
}

void report_json_summary(FILE *f, const char *file, const struct diagnosis *d,
			 const struct engine_stats *s)
{
	report_json_summary_of(f, file, 0, d, s);
}

void report_json_summary_of(FILE *f, const char *file, unsigned files, const struct diagnosis *d,
			    const struct engine_stats *s)
{
	fputs("{\"type\":\"summary\",\"file\":", f);
	if (file)
		report_json_string(f, file);
	else
		fputs("null", f);
	if (files)
		fprintf(f, ",\"files\":%u", files);
	fprintf(f, ",\"resets\":%" PRIu64 ",\"causes\":[", d->resets);
	for (unsigned i = 0, n = 0; i < CAUSE__COUNT; i++) {
		const struct diag_cause *c = &d->causes[d->rank[i]];

		if (!c->count)
			continue;
		fprintf(f, "%s{\"id\":\"%s\",\"count\":%" PRIu64 ",\"confidence\":%.2f,\"fix\":",
			n++ ? "," : "", rst_cause_name[c->id], c->count, c->confidence);
		report_json_string(f, rst_cause_fix[c->id]);
		if (diagnosis_host_for(d, c->id)) {
			char ev[200];

			report_host_evidence(diagnosis_host_for(d, c->id), ev, sizeof(ev));
			fputs(",\"host_evidence\":", f);
			report_json_string(f, ev);
		}
		fputs(",\"examples\":[", f);
		for (unsigned k = 0; k < c->n_examples; k++) {
			if (k)
				putc(',', f);
			json_example(f, &c->ex[k], file);
		}
		fputs("]}", f);
	}
	fputs("],\"idle_timeouts\":[", f);
	for (unsigned i = 0; i < d->n_timeouts; i++) {
		const struct diag_timeout *t = &d->timeouts[i];

		fprintf(f, "%s{\"seconds\":%.1f,\"max_seconds\":%.1f,\"count\":%" PRIu64
			",\"survived_seconds\":", i ? "," : "", t->lo_s, t->hi_s, t->count);
		if (t->survived_s >= 0)
			fprintf(f, "%.1f", t->survived_s);
		else
			fputs("null", f);
		fprintf(f, ",\"consistent\":%s}", t->consistent ? "true" : "false");
	}
	fprintf(f, "],\"keepalive_races\":{\"count\":%" PRIu64, d->races);
	if (d->races)
		fprintf(f, ",\"gap_ms_min\":%.3f,\"gap_ms_max\":%.3f", d->race_gap_ms_min,
			d->race_gap_ms_max);
	fprintf(f, "},\"risky_retries\":{\"count\":%" PRIu64 ",\"examples\":[", d->risky);
	for (unsigned k = 0; k < d->risky && k < DIAG_EXAMPLES; k++) {
		fprintf(f, "%s{\"method\":\"%s\",\"frame\":%" PRIu64 ",\"flow\":", k ? "," : "",
			d->risky_method[k], d->risky_ex[k].frame);
		report_json_string(f, d->risky_ex[k].flow);
		if (d->risky_ex[k].file && (!file || strcmp(d->risky_ex[k].file, file))) {
			fputs(",\"file\":", f);
			report_json_string(f, d->risky_ex[k].file);
		}
		putc('}', f);
	}
	fputs("]}", f);
	if (d->n_host) {   /* watch's host findings */
		fputs(",\"host\":[", f);
		for (unsigned i = 0; i < d->n_host; i++) {
			const struct diag_host *h = &d->host[i];

			fprintf(f, "%s{\"finding\":\"%s\",\"where\":", i ? "," : "", h->name);
			report_json_string(f, h->where);
			fprintf(f, ",\"netns\":");
			if (h->netns)
				fprintf(f, "%" PRIu64, h->netns);
			else
				fputs("null", f);
			fprintf(f, ",\"count\":%" PRIu64 ",\"max_rate\":%.1f,\"intervals\":%u,\"cause\":",
				h->count, h->max_rate, h->intervals);
			if (h->cause < CAUSE__COUNT)
				fprintf(f, "\"%s\"}", rst_cause_name[h->cause]);
			else
				fputs("null}", f);
		}
		fprintf(f, "],\"host_dropped\":%" PRIu64, d->host_dropped);
	}
	fputs(",\"kinds\":{", f);
	for (int k = 0; k < KIND__COUNT; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", rst_kind_name[k], d->by_kind[k]);
	fputs("},\"forged\":{", f);
	for (int k = 0; k < FORGED__COUNT; k++)
		fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", rst_forged_name[k], d->by_forged[k]);
	fprintf(f, "},\"clustered\":%" PRIu64 ",\"stats\":{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64,
		d->clustered, s->frames, s->bytes);
	for (int r = 0; r < DECODE__COUNT; r++)
		fprintf(f, ",\"%s\":%" PRIu64, decode_result_name[r], s->result[r]);
	fprintf(f, ",\"flows_created\":%" PRIu64 ",\"flows_peak\":%" PRIu64 ",\"flows_evicted\":%"
		PRIu64 ",\"flows_expired\":%" PRIu64 ",\"time_backwards\":%" PRIu64 "}",
		s->flows_created, s->flows_peak, s->flows_evicted, s->flows_expired, s->time_backwards);
	json_raw(f, d, file);
	fputs("}\n", f);
}
