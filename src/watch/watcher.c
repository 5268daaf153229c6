/* watcher: frames and kernel resets of a live watch into the engine, its
 * final verdicts out to the outputs; the periodic upkeep of the sources. */
#include "watch/watcher.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

#define REFRESH_MIN_NS (250LL * 1000000)    /* socket table, when wanted */
#define REFRESH_MAX_NS (5LL * 1000000000)   /* socket table, anyway */
#define LOCAL_NS (10LL * 1000000000)        /* local addresses */
#define LOCAL_MAX 256

int watcher_load_local(struct watcher *w)
{
	static struct ipaddr a[LOCAL_MAX + NETNS_ADDRS];
	int n = join_local_addrs(a, LOCAL_MAX);

	if (n < 0)
		return -1;
	/* the tracepoints see every namespace: their addresses are this host's */
	if (w->nets && netns_refresh(w->nets) >= 0)
		n += (int)netns_addrs(w->nets, a + n, NETNS_ADDRS);
	engine_kernel_local(w->eng, a, (size_t)n);
	return 0;
}

void watcher_on_event(const struct tfs_event *ev, void *ctx)
{
	struct watcher *w = ctx;
	int64_t wall = tracefs_to_wall(w->kern, ev->ts_ns);
	struct kernel_reset r;

	if (ev->kind == TFS_SET_STATE) {
		if (join_on_state(ev, w->owners, w->places, wall))
			w->refresh_wanted = true;
		return;
	}
	if (ev->kind == TFS_FORK) {
		join_on_fork(ev, w->owners, w->places);
		return;
	}
	join_reset_from_trace(ev, wall, w->owners, w->places, &r);
	if (!strcmp(r.reason, "INVALID_SYN") || !strcmp(r.reason, "NO_SOCKET"))
		w->host_soon = true;
	engine_kernel_reset(w->eng, &r);
}

void watcher_on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts_ns)
{
	struct watcher *w = ctx;

	w->frames++;
	engine_frame(w->eng, link, data, caplen, ts_ns, live_name(w->cap), w->frames);
}

/* A low-cardinality kernel_reason label for a verdict: a reason name of the
 * running kernel, UNKNOWN (no reason field), other, or what was found. */
static const char *reason_label(const struct watcher *w, const struct rst_verdict *v)
{
	if (!w->kern)
		return "none";
	if (v->kernel_reason[0]) {
		const struct tfs_format *f = tracefs_format(w->kern, TFS_SEND_RESET);

		if (!strcmp(v->kernel_reason, KERNEL_REASON_NONE) ||
		    tfs_sym_has(&f->reasons, v->kernel_reason))
			return v->kernel_reason;
		return "other";
	}
	return rst_kernel_name[v->kernel];
}

void watcher_on_verdict(const struct rst_verdict *v, void *ctx)
{
	struct watcher *w = ctx;

	w->rsts++;
	if (w->json)
		report_json_rst(w->out, v);
	else
		report_text_rst(w->out, v, &w->rep);
	fflush(w->out);
	if (w->met) {
		metrics_rst(w->met, rst_kind_name[v->kind], rst_forged_name[v->forged],
			    rst_cause_name[v->cause], reason_label(w, v), v->container);
		if (v->kernel == RK_NOT_SENT)
			metrics_set(w->met, M_NOT_SENT, engine_stats(w->eng)->kernel[RK_NOT_SENT]);
	}
}

static void update_metrics(struct watcher *w)
{
	const struct engine_stats *es = engine_stats(w->eng);
	struct live_stats ls;
	struct tracefs_stats ts;

	if (!w->met)
		return;
	metrics_set(w->met, M_SOURCE_CAPTURE, w->cap != NULL);
	metrics_set(w->met, M_SOURCE_KERNEL, w->kern != NULL);
	if (w->cap) {
		live_stats(w->cap, &ls);
		metrics_set(w->met, M_CAPTURE_FRAMES, ls.frames);
		metrics_set(w->met, M_CAPTURE_DROPS, ls.dropped);
		metrics_set(w->met, M_CAPTURE_IFDROPS, ls.ifdropped);
	}
	if (w->kern) {
		tracefs_stats(w->kern, &ts);
		metrics_set(w->met, M_KERNEL_SEND_RESET, ts.events[TFS_SEND_RESET]);
		metrics_set(w->met, M_KERNEL_RECV_RESET, ts.events[TFS_RECV_RESET]);
		metrics_set(w->met, M_KERNEL_SET_STATE, ts.events[TFS_SET_STATE]);
		metrics_set(w->met, M_KERNEL_OVERRUN, ts.overrun);
		metrics_set(w->met, M_KERNEL_DROPPED, ts.dropped);
		metrics_set(w->met, M_KERNEL_UNMATCHED, es->kernel_only);
		metrics_set(w->met, M_NOT_SENT, es->kernel[RK_NOT_SENT]);
	}
}

void watcher_tick(struct watcher *w, int64_t now_ns, bool force)
{
	if (!force && now_ns - w->last_tick_ns < 200000000)
		return;
	w->last_tick_ns = now_ns;
	if (w->kern) {
		struct tracefs_stats ts;

		tracefs_stats(w->kern, &ts);
		if (ts.overrun + ts.dropped > w->lost_seen) {
			engine_kernel_lost(w->eng, now_ns);
			w->lost_seen = ts.overrun + ts.dropped;
		}
		if (w->owners && (now_ns - w->last_refresh_ns >= REFRESH_MAX_NS ||
				  (w->refresh_wanted && now_ns - w->last_refresh_ns >= REFRESH_MIN_NS))) {
			sockowner_refresh(w->owners, now_ns);
			w->last_refresh_ns = now_ns;
			w->refresh_wanted = false;
		}
		hostev_poll(w->host, w->eng, w->kern);
		hostfind_poll(w->hostf, w->eng, now_ns, w->host_soon);
		w->host_soon = false;
		if (now_ns - w->last_local_ns >= LOCAL_NS) {
			watcher_load_local(w);
			w->last_local_ns = now_ns;
		}
	}
	update_metrics(w);
}

void watcher_summary(struct watcher *w, bool final)
{
	static struct diagnosis d;   /* a ranked copy: the engine's own goes on */
	const struct engine_stats *es = engine_stats(w->eng);

	engine_diagnosis_copy(w->eng, &d);
	if (w->json)
		report_json_summary(w->out, NULL, &d, es);
	else
		report_text_summary(w->out, NULL, &d, es, &w->rep);
	fflush(w->out);
	if (!final)
		return;
	if (w->cap) {
		struct live_stats ls;

		live_stats(w->cap, &ls);
		warnx_("capture '%s': %" PRIu64 " frames, %" PRIu64 " dropped by libpcap, %" PRIu64
		       " by the interface", live_name(w->cap), ls.frames, ls.dropped, ls.ifdropped);
	}
	if (w->kern) {
		struct tracefs_stats ts;

		tracefs_stats(w->kern, &ts);
		warnx_("kernel events: %" PRIu64 " tcp_send_reset, %" PRIu64 " tcp_receive_reset, %"
		       PRIu64 " inet_sock_set_state, %" PRIu64 " task_newtask; %" PRIu64
		       " lost (overrun %" PRIu64 ", dropped %" PRIu64 "), %" PRIu64 " unparsed lines",
		       ts.events[TFS_SEND_RESET], ts.events[TFS_RECV_RESET],
		       ts.events[TFS_SET_STATE], ts.events[TFS_FORK], ts.overrun + ts.dropped,
		       ts.overrun, ts.dropped,
		       ts.bad_lines + ts.long_lines);
		if (w->host) {
			uint64_t ooms, lost;

			hostev_counts(w->host, &ooms, &lost);
			warnx_("kernel log: %" PRIu64 " OOM kills, %" PRIu64 " records lost", ooms, lost);
		}
		if (w->cap)
			warnx_("join: %" PRIu64 " sent by this host, %" PRIu64 " not sent by this host, %"
			       PRIu64 " unsure, %" PRIu64 " received; %" PRIu64
			       " kernel resets never seen on the wire", es->kernel[RK_SENT],
			       es->kernel[RK_NOT_SENT], es->kernel[RK_UNSURE],
			       es->kernel[RK_RECEIVED], es->kernel_only);
	}
}
