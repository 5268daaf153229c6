/* annotate: analyze --write-pcapng, an annotated copy of a capture for
 * Wireshark. Pass 1 keeps each RST's final verdict as a one-line comment
 * by frame number (annot_add, from the engine's sink: only RSTs, so the
 * store stays small). Pass 2 (annot_write) reads the input again with the
 * readers of src/sources and writes every frame unchanged (link types,
 * interfaces, timestamps at their resolution, snap and original lengths)
 * into a pcapng file: the comments on their RSTs' packets, the capture's
 * diagnosis on the section header. The comment format is in
 * docs/output.md. */
#ifndef RSTSCOPE_ANNOTATE_H
#define RSTSCOPE_ANNOTATE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict/verdict.h"

/* the store's cap (comment bytes); verdicts past it are counted only */
#define ANNOT_BYTES_MAX (256u << 20)
#define ANNOT_COMMENT_MAX 1400

struct annot;

struct annot *annot_new(void);
void annot_free(struct annot *a);
/* Forget every comment (the next input). */
void annot_clear(struct annot *a);
/* Keep v's comment for its frame (kernel-only verdicts, frame 0, are
 * skipped; a second verdict on one frame too). 0, or -1 when the cap or
 * memory is reached (counted by annot_dropped). */
int annot_add(struct annot *a, const struct rst_verdict *v);
uint64_t annot_dropped(const struct annot *a);
/* v's comment: "rstscope: cause=... kind=... sender=... forged=...; ..." */
size_t annot_format(const struct rst_verdict *v, char *buf, size_t size);

struct annot_result {
	uint64_t frames;        /* frames written */
	uint64_t commented;     /* of them, with a verdict comment */
	uint64_t blocks_copied; /* other pcapng blocks copied (names, secrets, ...) */
	uint64_t blocks_dropped; /* and not (interface statistics, ...) */
	int input_error;        /* the input ended in a corrupt or cut block */
	char why[256];          /* then what the reader said */
};

/* Pass 2: read in_path (a regular file: pcap or pcapng) and write the
 * annotated pcapng to out; shb_comment (may be NULL) goes on the section
 * header. A corrupt or truncated input ends the output after its last
 * whole frame (res->input_error). 0, or -1 when the input cannot be
 * opened or the output cannot be written (message in err). */
int annot_write(struct annot *a, const char *in_path, FILE *out, const char *shb_comment,
		struct annot_result *res, char *err, size_t errsz);

#endif
