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

void report_json_string(FILE *f, const char *s)
{
	putc('"', f);
	while (s && *s) {
		unsigned char c;
		size_t n = 0;

		while (json_plain((unsigned char)s[n]))
			n++;
		if (n) {   /* a run at a time: one locked call, not one a character */
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		c = (unsigned char)*s++;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else
			fprintf(f, "\\u%04x", c);
	}
	putc('"', f);
}

static void time_str(int64_t ns, char *buf, size_t size)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;

	if (frac % 1000)
		snprintf(buf, size, "%" PRId64 ".%09" PRId64, sec, frac);
	else
		snprintf(buf, size, "%" PRId64 ".%06" PRId64, sec, frac / 1000);
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

void report_json_rst(FILE *f, const struct rst_verdict *v)
{
	char a[48], b[48], t[32], fl[9];

	ipaddr_str(&v->src, a, sizeof(a));
	ipaddr_str(&v->dst, b, sizeof(b));
	time_str(v->ts_ns, t, sizeof(t));
	flags_str(v->flags, fl);
	/* a kernel reset no capture showed: the same verdict, no frame */
	if (v->kernel_only) {
		fputs("{\"type\":\"kernel_reset\",\"file\":null,\"frame\":null", f);
	} else {
		fputs("{\"type\":\"rst\",\"file\":", f);
		report_json_string(f, v->file);
		fprintf(f, ",\"frame\":%" PRIu64, v->frame);
	}
	fprintf(f, ",\"time\":%s,\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\","
		"\"dport\":%u,\"ipver\":%u,\"ttl\":%u,\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,"
		"\"ipid\":%u,\"payload_len\":%u,\"flow_id\":%" PRIu64 ",",
		t, a, v->sport, b, v->dport, v->ipver, v->ttl, fl, v->seq, v->ack,
		v->ipid, v->payload_len, v->flow_id);
	fprintf(f, "\"kind\":\"%s\",\"sender_role\":\"%s\",\"forged\":\"%s\",\"forged_evidence\":",
		rst_kind_name[v->kind], rst_role_name[v->sender_role], rst_forged_name[v->forged]);
	report_json_string(f, v->forged_evidence);
	fprintf(f, ",\"shape\":\"%s\",\"idle_gap_s\":", rst_shape_name[v->shape]);
	if (v->idle_gap_s >= 0)
		fprintf(f, "%.3f", v->idle_gap_s);
	else
		fputs("null", f);
	fprintf(f, ",\"bytes_in_flight\":%" PRIu64 ",\"cluster_size\":%u,\"cause\":\"%s\","
		"\"cause_evidence\":", v->bytes_in_flight, v->cluster_size,
		rst_cause_name[v->cause]);
	report_json_string(f, v->cause_evidence);
	fputs(",\"http\":", f);
	if (v->http_method[0]) {
		fprintf(f, "{\"method\":\"%s\",\"prior_requests\":%u,\"reused\":%s,\"last_status\":",
			v->http_method, v->http_prior_requests, v->http_prior_requests ? "true" : "false");
		if (v->http_last_status)
			fprintf(f, "%u", v->http_last_status);
		else
			fputs("null", f);
		fprintf(f, ",\"expect_100\":%s,\"unanswered\":%s}", v->http_expect_100 ? "true" : "false",
			v->http_request_unanswered ? "true" : "false");
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"tls\":\"%s\",\"payload_text\":", tls_stage_name[v->tls]);
	if (v->payload_text[0])
		report_json_string(f, v->payload_text);
	else
		fputs("null", f);
	report_json_rst_corr(f, &v->corr);
	if (v->kernel_checked) {
		fputs(",\"kernel_reason\":", f);
		if (v->kernel_reason[0])
			report_json_string(f, v->kernel_reason);
		else
			fputs("null", f);
		if (v->pid >= 0) {
			fprintf(f, ",\"pid\":%d,\"comm\":", v->pid);
			report_json_string(f, v->comm);
		} else {
			fputs(",\"pid\":null,\"comm\":null", f);
		}
		fprintf(f, ",\"kernel_match\":\"%s\",\"by_closer\":%s,\"kernel_state\":",
			rst_kernel_name[v->kernel], v->by_closer ? "true" : "false");
		if (v->kernel_state[0])
			report_json_string(f, v->kernel_state);
		else
			fputs("null", f);
		if (v->netns)
			fprintf(f, ",\"netns\":%" PRIu64, v->netns);
		else
			fputs(",\"netns\":null", f);
		fputs(",\"cgroup\":", f);
		if (v->cgroup[0])
			report_json_string(f, v->cgroup);
		else
			fputs("null", f);
		fputs(",\"container\":", f);
		if (v->container[0])
			report_json_string(f, v->container);
		else
			fputs("null", f);
		fprintf(f, ",\"owner_gone\":%s,\"oom_kill\":", v->owner_gone ? "true" : "false");
		if (v->oom_pid > 0) {
			fprintf(f, "{\"pid\":%d,\"comm\":", v->oom_pid);
			report_json_string(f, v->oom_comm);
			fputs(",\"cgroup\":", f);
			if (v->oom_cgroup[0])
				report_json_string(f, v->oom_cgroup);
			else
				fputs("null", f);
			if (v->oom_limit)
				fprintf(f, ",\"limit_bytes\":%" PRIu64 "}", v->oom_limit);
			else
				fputs(",\"limit_bytes\":null}", f);
		} else {
			fputs("null", f);
		}
		fputs(",\"listen_overflow\":", f);
		if (v->overflow_drops)
			fprintf(f, "{\"drops\":%" PRIu64 ",\"interval_s\":%.1f,\"rate\":%.1f}",
				v->overflow_drops, v->overflow_interval_s, v->overflow_rate);
		else
			fputs("null", f);
	}
	fputs("}\n", f);
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
