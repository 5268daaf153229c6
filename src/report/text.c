/* text: the readable report: one block per RST, then the diagnosis. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "report/report.h"
#include "util/util.h"

#define C(o, code) ((o)->colour ? "\033[" code "m" : "")
#define BOLD(o) C(o, "1")
#define RED(o) C(o, "31")
#define YEL(o) C(o, "33")
#define GRN(o) C(o, "32")
#define DIM(o) C(o, "2")
#define OFF(o) C(o, "0")

static void when(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06" PRId64, day, (ns % 1000000000) / 1000);
}

/* "A", "A and B", "A, B and C": the captures of mask. */
static void names(FILE *f, const struct rst_corr *c, unsigned mask)
{
	unsigned left = (unsigned)__builtin_popcount(mask);

	for (unsigned i = 0; i < c->n; i++)
		if (mask >> i & 1) {
			fputs(c->files[i], f);
			left--;
			if (left > 1)
				fputs(", ", f);
			else if (left == 1)
				fputs(" and ", f);
		}
}

/* Where, along the RST's way from its claimed sender, it first appeared
 * after a capture that lacked it (built between them), or vanished after
 * one that had it (dropped between them): one of them, or neither. */
static void corr_where(FILE *f, const struct rst_corr *c, enum rst_role role)
{
	int n = c->n, step = role == ROLE_SERVER ? -1 : 1, prev = -1;
	bool prev_seen = false;

	if (role == ROLE_UNKNOWN)
		return;
	for (int i = role == ROLE_SERVER ? n - 1 : 0; i >= 0 && i < n; i += step) {
		bool seen = c->seen >> i & 1, absent = c->absent >> i & 1;
		int lo, hi;

		if (!seen && !absent)
			continue;
		lo = prev < i ? prev : i;
		hi = prev < i ? i : prev;
		if (prev >= 0 && seen != prev_seen) {
			fprintf(f, ": %s between %s and %s", seen ? "built" : "dropped",
				c->files[lo], c->files[hi]);
			return;
		}
		prev = i;
		prev_seen = seen;
	}
}

static void corr_line(FILE *f, const struct rst_verdict *v)
{
	const struct rst_corr *c = &v->corr;
	unsigned all = (1u << c->n) - 1, covered = c->seen | c->absent;

	if (!c->n || !c->files || c->self >= c->n)
		return;
	fprintf(f, "  %-8s ", "seen");
	if (!c->seen) {
		fprintf(f, "not correlated: %s shares no flow with the other captures\n",
			c->files[c->self]);
		return;
	}
	fputs("in ", f);
	names(f, c, c->seen);
	if (c->absent) {
		fputs(", not in ", f);
		names(f, c, c->absent);
		corr_where(f, c, v->sender_role);
	} else if (c->seen == all && c->n > 1) {
		fputs(": at every point", f);
	}
	if (covered != all) {
		fputs(covered == c->seen && !c->absent && c->seen == (1u << c->self) ? " only (" : " (",
		      f);
		names(f, c, all & ~covered);
		fputs(" did not cover this flow then)", f);
	}
	fputc('\n', f);
}

void report_text_rst(FILE *f, const struct rst_verdict *v, const struct report_opts *o)
{
	char flow[112], t[48];
	const char *fc = v->forged == FORGED_FORGED ? RED(o) : v->forged == FORGED_GENUINE ? GRN(o)
										       : YEL(o);

	verdict_flow_str(v, flow, sizeof(flow));
	when(v->ts_ns, t, sizeof(t));
	if (v->kernel_only)
		fprintf(f, "%skernel reset%s  %s  %s  (%s; no capture showed it)\n", BOLD(o), OFF(o),
			t, flow, v->kernel == RK_SENT ? "sent" : "received");
	else
		fprintf(f, "%sframe %" PRIu64 "%s  %s  %s  %s%s %s %u\n", BOLD(o), v->frame, OFF(o),
			t, flow, (v->flags & TH_ACK) ? "RST+ACK" : "RST",
			v->payload_len ? " with data" : "", v->ipver == 6 ? "hop limit" : "ttl",
			v->ttl);
	if (v->sender_role == ROLE_UNKNOWN)
		fprintf(f, "  %-8s %s, sender's role unknown (no SYN, ports give no hint)\n",
			"kind", rst_kind_name[v->kind]);
	else
		fprintf(f, "  %-8s %s, sent by the %s\n", "kind", rst_kind_name[v->kind],
			rst_role_name[v->sender_role]);
	fprintf(f, "  %-8s %s%s%s: %s\n", "sender", fc, rst_forged_name[v->forged], OFF(o),
		v->forged_evidence);
	corr_line(f, v);
	fprintf(f, "  %-8s %s", "shape", rst_shape_name[v->shape]);
	if (v->idle_gap_s >= 0)
		fprintf(f, " after %.3f s idle", v->idle_gap_s);
	if (v->bytes_in_flight)
		fprintf(f, ", %" PRIu64 " bytes in flight", v->bytes_in_flight);
	if (v->cluster_size > 1)
		fprintf(f, ", one of %u flows of this host reset together", v->cluster_size);
	fputc('\n', f);
	if (v->http_method[0]) {
		fprintf(f, "  %-8s HTTP %s%s", "context", v->http_method,
			v->http_request_unanswered ? " (unanswered)" : "");
		if (v->http_prior_requests)
			fprintf(f, " on a reused connection (%u earlier requests)",
				v->http_prior_requests);
		if (v->http_last_status)
			fprintf(f, ", last status %u", v->http_last_status);
		if (v->http_expect_100)
			fputs(", Expect: 100-continue", f);
		fputc('\n', f);
	}
	if (v->tls != TLS_NONE)
		fprintf(f, "  %-8s TLS handshake %s\n", "context",
			v->tls == TLS_ESTABLISHED ? "completed" : "not completed");
	if (v->payload_text[0])
		fprintf(f, "  %-8s \"%s\"\n", "payload", v->payload_text);
	if (v->kernel_checked) {
		if (v->kernel_reason[0])
			fprintf(f, "  %-8s %s", "kernel", v->kernel_reason);
		else
			fprintf(f, "  %-8s no reset event on this host", "kernel");
		if (v->kernel_state[0] && strcmp(v->kernel_state, "UNKNOWN"))
			fprintf(f, " in %s", v->kernel_state);
		if (v->pid >= 0)
			fprintf(f, " (%s %s[%d])", v->by_closer ? "closed by" : "socket of", v->comm,
				v->pid);
		if (v->container[0])
			fprintf(f, " in %s", v->container);
		else if (v->cgroup[0])
			fprintf(f, " in cgroup %s", v->cgroup);
		if (v->netns)
			fprintf(f, ", netns %" PRIu64, v->netns);
		fputc('\n', f);
	}
	fprintf(f, "  %-8s %s%s%s: %s\n\n", "cause", BOLD(o), rst_cause_name[v->cause], OFF(o),
		v->cause_evidence);
}

void report_host_evidence(const struct diag_host *h, char *buf, size_t size)
{
	char at[112] = "";

	if (h->where[0])
		fmt_buf(at, sizeof(at), " at %s", h->where);
	fmt_buf(buf, size, "%s%s: %" PRIu64 " in %u sampled interval%s (up to %.0f/s)", h->name, at,
		h->count, h->intervals, h->intervals == 1 ? "" : "s", h->max_rate);
}

void report_text_summary(FILE *f, const char *file, const struct diagnosis *d,
			 const struct engine_stats *s, const struct report_opts *o)
{
	unsigned rank = 0;

	fprintf(f, "%s== %s: %" PRIu64 " reset%s in %" PRIu64 " frames ==%s\n", BOLD(o),
		file ? file : "live", d->resets, d->resets == 1 ? "" : "s", s->frames, OFF(o));
	if (d->resets) {
		fputs("  kinds:", f);
		for (int k = 0; k < KIND__COUNT; k++)
			if (d->by_kind[k])
				fprintf(f, " %s %" PRIu64, rst_kind_name[k], d->by_kind[k]);
		fprintf(f, "; senders: genuine %" PRIu64 ", forged %" PRIu64 ", unknown %" PRIu64 "\n",
			d->by_forged[FORGED_GENUINE], d->by_forged[FORGED_FORGED],
			d->by_forged[FORGED_UNKNOWN]);
	}
	for (unsigned i = 0; i < CAUSE__COUNT; i++) {
		const struct diag_cause *c = &d->causes[d->rank[i]];

		if (!c->count)
			continue;
		fprintf(f, "\n%s%u. %s%s (%s) %" PRIu64 " reset%s, confidence %.0f%%\n", BOLD(o),
			++rank, rst_cause_title[c->id], OFF(o), rst_cause_name[c->id], c->count,
			c->count == 1 ? "" : "s", c->confidence * 100);
		for (unsigned k = 0; k < c->n_examples; k++)
			if (c->ex[k].frame && c->ex[k].file && file && strcmp(c->ex[k].file, file))
				/* a summary of several captures: which one */
				fprintf(f, "   e.g. frame %" PRIu64 " of %s  %s\n", c->ex[k].frame,
					c->ex[k].file, c->ex[k].flow);
			else if (c->ex[k].frame)
				fprintf(f, "   e.g. frame %" PRIu64 "  %s\n", c->ex[k].frame,
					c->ex[k].flow);
			else
				fprintf(f, "   e.g. kernel reset  %s\n", c->ex[k].flow);
		if (diagnosis_host_for(d, c->id)) {
			char ev[200];

			report_host_evidence(diagnosis_host_for(d, c->id), ev, sizeof(ev));
			fprintf(f, "   host: %s\n", ev);
		}
		fprintf(f, "   fix: %s\n", rst_cause_fix[c->id]);
	}
	for (unsigned i = 0; i < d->n_host; i++) {
		char ev[200];

		report_host_evidence(&d->host[i], ev, sizeof(ev));
		fprintf(f, "%shost: %s%s\n", i ? "" : "\n", ev,
			d->host[i].cause < CAUSE__COUNT && !d->causes[d->host[i].cause].count ?
			" (no reset of this cause seen)" : "");
	}
	for (unsigned i = 0; i < d->n_timeouts; i++) {
		const struct diag_timeout *t = &d->timeouts[i];

		if (i == 0)
			fputc('\n', f);
		if (!t->consistent) {
			fprintf(f, "idle gaps: %" PRIu64 " reset%s after %.1f-%.1f s idle, but "
				"connections reused after longer silences (to these or other servers) "
				"survived: not one idle timeout for all\n", t->count,
				t->count == 1 ? "" : "s", t->lo_s, t->hi_s);
			continue;
		}
		fprintf(f, "idle timeout: a hop reaps idle connections at %.1f", t->lo_s);
		if (t->hi_s - t->lo_s >= 0.05)
			fprintf(f, "-%.1f", t->hi_s);
		fprintf(f, " s: %" PRIu64 " reset%s", t->count, t->count == 1 ? "" : "s");
		if (t->survived_s >= 0)
			fprintf(f, "; reuses after up to %.1f s idle survived, so the timeout lies "
				"between %.1f and %.1f s", t->survived_s, t->survived_s, t->lo_s);
		fprintf(f, "%s\n", t->count == 1 ? " (one observation: a guess until it repeats)" : "");
	}
	if (d->races)
		fprintf(f, "\nkeep-alive races: %" PRIu64 " request%s met the server closing the "
			"idle connection (crossed its FIN, or sat unread as it closed; %.1f-%.1f ms "
			"apart), e.g. frame %" PRIu64 " %s\n", d->races,
			d->races == 1 ? "" : "s", d->race_gap_ms_min, d->race_gap_ms_max,
			d->race_ex[0].frame, d->race_ex[0].flow);
	if (d->risky) {
		fprintf(f, "\n%sduplicate risk:%s %" PRIu64 " non-idempotent request%s reset on a "
			"reused connection; a blind retry may repeat them:\n", YEL(o), OFF(o),
			d->risky, d->risky == 1 ? "" : "s");
		for (unsigned k = 0; k < d->risky && k < DIAG_EXAMPLES; k++)
			fprintf(f, "   %s frame %" PRIu64 "  %s\n", d->risky_method[k],
				d->risky_ex[k].frame, d->risky_ex[k].flow);
	}
	fprintf(f, "\n%sframes: %" PRIu64 " tcp %" PRIu64 ", not tcp %" PRIu64 ", truncated %" PRIu64
		", malformed %" PRIu64 ", fragments %" PRIu64 ", unsupported %" PRIu64
		"; flows %" PRIu64 " (peak %" PRIu64 " open, %" PRIu64 " evicted)%s\n", DIM(o),
		s->frames, s->result[DECODE_OK], s->result[DECODE_NOT_TCP],
		s->result[DECODE_TRUNCATED], s->result[DECODE_MALFORMED],
		s->result[DECODE_FRAGMENT], s->result[DECODE_UNSUPPORTED], s->flows_created,
		s->flows_peak, s->flows_evicted, OFF(o));
	if (s->flows_evicted)
		fprintf(f, "note: the flow table cap was reached; %" PRIu64 " flows were evicted "
			"(raise --max-flows)\n", s->flows_evicted);
	if (s->time_backwards)
		fprintf(f, "note: %" PRIu64 " timestamps went backwards and were clamped\n",
			s->time_backwards);
}
