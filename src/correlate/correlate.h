/* correlate: several captures of the same traffic taken at different points
 * of the path (analyze --correlate), matched flow by flow, their clocks
 * aligned, and for every RST of every capture which captures saw it.
 *
 * Pass 1 of two: each capture is read once, in path order from the client
 * side (index 0 nearest the client), through corr_read_file() (or fed
 * decoded segments through corr_segment()); corr_finish() then matches the
 * flows of every pair of captures, estimates their clock offset and decides
 * the presence of every RST. Pass 2 (the engine, per file) asks corr_lookup()
 * for each RST's presence as evidence for its detectors.
 *
 * Matching, for each pair of captures:
 *  - by 5-tuple (a tuple reused by a new SYN is a new flow; reuses pair up
 *    by ISN, else in order, else by time once the clocks are aligned);
 *  - flows left over, across a NAT, by the ISN of the SYN or of the SYN-ACK
 *    (either may be rewritten, not both) within the aligned time window;
 *  - flows left over without a handshake, by the seq/ack/length of their
 *    data segments within the aligned time window (not across a NAT that
 *    also rewrites sequence numbers: such flows stay unmatched).
 * A matched flow learns a constant sequence offset per direction (from the
 * ISNs, else by a vote over its kept segments). The clock offset of a pair
 * is the median of (time in b - time in a) over the kept segments seen in
 * both, taken per direction when the flows' clients are known so that the
 * path delay cancels (offset = mean of both medians, delay = half their
 * difference). An RST of capture i is `seen` in j when j has an RST on the
 * matched flow, in the same direction, with the same seq after the offset,
 * within the time window after alignment; `absent` when j covered the flow
 * then (the flow began there before, and j's capture lasted past it) but
 * had no such RST; in neither otherwise.
 *
 * What it keeps (bounded): per capture and flow one fixed record of about
 * 0.4 KiB (endpoints, first/last time, ISNs, the first and the last
 * CORR_ANCHORS segments of each direction: time, seq, ack, length, flags),
 * up to CORR_FLOWS_MAX flows per capture; per RST 36 bytes (with its index), up to
 * CORR_RSTS_MAX per capture; per pair of captures one link of 16 bytes per
 * flow each way and at most CORR_SAMPLES_MAX clock samples per direction.
 * Flows and RSTs beyond the caps are counted, not kept; their RSTs get no
 * correlation (n = 0). */
#ifndef RSTSCOPE_CORRELATE_H
#define RSTSCOPE_CORRELATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "verdict/verdict.h"

#define CORR_ANCHORS 4
#define CORR_FLOWS_MAX (1u << 20)
#define CORR_RSTS_MAX (1u << 22)
#define CORR_SAMPLES_MAX 65536
#define CORR_PAIRS_MAX (CORR_MAX * (CORR_MAX - 1) / 2)

struct corr;

/* NULL on allocation failure or a count outside [2, CORR_MAX]. `files`
 * (n names, kept by pointer: they must outlive the corr) name the
 * captures in path order from the client side. */
struct corr *corr_new(unsigned n, const char *const *files);
void corr_free(struct corr *c);

/* Read capture `idx` (its name from corr_new) once, with an optional
 * tcpdump filter (the same as pass 2's, so frame numbers agree). Returns 0;
 * -1 when it could not be opened or is truncated or corrupt part way: what
 * was read before is kept, and the message (which pass 2's own read of the
 * file reports) is in err. */
int corr_read_file(struct corr *c, unsigned idx, const char *filter, char *err, size_t errsz);
/* Feed one decoded segment of capture `idx` (frames in file order). */
void corr_segment(struct corr *c, unsigned idx, const struct tcp_view *v, int64_t ts_ns,
		  uint64_t frame);
/* Match, align and decide presence; call once, after every capture was
 * read. Returns 0, or -1 on allocation failure (lookups then know nothing). */
int corr_finish(struct corr *c);

/* The engine's hook (engine_opts.corr_lookup, ctx the corr): the presence
 * of the RST at `frame` of capture `file` (matched by pointer, else by
 * name). out->n = 0 when it knows nothing of it. A capture that shares no
 * flow with any other gets n set and seen = absent = 0. */
void corr_lookup(void *ctx, const char *file, uint64_t frame, struct rst_corr *out);

/* What was matched between captures a < b. */
struct corr_pair_info {
	unsigned a, b;
	uint64_t flows_a, flows_b;  /* flows each capture held */
	uint64_t by_tuple;          /* matched by 5-tuple */
	uint64_t by_nat_isn;        /* matched across a NAT by ISN */
	uint64_t by_nat_data;       /* matched across a NAT by data segments */
	uint64_t seq_shifted;       /* matched flows whose sequence numbers were rewritten */
	bool clock_known;           /* some packet was seen in both */
	double offset_s;            /* b's clock minus a's */
	double delay_s;             /* one-way delay a -> b (0 when not measurable) */
	bool delay_known;
	double window_s;            /* the time window an RST is looked for in */
	uint64_t samples;           /* packets the offset rests on */
};

struct corr_summary {
	unsigned n;
	const char *const *files;
	unsigned npairs;
	struct corr_pair_info pair[CORR_PAIRS_MAX];
	uint64_t rsts[CORR_MAX];          /* RSTs kept per capture */
	uint64_t dropped_flows[CORR_MAX]; /* beyond the caps: not correlated */
	uint64_t dropped_rsts[CORR_MAX];
	bool shares[CORR_MAX];            /* capture has a flow in common with another */
	bool read_error[CORR_MAX];        /* capture unreadable or cut part way */
};
/* After corr_finish(). */
void corr_summarize(const struct corr *c, struct corr_summary *out);

#endif
