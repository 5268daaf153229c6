/* shape: the RST's timing shape (idle-then-reset, mid-transfer,
 * after-close, at-handshake) with its idle gap and bytes in flight. */
#include "detect/detect.h"

static void shape_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			 const struct tcp_view *v)
{
	int64_t idle_min = (int64_t)(env->o->idle_min_s * 1e9), gap = -1, now = p->clock_ns;
	const struct flow_dir *s = &f->d[p->sdir], *r = &f->d[!p->sdir];

	(void)v;
	p->v.bytes_in_flight = flow_unacked(f, 0) + flow_unacked(f, 1);
	p->v.idle_gap_s = -1;
	if (p->flow_created) {
		p->v.shape = SHAPE_OTHER;
		return;
	}
	/* the RST itself ends a silence ... */
	if (now - f->last_ns >= idle_min)
		gap = now - f->last_ns;
	/* ... or answers the receiver's first segments after one: the sender
	 * has sent no data since the silence ended (its kernel may have
	 * acknowledged them: a request that sat unread) */
	else if (f->idle_end_ns && now - f->idle_end_ns <= idle_min &&
		 s->last_data_ns < f->idle_end_ns && r->last_ns >= f->idle_end_ns)
		gap = f->idle_gap_ns;
	if (gap >= 0)
		p->v.idle_gap_s = (double)gap / 1e9;

	/* at the handshake: answering the SYN, during it, or right after it
	 * with the sender having acknowledged nothing but the SYN (its listen
	 * queue overflowed: the connection never reached it) */
	if (p->v.kind == KIND_REFUSED || p->v.kind == KIND_HANDSHAKE ||
	    (p->v.kind == KIND_ESTABLISHED && f->est_ns && gap < 0 && !s->bytes &&
	     (f->d[0].bytes + f->d[1].bytes == 0 ||
	      (r->syn && s->ack_valid && s->max_ack == r->isn + 1))))
		p->v.shape = SHAPE_AT_HANDSHAKE;
	else if (gap >= 0)
		p->v.shape = SHAPE_IDLE_THEN_RESET;
	else if (p->v.kind == KIND_AFTER_FIN ||
		 (f->app.last_status >= 400 && f->app.responses && s->last_data_ns &&
		  s->last_data_ns == f->app.last_response_ns))
		p->v.shape = SHAPE_AFTER_CLOSE;
	else if (p->v.bytes_in_flight > 0 || (r->last_data_ns && now - r->last_data_ns < idle_min) ||
		 (s->last_data_ns && now - s->last_data_ns < idle_min))
		p->v.shape = SHAPE_MID_TRANSFER;
	else
		p->v.shape = SHAPE_OTHER;
}

const struct detector detect_shape = { "shape", NULL, shape_on_rst, NULL };
