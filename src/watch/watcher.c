/* watcher: kernel events, frames and verdicts of a live watch, joined and
 * reported; the periodic upkeep of the sources. */
#include "watch/watcher.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

#define EXPIRE_NS (30LL * 1000000000)       /* keep kernel events this long */
#define REFRESH_MIN_NS (250LL * 1000000)    /* socket table, when wanted */
#define REFRESH_MAX_NS (5LL * 1000000000)   /* socket table, anyway */
#define LOCAL_NS (10LL * 1000000000)        /* local addresses */

int watcher_init(struct watcher *w)
{
	w->diag = malloc(sizeof(*w->diag));
	if (!w->diag)
		return -1;
	diagnosis_init(w->diag);
	return 0;
}

void watcher_release(struct watcher *w)
{
	free(w->diag);
	w->diag = NULL;
}

static void print_kernel_reset(struct watcher *w, const struct join_event *e)
{
	char s[64], d[64];

	ipaddr_str(&e->src, s, sizeof(s));
	ipaddr_str(&e->dst, d, sizeof(d));
	w->kernel_resets_printed++;
	if (w->json) {
		fprintf(w->out, "{\"type\":\"kernel_reset\",\"ts\":%.6f,\"src\":\"%s\",\"sport\":%u,"
			"\"dst\":\"%s\",\"dport\":%u,\"kernel_reason\":", (double)e->wall_ns / 1e9,
			s, e->sport, d, e->dport);
		if (e->reason[0])
			report_json_string(w->out, e->reason);
		else
			fputs("null", w->out);
		if (e->pid >= 0) {
			fprintf(w->out, ",\"pid\":%d,\"comm\":", e->pid);
			report_json_string(w->out, e->comm);
		} else {
			fputs(",\"pid\":null,\"comm\":null", w->out);
		}
		fprintf(w->out, ",\"by_closer\":%s}\n", e->by_closer ? "true" : "false");
	} else {
		fprintf(w->out, "kernel reset %s%s%s:%u > %s%s%s:%u  %s", e->src.b[10] == 0xff ? "" : "[",
			s, e->src.b[10] == 0xff ? "" : "]", e->sport, e->dst.b[10] == 0xff ? "" : "[",
			d, e->dst.b[10] == 0xff ? "" : "]", e->dport,
			e->reason[0] ? e->reason : "(no reason on this kernel)");
		if (e->pid >= 0)
			fprintf(w->out, "  %s %s[%d]", e->by_closer ? "closed by" : "socket of",
				e->comm, e->pid);
		fputc('\n', w->out);
	}
	fflush(w->out);
}

void watcher_on_event(const struct tfs_event *ev, void *ctx)
{
	struct watcher *w = ctx;
	int64_t wall = tracefs_to_wall(w->kern, ev->ts_ns);
	struct join_event je;

	if (ev->kind == TFS_SET_STATE) {
		if (join_on_state(ev, w->owners, wall))
			w->refresh_wanted = true;
		return;
	}
	join_event_from_trace(ev, wall, w->owners, &je);
	join_add(w->join, &je);
	/* kernel only: every reset this host sends is a line of its own */
	if (!w->cap && ev->kind == TFS_SEND_RESET) {
		const struct tfs_format *f = tracefs_format(w->kern, TFS_SEND_RESET);

		print_kernel_reset(w, &je);
		if (w->met)
			metrics_rst(w->met, "kernel-only", "this-host", "unknown",
				    !je.reason[0] ? JOIN_REASON_NONE :
				    tfs_sym_has(&f->reasons, je.reason) ? je.reason : "other");
	}
}

void watcher_on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts_ns)
{
	struct watcher *w = ctx;

	w->frames++;
	engine_frame(w->eng, link, data, caplen, ts_ns, live_name(w->cap), w->frames);
}

/* A low-cardinality kernel_reason label for a verdict. */
static const char *reason_label(const struct watcher *w, const struct rst_verdict *v,
				enum join_result r)
{
	if (!w->kern)
		return "none";
	if (v->kernel_reason[0]) {
		const struct tfs_format *f = tracefs_format(w->kern, TFS_SEND_RESET);

		if (!strcmp(v->kernel_reason, JOIN_REASON_NONE) ||
		    tfs_sym_has(&f->reasons, v->kernel_reason))
			return v->kernel_reason;
		return "other";
	}
	return join_result_name[r];
}

void watcher_on_verdict(const struct rst_verdict *v0, void *ctx)
{
	struct watcher *w = ctx;
	struct rst_verdict v = *v0;
	enum join_result r = JOIN_NOT_LOCAL;
	enum rst_cause before = v.cause;

	w->rsts++;
	if (w->kern)
		r = join_verdict(w->join, &v);
	/* the kernel's own reason is stronger evidence than the wire's shape */
	diagnosis_add(w->diag, &v, v.cause != before ? 0.9 : r == JOIN_SENT ? 0.8 : 0.6, -1);
	if (w->json)
		report_json_rst(w->out, &v);
	else
		report_text_rst(w->out, &v, &w->rep);
	fflush(w->out);
	if (w->met) {
		metrics_rst(w->met, rst_kind_name[v.kind], rst_forged_name[v.forged],
			    rst_cause_name[v.cause], reason_label(w, &v, r));
		if (r == JOIN_NOT_SENT) {
			struct join_stats js;

			join_stats(w->join, &js);
			metrics_set(w->met, M_NOT_SENT, js.result[JOIN_NOT_SENT]);
		}
	}
}

static void update_metrics(struct watcher *w)
{
	struct live_stats ls;
	struct tracefs_stats ts;
	struct join_stats js;

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
		join_stats(w->join, &js);
		metrics_set(w->met, M_KERNEL_SEND_RESET, ts.events[TFS_SEND_RESET]);
		metrics_set(w->met, M_KERNEL_RECV_RESET, ts.events[TFS_RECV_RESET]);
		metrics_set(w->met, M_KERNEL_SET_STATE, ts.events[TFS_SET_STATE]);
		metrics_set(w->met, M_KERNEL_OVERRUN, ts.overrun);
		metrics_set(w->met, M_KERNEL_DROPPED, ts.dropped);
		metrics_set(w->met, M_KERNEL_UNMATCHED, js.unmatched_sent);
		metrics_set(w->met, M_NOT_SENT, js.result[JOIN_NOT_SENT]);
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
			join_note_lost(w->join, now_ns);
			w->lost_seen = ts.overrun + ts.dropped;
		}
		if (w->owners && (now_ns - w->last_refresh_ns >= REFRESH_MAX_NS ||
				  (w->refresh_wanted && now_ns - w->last_refresh_ns >= REFRESH_MIN_NS))) {
			sockowner_refresh(w->owners, now_ns);
			w->last_refresh_ns = now_ns;
			w->refresh_wanted = false;
		}
		if (now_ns - w->last_local_ns >= LOCAL_NS) {
			join_load_local(w->join);
			w->last_local_ns = now_ns;
		}
		/* capture or not, old events go; with a capture they are resets
		 * that never showed on the wire (counted) */
		join_expire(w->join, now_ns - EXPIRE_NS, NULL, NULL);
	}
	update_metrics(w);
}

void watcher_summary(struct watcher *w, bool final)
{
	static struct diagnosis d;   /* finishing ranks a copy: the live one goes on */
	static const struct engine_stats none;
	const struct engine_stats *es = w->eng ? engine_stats(w->eng) : &none;

	d = *w->diag;
	diagnosis_finish(&d);
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
		struct join_stats js;

		tracefs_stats(w->kern, &ts);
		join_stats(w->join, &js);
		warnx_("kernel events: %" PRIu64 " tcp_send_reset, %" PRIu64 " tcp_receive_reset, %"
		       PRIu64 " inet_sock_set_state; %" PRIu64 " lost (overrun %" PRIu64
		       ", dropped %" PRIu64 "), %" PRIu64 " unparsed lines",
		       ts.events[TFS_SEND_RESET], ts.events[TFS_RECV_RESET],
		       ts.events[TFS_SET_STATE], ts.overrun + ts.dropped, ts.overrun, ts.dropped,
		       ts.bad_lines + ts.long_lines);
		if (w->cap)
			warnx_("join: %" PRIu64 " sent by this host, %" PRIu64 " not sent by this host, %"
			       PRIu64 " unsure, %" PRIu64 " received; %" PRIu64
			       " kernel resets never seen on the wire", js.result[JOIN_SENT],
			       js.result[JOIN_NOT_SENT], js.result[JOIN_UNSURE],
			       js.result[JOIN_RECEIVED], js.unmatched_sent);
	}
}
