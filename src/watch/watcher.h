/* watcher: the live state of 'rstscope watch' between its sources and its
 * outputs: kernel events into the join, final verdicts joined, printed,
 * counted in the diagnosis and the metrics; periodic upkeep. */
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
#include "watch/join.h"

struct watcher {
	/* sources and stages; any may be NULL (not in use) */
	struct live *cap;
	struct tracefs *kern;
	struct sockowner *owners;
	struct join *join;
	struct engine *eng;
	struct metrics *met;
	/* output */
	FILE *out;
	bool json;
	struct report_opts rep;
	/* state */
	struct diagnosis *diag;      /* of the joined verdicts */
	uint64_t rsts, frames, kernel_resets_printed;
	uint64_t lost_seen;          /* overrun + dropped at the last look */
	int64_t last_refresh_ns, last_tick_ns, last_local_ns;
	bool refresh_wanted;
};

/* 0, or -1 when out of memory. */
int watcher_init(struct watcher *w);
void watcher_release(struct watcher *w);

/* tracefs_read() callback */
void watcher_on_event(const struct tfs_event *ev, void *ctx);
/* live_dispatch() callback: one frame into the engine */
void watcher_on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts_ns);
/* engine sink */
void watcher_on_verdict(const struct rst_verdict *v, void *ctx);

/* Periodic upkeep at wall time now: loss counts, socket table, local
 * addresses, event expiry, metrics. Cheap when called often. */
void watcher_tick(struct watcher *w, int64_t now_ns, bool force);

/* The diagnosis so far (text or JSON) and, when final, the sources' counts. */
void watcher_summary(struct watcher *w, bool final);

#endif
