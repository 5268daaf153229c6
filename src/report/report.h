/* report: verdicts and diagnoses to text (for people) and JSON Lines (for
 * programs; schema in docs/output.md). Writers take the stream explicitly. */
#ifndef RSTSCOPE_REPORT_H
#define RSTSCOPE_REPORT_H
#include <stdbool.h>
#include <stdio.h>

#include "verdict/verdict.h"

struct diagnosis;
struct engine_stats;
struct corr_summary;

struct report_opts {
	bool colour;
	bool verbose;
};

/* One JSON object (one line) for an RST: "type":"rst" and the fields of
 * docs/output.md; kernel_reason, pid and comm are added when
 * v->kernel_checked. */
void report_json_rst(FILE *f, const struct rst_verdict *v);
/* The "type":"summary" object for a capture (or a live run). `file` may be
 * NULL for a live run. */
void report_json_summary(FILE *f, const char *file, const struct diagnosis *d,
			 const struct engine_stats *s);
/* The same for a summary of `files` captures (file NULL; files > 0 adds
 * "files"). Every summary carries "raw": what rstscope merge needs to add
 * it up exactly. */
void report_json_summary_of(FILE *f, const char *file, unsigned files, const struct diagnosis *d,
			    const struct engine_stats *s);

/* One readable block for an RST. */
void report_text_rst(FILE *f, const struct rst_verdict *v, const struct report_opts *o);
/* The readable diagnosis: ranked causes, idle timeouts, races, risks. */
void report_text_summary(FILE *f, const char *file, const struct diagnosis *d,
			 const struct engine_stats *s, const struct report_opts *o);

/* analyze --correlate: the "type":"correlation" object, and the text
 * header (flows matched between each pair of captures, clock offsets). */
void report_json_correlation(FILE *f, const struct corr_summary *s);
void report_text_correlation(FILE *f, const struct corr_summary *s, const struct report_opts *o);
/* An RST's ,"correlation":{...} member; nothing when c->n is 0. */
void report_json_rst_corr(FILE *f, const struct rst_corr *c);

/* A "type":"error" object: an input that could not be read (frame 0: the
 * file itself) or that is truncated or corrupt at `frame`. */
void report_json_error(FILE *f, const char *file, uint64_t frame, const char *message);
/* Write s as a JSON string literal (quotes included), escaping as RFC 8259. */
void report_json_string(FILE *f, const char *s);

/* One host finding of a diagnosis as a phrase ("listen-overflow at
 * listener 10.0.0.2:80: 120 in 3 sampled intervals (up to 60/s)"). */
void report_host_evidence(const struct diag_host *h, char *buf, size_t size);

#endif
