/* html: analyze --html, one self-contained page for a person: per capture
 * the resets over time by cause, the idle gaps before them with the
 * estimated reaping timeout, hop distance by sender with the forged RSTs
 * apart, the ranked causes with their evidence and fix, a table of every
 * RST and the packet ladder of a chosen flow.
 *
 * Pass 1 (html_rst, from the engine's sink) keeps a compact row per RST
 * and, for a bounded set of flows with RSTs (HTML_LADDERS_MAX), the
 * evidence strings. html_capture_end() reads the capture a second time and
 * keeps the packets of those flows (at most HTML_LADDER_PKTS each, around
 * the flow's first RST). html_write() aggregates (time buckets, histogram
 * bins, per-sender counts) and writes the page: the data as one embedded
 * JSON block, drawn by the page's own script; nothing is loaded from
 * elsewhere. Everything that comes from a capture is escaped for the
 * script and HTML contexts. */
#ifndef RSTSCOPE_HTML_H
#define RSTSCOPE_HTML_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict/verdict.h"

struct diagnosis;
struct engine_stats;
struct corr_summary;

#define HTML_ROWS_MAX 2000000u    /* table rows per capture; past it counted only */
#define HTML_LADDERS_MAX 400u     /* flows per capture whose packets are kept */
#define HTML_LADDER_HEAD 4u       /* a ladder: the flow's first packets ... */
#define HTML_LADDER_BEFORE 36u    /* ... the last ones up to its first RST ... */
#define HTML_LADDER_AFTER 24u     /* ... and those after it */
#define HTML_LADDER_PKTS (HTML_LADDER_HEAD + HTML_LADDER_BEFORE + HTML_LADDER_AFTER)
#define HTML_EVIDENCE_MAX 4000u   /* RSTs per capture whose evidence is kept */
#define HTML_TEXT_MAX 48          /* printable payload prefix a ladder shows */

struct html_report;

/* NULL on no memory. */
struct html_report *html_new(void);
void html_free(struct html_report *h);

/* A capture starts (`name` as the user gave it; copied). 0, or -1 on no
 * memory. */
int html_capture_begin(struct html_report *h, const char *name);
/* One final verdict of the current capture. */
void html_rst(struct html_report *h, const struct rst_verdict *v);
/* The current capture ends: its diagnosis and counters (copied; NULL when
 * it could not be opened), the text summary (may be NULL), `read_error`
 * the reader's complaint (NULL: the capture was read whole). `src` is a path it can be read again from for
 * the ladders (NULL: none; the page says so). */
void html_capture_end(struct html_report *h, const char *src, const struct diagnosis *d,
		      const struct engine_stats *s, const char *text, const char *read_error);
/* analyze --correlate: the text of its header, shown above the captures. */
void html_correlation(struct html_report *h, const char *text);

/* Check REPORT before any capture is read: not '-' (standard output
 * carries the text report), not one of the n inputs, not an existing
 * capture (a forgotten REPORT would take the first capture's name). 0, or
 * -1 after a message. */
int html_check_output(const char *path, char *const *inputs, int n);

/* Write the page. 0, or -1 on a write error (errno set). */
int html_write(struct html_report *h, FILE *f);
/* Write it to `path` through a temporary file beside it, renamed into
 * place. 0, or -1 after a message. */
int html_write_file(struct html_report *h, const char *path);

/* Write s as a JSON string literal that is also safe inside an HTML
 * <script> element: '<', '>', '&' and every byte outside printable ASCII
 * as \u escapes. NULL writes null. */
void html_js_string(FILE *f, const char *s);

/* The embedded page template (html_page.html) and its script
 * (html_page.js), NUL-terminated. */
extern const char html_page_template[];
extern const char html_page_script[];

#endif
