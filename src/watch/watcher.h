/* watcher: the live state of 'rstscope watch' between its sources and its
 * outputs: frames and kernel resets into the engine (evidence in), the
 * engine's final verdicts and diagnosis printed and counted in the metrics
 * (results out); periodic upkeep. It never edits a verdict. */
#ifndef RSTSCOPE_WATCHER_H
#define RSTSCOPE_WATCHER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "report/metrics.h"
#include "report/report.h"
#include "sources/live.h"
#include "sources/sockowner.h"
#include "sources/tracefs.h"
#include "verdict/verdict.h"
#include "watch/hostev.h"
#include "watch/hostfind.h"
#include "watch/join.h"

struct watcher {
	/* sources and stages; any may be NULL (not in use) */
	struct live *cap;
	struct tracefs *kern;
	struct sockowner *owners;
	struct join_ctx_cache *places; /* where recent processes live; may be NULL */
	struct netns_set *nets;      /* the host's namespaces (live); may be NULL */
	struct hostev *host;         /* OOM kills from the kernel log; may be NULL */
	struct hostfind *hostf;      /* the host's counters, sampled; may be NULL */
	struct engine *eng;          /* always there (kernel resets alone are verdicts) */
	struct metrics *met;
	/* output */
	FILE *out;
	bool json;
	struct report_opts rep;
	/* state */
	uint64_t rsts, frames;
	uint64_t lost_seen;          /* overrun + dropped at the last look */
	int64_t last_refresh_ns, last_tick_ns, last_local_ns, last_nets_ns;
	bool refresh_wanted;
	bool host_soon;              /* a reset a full listener may have sent */
};

/* This host's addresses into the engine, those of every namespace of
 * w->nets too (read again now); 0 or -1. */
int watcher_load_local(struct watcher *w);

/* tracefs_read() callback */
void watcher_on_event(const struct tfs_event *ev, void *ctx);
/* live_dispatch() callback: one frame into the engine */
void watcher_on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts_ns);
/* engine sink: print and count one final verdict */
void watcher_on_verdict(const struct rst_verdict *v, void *ctx);

/* Periodic upkeep at wall time now: loss counts, socket table, local
 * addresses, event expiry, metrics. Cheap when called often. */
void watcher_tick(struct watcher *w, int64_t now_ns, bool force);

/* The diagnosis so far (text or JSON) and, when final, the sources' counts. */
void watcher_summary(struct watcher *w, bool final);

#endif
