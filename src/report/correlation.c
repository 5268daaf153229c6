/* correlation: the --correlate header (which flows matched between which
 * captures, the clock offsets) in JSON and text, and an RST's presence
 * line. The schema is docs/output.md. */
#include <inttypes.h>
#include <stdio.h>

#include "correlate/correlate.h"
#include "report/report.h"

static void json_files(FILE *f, const char *const *files, unsigned n, unsigned mask)
{
	unsigned k = 0;

	putc('[', f);
	for (unsigned i = 0; i < n; i++)
		if (mask >> i & 1) {
			if (k++)
				putc(',', f);
			report_json_string(f, files[i]);
		}
	putc(']', f);
}

void report_json_rst_corr(FILE *f, const struct rst_corr *c)
{
	if (!c->n || !c->files)
		return;
	fputs(",\"correlation\":{\"seen_in\":", f);
	json_files(f, c->files, c->n, c->seen);
	fputs(",\"absent_in\":", f);
	json_files(f, c->files, c->n, c->absent);
	putc('}', f);
}

static uint64_t matched(const struct corr_pair_info *p)
{
	return p->by_tuple + p->by_nat_isn + p->by_nat_data;
}

void report_json_correlation(FILE *f, const struct corr_summary *s)
{
	fputs("{\"type\":\"correlation\",\"files\":", f);
	json_files(f, s->files, s->n, (1u << s->n) - 1);
	fputs(",\"captures\":[", f);
	for (unsigned i = 0; i < s->n; i++) {
		fprintf(f, "%s{\"file\":", i ? "," : "");
		report_json_string(f, s->files[i]);
		fprintf(f, ",\"rsts\":%" PRIu64 ",\"shares_flows\":%s,\"dropped_flows\":%" PRIu64
			",\"dropped_rsts\":%" PRIu64 ",\"read_error\":%s}", s->rsts[i],
			s->shares[i] ? "true" : "false", s->dropped_flows[i], s->dropped_rsts[i],
			s->read_error[i] ? "true" : "false");
	}
	fputs("],\"pairs\":[", f);
	for (unsigned k = 0; k < s->npairs; k++) {
		const struct corr_pair_info *p = &s->pair[k];

		fprintf(f, "%s{\"a\":", k ? "," : "");
		report_json_string(f, s->files[p->a]);
		fputs(",\"b\":", f);
		report_json_string(f, s->files[p->b]);
		fprintf(f, ",\"flows_a\":%" PRIu64 ",\"flows_b\":%" PRIu64 ",\"matched\":%" PRIu64
			",\"by_tuple\":%" PRIu64 ",\"by_nat_isn\":%" PRIu64 ",\"by_nat_data\":%" PRIu64
			",\"seq_shifted\":%" PRIu64 ",\"clock_offset_s\":", p->flows_a, p->flows_b,
			matched(p), p->by_tuple, p->by_nat_isn, p->by_nat_data, p->seq_shifted);
		if (p->clock_known)
			fprintf(f, "%.6f", p->offset_s);
		else
			fputs("null", f);
		fputs(",\"path_delay_s\":", f);
		if (p->clock_known && p->delay_known)
			fprintf(f, "%.6f", p->delay_s);
		else
			fputs("null", f);
		fputs(",\"window_s\":", f);
		if (p->clock_known)
			fprintf(f, "%.3f", p->window_s);
		else
			fputs("null", f);
		fprintf(f, ",\"offset_packets\":%" PRIu64 "}", p->samples);
	}
	fputs("]}\n", f);
}

void report_text_correlation(FILE *f, const struct corr_summary *s, const struct report_opts *o)
{
	fprintf(f, "%s== correlation of %u captures, from the client side:", o->colour ? "\033[1m" : "",
		s->n);
	for (unsigned i = 0; i < s->n; i++)
		fprintf(f, "%s %s", i ? "," : "", s->files[i]);
	fprintf(f, " ==%s\n", o->colour ? "\033[0m" : "");
	for (unsigned k = 0; k < s->npairs; k++) {
		const struct corr_pair_info *p = &s->pair[k];
		const char *a = s->files[p->a], *b = s->files[p->b];

		if (!matched(p)) {
			fprintf(f, "  %s ~ %s: no flow in common (%" PRIu64 " and %" PRIu64
				" flows): their RSTs are not correlated\n", a, b, p->flows_a,
				p->flows_b);
			continue;
		}
		fprintf(f, "  %s ~ %s: %" PRIu64 " flows matched (%" PRIu64 " by 5-tuple, %" PRIu64
			" across a NAT by ISN, %" PRIu64 " across a NAT by data) of %" PRIu64 " and %"
			PRIu64, a, b, matched(p), p->by_tuple, p->by_nat_isn, p->by_nat_data,
			p->flows_a, p->flows_b);
		if (p->seq_shifted)
			fprintf(f, ", %" PRIu64 " with sequence numbers rewritten", p->seq_shifted);
		if (p->clock_known) {
			fprintf(f, "; %s's clock is %.6f s %s %s's", b, p->offset_s < 0 ? -p->offset_s
				: p->offset_s, p->offset_s < 0 ? "behind" : "ahead of", a);
			if (p->delay_known)
				fprintf(f, ", path delay %.3f ms", p->delay_s * 1e3);
			fprintf(f, " (from %" PRIu64 " packets; an RST is looked for within %.3f s)",
				p->samples, p->window_s);
		} else {
			fputs("; no packet seen in both: clocks not aligned", f);
		}
		fputc('\n', f);
	}
	for (unsigned i = 0; i < s->n; i++)
		if (s->dropped_flows[i] || s->dropped_rsts[i])
			fprintf(f, "  note: %s: %" PRIu64 " flows and %" PRIu64 " RSTs beyond the "
				"correlation's caps are not correlated\n", s->files[i],
				s->dropped_flows[i], s->dropped_rsts[i]);
	fputc('\n', f);
}
