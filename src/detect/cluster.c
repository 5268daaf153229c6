/* cluster: many flows of one service (a server's address and port) reset
 * within a short window (a crash or restart), and the refused SYNs that
 * follow. A client closing many connections abortively is no cluster, and
 * neither are resets that all came after the same silence (one idle timer
 * on connections that went quiet together). */
#include "detect/detect.h"

/* The silence the RST ended or answered (shape decided it), -1: none. */
static int64_t gap_ns(const struct pending_rst *p)
{
	return p->v.idle_gap_s >= 0 ? (int64_t)(p->v.idle_gap_s * 1e9) : -1;
}

static void cluster_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			   const struct tcp_view *v)
{
	struct host *h;

	(void)f;
	(void)v;
	/* refused SYNs are no resets of open connections: not counted */
	if (p->v.kind == KIND_AFTER_RST || p->v.kind == KIND_REFUSED ||
	    p->v.sender_role == ROLE_CLIENT)
		return;
	h = host_get(env->ft, &p->v.src, true);
	if (h)
		host_note_reset(h, p->clock_ns, p->v.flow_id, p->v.sport, gap_ns(p));
}

static void cluster_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	const struct host *h;
	int64_t gap = gap_ns(p), tol;
	unsigned n = 0, same = 0;

	(void)f;
	p->v.cluster_size = 1;
	tol = (int64_t)(RULE_ONE_TIMER_MIN_S * 1e9);
	if (gap >= 0 && (int64_t)(gap * (RULE_ONE_TIMER_PCT / 100)) > tol)
		tol = (int64_t)(gap * (RULE_ONE_TIMER_PCT / 100));
	if (p->v.kind == KIND_AFTER_RST || p->v.kind == KIND_REFUSED ||
	    p->v.sender_role == ROLE_CLIENT)
		return;
	h = host_get(env->ft, &p->v.src, false);
	if (h)
		n = host_resets_near(h, p->clock_ns, (int64_t)(env->o->cluster_window_s * 1e9),
				     p->v.flow_id, p->v.sport, gap, tol, &same);
	p->v.cluster_size += n;
	/* all of them after the same silence as this one: one idle timer that
	 * fired on connections that went quiet together, not a crash (which
	 * resets connections whatever their idle time) */
	p->cluster_one_timer = gap >= 0 && n > 0 && same == n;
}

const struct detector detect_cluster = { "cluster", NULL, cluster_on_rst, cluster_on_final };
