/* cluster: many flows of one service (a server's address and port) reset
 * within a short window (a crash or restart), and the refused SYNs that
 * follow. A client closing many connections abortively is no cluster. */
#include "detect/detect.h"

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
		host_note_reset(h, p->clock_ns, p->v.flow_id, p->v.sport);
}

static void cluster_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	const struct host *h;

	(void)f;
	p->v.cluster_size = 1;
	if (p->v.kind == KIND_AFTER_RST || p->v.kind == KIND_REFUSED ||
	    p->v.sender_role == ROLE_CLIENT)
		return;
	h = host_get(env->ft, &p->v.src, false);
	if (h)
		p->v.cluster_size += host_resets_near(h, p->clock_ns,
						      (int64_t)(env->o->cluster_window_s * 1e9),
						      p->v.flow_id, p->v.sport);
}

const struct detector detect_cluster = { "cluster", NULL, cluster_on_rst, cluster_on_final };
