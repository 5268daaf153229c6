/* kernel: this host's kernel's word on an RST. At on_final (the horizon
 * gave the event time to arrive) an RST that claims a local sender is
 * matched with the tcp_send_reset of its 4-tuple, one to a local address
 * with the tcp_receive_reset; the verdict gets what was found (kernel,
 * kernel_reason, the socket's process), which sender and cause then weigh.
 * No event while none were lost is evidence too: not sent by this host. */
#include "detect/detect.h"

#include <string.h>

#include "util/util.h"

static void take(struct rst_verdict *v, const struct kernel_reset *r, bool reason)
{
	if (reason) {
		fmt_buf(v->kernel_reason, sizeof(v->kernel_reason), "%s",
			r->reason[0] ? r->reason : KERNEL_REASON_NONE);
		fmt_buf(v->kernel_state, sizeof(v->kernel_state), "%s", r->state);
		v->by_closer = r->by_closer;
	}
	if (r->netns)   /* an owner's, or the namespace of the address */
		v->netns = r->netns;
	if (r->pid >= 0) {
		v->pid = r->pid;
		fmt_buf(v->comm, sizeof(v->comm), "%s", r->comm);
		fmt_buf(v->cgroup, sizeof(v->cgroup), "%s", r->cgroup);
		fmt_buf(v->container, sizeof(v->container), "%s", r->container);
		v->owner_gone = r->owner_gone;
	}
}

/* A reset this host sent from a listener (a handshake's, or one of no
 * socket) while that listener's queues overflowed. */
static void name_overflow(const struct detect_env *env, struct rst_verdict *v)
{
	const struct khost_event *h;

	/* the listener's own reasons, or a reset at the handshake (a connection
	 * the client took as open is "established" on the wire) */
	if (v->kernel != RK_SENT || (v->kind != KIND_HANDSHAKE && v->kind != KIND_NO_STATE &&
				     strcmp(v->kernel_reason, "INVALID_SYN") &&
				     strcmp(v->kernel_reason, "NO_SOCKET")))
		return;
	h = kstore_overflow_near(env->ks, v->netns, &v->src, v->sport, v->ts_ns);
	if (!h)
		return;
	v->overflow_drops = h->drops;
	v->overflow_rate = h->rate;
	v->overflow_interval_s = h->interval_s;
}

/* The host event behind the reset: its owner, or the owner's cgroup,
 * OOM-killed just before it; or its listener overflowing. */
static void name_event(const struct detect_env *env, struct rst_verdict *v)
{
	const struct khost_event *h;

	name_overflow(env, v);
	if (v->pid < 0 && !v->cgroup[0])
		return;
	h = kstore_host_near(env->ks, v->pid, v->cgroup, v->ts_ns);
	if (!h || h->kind != KHOST_OOM_KILL)
		return;
	v->oom_pid = h->pid > 0 ? h->pid : 0;
	if (!v->oom_pid)
		return;
	fmt_buf(v->oom_comm, sizeof(v->oom_comm), "%s", h->comm);
	fmt_buf(v->oom_cgroup, sizeof(v->oom_cgroup), "%s", h->cgroup);
	v->oom_limit = h->limit;
}

static void kernel_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	struct rst_verdict *v = &p->v;
	const struct kernel_reset *r;
	bool src_local, dst_local;

	(void)f;
	if (!env->ks)
		return;
	if (v->kernel_only) {
		name_event(env, v);
		return;
	}
	src_local = kstore_is_local(env->ks, &v->src);
	dst_local = kstore_is_local(env->ks, &v->dst);
	if (!src_local && !dst_local) {
		v->kernel = RK_NOT_LOCAL;
		return;
	}
	v->kernel_checked = true;
	v->pid = -1;
	if (src_local) {
		r = kstore_claim(env->ks, KRESET_SENT, v->ts_ns, &v->src, v->sport, &v->dst, v->dport);
		if (r) {
			v->kernel = RK_SENT;
			take(v, r, true);
		} else {
			v->kernel = kstore_lost_near(env->ks, v->ts_ns) ? RK_UNSURE : RK_NOT_SENT;
		}
	}
	if (dst_local) {
		/* the socket it reset (both ends local on loopback) */
		r = kstore_claim(env->ks, KRESET_RECEIVED, v->ts_ns, &v->dst, v->dport, &v->src,
				 v->sport);
		if (r && v->pid < 0)
			take(v, r, false);
		if (!src_local)
			v->kernel = r ? RK_RECEIVED
				 : kstore_lost_near(env->ks, v->ts_ns) ? RK_UNSURE : RK_NOT_RECEIVED;
	}
	name_event(env, v);
}

static bool is(const char *a, const char *b) { return !strcmp(a, b); }

/* What the kernel's reason and state say the RST answered. */
static enum rst_kind kind_of(const struct kernel_reset *r)
{
	const char *st = r->state;

	if (r->dir == KRESET_RECEIVED || is(r->reason, "NO_SOCKET"))
		return KIND_NO_STATE;
	if (is(r->reason, "INVALID_SYN") || is(st, "TCP_SYN_RECV") || is(st, "TCP_SYN_SENT") ||
	    is(st, "TCP_NEW_SYN_RECV") || is(st, "TCP_LISTEN"))
		return KIND_HANDSHAKE;
	if (is(r->reason, "TCP_TIMEWAIT_SOCKET") || is(r->reason, "TCP_ABORT_ON_DATA") ||
	    !strncmp(st, "TCP_FIN_WAIT", 12) || is(st, "TCP_CLOSE_WAIT") || is(st, "TCP_CLOSING") ||
	    is(st, "TCP_LAST_ACK") || is(st, "TCP_TIME_WAIT"))
		return KIND_AFTER_FIN;
	return KIND_ESTABLISHED;
}

void detect_kernel_pending(struct pending_rst *p, const struct kernel_reset *r)
{
	struct rst_verdict *v = &p->v;

	memset(p, 0, sizeof(*p));
	v->kernel_only = true;
	v->ts_ns = r->wall_ns;
	p->clock_ns = r->wall_ns;
	p->horizon_ns = r->wall_ns;
	p->race_gap_ms = -1;
	v->ipver = r->ipver ? r->ipver : ipaddr_is_v4(&r->src) ? 4 : 6;
	v->flags = TH_RST;
	v->pid = -1;
	v->idle_gap_s = -1;
	v->reap_gap_s = -1;
	v->cluster_size = 1;
	v->kernel_checked = true;
	v->sender_role = ROLE_UNKNOWN;
	if (r->dir == KRESET_SENT) {
		v->src = r->src, v->sport = r->sport;
		v->dst = r->dst, v->dport = r->dport;
		v->kernel = RK_SENT;
		take(v, r, true);
		if (is(r->reason, "INVALID_SYN"))
			v->sender_role = ROLE_SERVER;    /* the listener */
	} else {
		v->src = r->dst, v->sport = r->dport;
		v->dst = r->src, v->dport = r->sport;
		v->kernel = RK_RECEIVED;
		take(v, r, false);
	}
	v->kind = kind_of(r);
	v->shape = v->kind == KIND_HANDSHAKE ? SHAPE_AT_HANDSHAKE
		 : v->kind == KIND_AFTER_FIN ? SHAPE_AFTER_CLOSE : SHAPE_OTHER;
}

const struct detector detect_kernel = { "kernel", NULL, NULL, kernel_on_final };
