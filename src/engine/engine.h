/* engine: the pipeline decode -> flows -> detectors -> verdicts, fed one
 * captured frame at a time, by a file (analyze) or the live wire (watch).
 *
 * RST verdicts are provisional when the RST is seen and final when capture
 * time has passed the RST's horizon (later packets can still change them:
 * the sender keeps talking, a burst, a cluster) or when engine_flush() is
 * called at the end of input. Final verdicts go to the sink, in order of
 * their RSTs' capture time. The per-capture diagnosis is read after flush.
 *
 * With o.kernel, this host's kernel's own resets are evidence too
 * (engine_kernel_reset, watch): the kernel detector weighs the one that
 * matches a wire RST with its verdict; a kernel reset no wire RST claimed
 * becomes a verdict of its own (kernel_only, no frame) once the window and
 * the horizon have passed after it, through the same detectors and into the
 * same diagnosis. */
#ifndef RSTSCOPE_ENGINE_H
#define RSTSCOPE_ENGINE_H
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "kernel/kernel.h"
#include "verdict/verdict.h"

struct engine;
struct diagnosis;

struct engine_opts {
	size_t max_flows;          /* flow table cap (evicts the idlest) */
	bool no_embryos;           /* every flow in full state from its first segment
	                            * (tests: the results are the same) */
	double horizon_s;          /* how long an RST's verdict stays open */
	double flow_idle_expire_s; /* forget flows idle this long */
	double cluster_window_s;   /* resets of one endpoint this close cluster */
	unsigned cluster_min;      /* flows needed to call it a cluster */
	double idle_min_s;         /* a gap at least this long is "idle" */
	/* Two-point correlation evidence (analyze --correlate), NULL: none.
	 * Called once per RST, before the detectors see it, with the RST's
	 * file and frame; fills *out (out->n = 0 when it knows nothing). */
	void (*corr_lookup)(void *ctx, const char *file, uint64_t frame, struct rst_corr *out);
	void *corr_ctx;
	bool kernel;               /* the kernel's resets are evidence (watch) */
	double kernel_window_s;    /* |kernel reset - wire RST| that still match */
};
void engine_opts_default(struct engine_opts *o);

typedef void (*engine_sink_fn)(const struct rst_verdict *v, void *ctx);

struct engine_stats {
	uint64_t frames, bytes;
	uint64_t result[DECODE__COUNT];  /* frames by decode outcome */
	uint64_t rsts;
	uint64_t flows_created, flows_evicted, flows_expired, flows_open, flows_peak;
	uint64_t time_backwards;         /* timestamps that went back (clamped) */
	uint64_t kernel[RK__COUNT];      /* wire RSTs' final verdicts by what the kernel said */
	uint64_t kernel_only;            /* kernel resets no wire RST claimed (verdicts too) */
};

/* NULL on allocation failure. */
struct engine *engine_new(const struct engine_opts *o, engine_sink_fn sink, void *ctx);
void engine_free(struct engine *e);

/* Feed one frame; returns how it decoded. `file` is the input's name (kept by pointer: it must
 * outlive the engine) and `frame` its 1-based number in that file. */
enum decode_result engine_frame(struct engine *e, int link, const uint8_t *data, size_t caplen,
		  int64_t ts_ns, const char *file, uint64_t frame);
/* A frame for engine_frames(). */
struct engine_input {
	const uint8_t *data;
	size_t caplen;
	int64_t ts_ns;
	uint64_t frame;
	int link;
};
#define ENGINE_BATCH_MAX 64
/* Feed up to ENGINE_BATCH_MAX frames whose bytes stay valid for the call:
 * the same as engine_frame() on each in order, but their flows are fetched
 * ahead so that the memory latencies overlap. res[i] (when res is not NULL)
 * gets each frame's decode outcome. */
void engine_frames(struct engine *e, const struct engine_input *in, unsigned n, const char *file,
		   enum decode_result *res);
/* engine_frames() in two halves, for a pipeline over two threads: the
 * decode of a batch touches no engine (any thread, any time before), its
 * processing feeds the engine as engine_frames() would. */
struct engine_batch {
	unsigned n;
	struct engine_input in[ENGINE_BATCH_MAX];
	struct tcp_view v[ENGINE_BATCH_MAX];
	enum decode_result r[ENGINE_BATCH_MAX];
	uint32_t h[ENGINE_BATCH_MAX];
	/* the decoded ones (r DECODE_OK), in order: their indices and how many */
	uint8_t ok[ENGINE_BATCH_MAX];
	unsigned n_ok;
	/* the batch's share of the stats, summed by its decode */
	uint64_t bytes;
	uint32_t result[DECODE__COUNT];
};
void engine_decode_batch(struct engine_batch *b);
void engine_process_batch(struct engine *e, const struct engine_batch *b, const char *file);
/* Feed an already decoded segment (tests and the fuzz harness); its head
 * is taken from its payload here. */
void engine_segment(struct engine *e, const struct tcp_view *v, int64_t ts_ns,
		    const char *file, uint64_t frame);
/* Finalise verdicts whose horizon is before `now_ns` (live mode's timer). */
void engine_advance(struct engine *e, int64_t now_ns);
/* End of input: finalise everything still pending. */
void engine_flush(struct engine *e);

/* ---- the kernel's own resets (no-ops without o.kernel) ---- */
/* One tcp_send_reset or tcp_receive_reset (wall time), in arrival order. */
void engine_kernel_reset(struct engine *e, const struct kernel_reset *r);
/* Kernel events were lost at about wall_ns: absence is no evidence then. */
void engine_kernel_lost(struct engine *e, int64_t wall_ns);
/* A host event (an OOM kill) that may explain resets near it. */
void engine_host_event(struct engine *e, const struct khost_event *h);
/* A host finding of one sampled interval (watch samples the host's
 * counters), for the diagnosis: see diagnosis_host. Not only with o.kernel. */
void engine_host_finding(struct engine *e, const char *name, enum rst_cause cause,
			 const char *where, uint64_t netns, uint64_t count, double rate,
			 int64_t ts_ns);
/* This host's addresses (those of the kernel's namespace). */
void engine_kernel_local(struct engine *e, const struct ipaddr *a, size_t n);

/* Both bring their figures up to date first (flow counts; the ranking). */
const struct engine_stats *engine_stats(struct engine *e);
const struct diagnosis *engine_diagnosis(struct engine *e);
/* The diagnosis so far, ranked, into *out; the engine's own goes on
 * (watch's periodic summaries). */
void engine_diagnosis_copy(struct engine *e, struct diagnosis *out);

#endif
