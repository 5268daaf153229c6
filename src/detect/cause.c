/* cause: the most likely cause of an RST (ids of reset-causes.md), from
 * what the other detectors decided. The decision is the ordered rule table
 * of cause_rules.c; this file gathers the facts its predicates read. */
#include "detect/detect.h"

#include <stdio.h>

#include "util/util.h"

static void cause_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			 const struct tcp_view *v)
{
	const struct flow_dir *s = &f->d[p->sdir], *r = &f->d[!p->sdir];

	(void)v;
	p->race_gap_ms = -1;
	p->retrans = (uint32_t)(s->retrans + r->retrans);
	p->provoked_by_data = r->last_data_ns && r->last_data_ns > s->last_ns;
	p->provoked_ns = r->last_data_ns;
	/* both FINs acknowledged: the connection was over on both sides */
	p->completed_close = s->fin && r->fin && s->ack_valid && r->ack_valid &&
			     !seq_lt(s->max_ack, r->fin_seq + 1) && !seq_lt(r->max_ack, s->fin_seq + 1);
	/* the receiver's data ended a silence, the sender's kernel acknowledged
	 * it and the sender sent no data since: a reused connection whose
	 * request sat unread when the sender reset it */
	if (f->idle_end_ns && r->last_data_ns >= f->idle_end_ns && s->last_data_ns < f->idle_end_ns &&
	    r->seq_valid && s->ack_valid && !seq_lt(s->max_ack, r->next_seq)) {
		int64_t silence_start = f->idle_end_ns - f->idle_gap_ns;

		p->acked_reuse = 1;
		p->reuse_ns = f->idle_end_ns;
		p->quiet_since_ns = s->last_data_ns ? s->last_data_ns : silence_start;
	}
	if (s->fin) {
		p->fin_ns = s->fin_ns;
		p->provoking_acks_fin = p->provoked_by_data &&
					!seq_lt(r->last_data_ack, s->fin_seq + 1);
		/* the receiver's data came after the sender's FIN without
		 * acknowledging it: it was sent before the FIN arrived, they crossed */
		if (p->provoked_by_data && r->last_data_ns >= s->fin_ns && !p->provoking_acks_fin)
			p->race_gap_ms = (double)(r->last_data_ns - s->fin_ns) / 1e6;
		p->idle_before_fin = f->fin_gap_ns[p->sdir] >= (int64_t)(env->o->idle_min_s * 1e9);
		p->fin_gap_s = (double)f->fin_gap_ns[p->sdir] / 1e9;
	}
}

/* A size limit, not an early answer: a 413 after a good part of a body
 * (the server read up to its limit), or any reset past a large body. */
static bool big_body(const struct pending_rst *p)
{
	return (p->v.http_last_status == 413 && p->peer_body_bytes >= RULE_BODY_LIMIT_413) ||
	       p->peer_body_bytes >= RULE_BODY_BIG;
}

static void facts_init(struct cause_facts *x, const struct detect_env *env,
		       const struct pending_rst *p, const struct flow *f)
{
	const struct rst_verdict *v = &p->v;
	const struct host *h;

	x->v = v;
	x->p = p;
	x->first_cause_known = f && f->first_rst_cause_set;
	x->first_cause = x->first_cause_known ? (enum rst_cause)f->first_rst_cause : CAUSE_UNKNOWN;
	x->cluster_window_s = env->o->cluster_window_s;
	/* many flows of the service reset together, unless every one of them
	 * after the same silence: one idle timer, not a crash */
	x->cluster = v->cluster_size >= env->o->cluster_min && !p->cluster_one_timer;
	x->big_body = big_body(p);
	x->answered_error = v->sender_role == ROLE_SERVER && v->http_last_status >= 400 &&
			    !v->http_request_unanswered;
	x->restart_refused = false;
	if (v->kind == KIND_REFUSED && (h = host_get(env->ft, &v->src, false)) && h->resets)
		x->restart_refused = host_resets_near(h, p->clock_ns,
						      (int64_t)(RULE_RESTART_REFUSED_S * 1e9), 0,
						      v->sport, -1, 0, NULL) >= 1;
	/* the server's keep-alive timer fired with the reused connection's
	 * request unread: no FIN (close() with unread data sends an RST
	 * instead), the request acknowledged and unanswered, the RST soon after */
	x->keepalive_unread = v->sender_role == ROLE_SERVER && v->kind == KIND_ESTABLISHED &&
			      p->acked_reuse && !(v->http_method[0] && !v->http_request_unanswered) &&
			      p->clock_ns - p->reuse_ns <= (int64_t)(RULE_UNREAD_MAX_S * 1e9);
	x->timer_s = p->acked_reuse ? (double)(p->clock_ns - p->quiet_since_ns) / 1e9 : -1;
	x->unread_ms = p->acked_reuse ? (double)(p->clock_ns - p->reuse_ns) / 1e6 : -1;
}

const struct cause_rule *cause_rule_match(const struct cause_facts *x)
{
	for (unsigned i = 0; i < cause_rule_count; i++)
		if (cause_rules[i].when(x))
			return &cause_rules[i];
	return &cause_rules[cause_rule_count - 1];
}

static void cause_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	struct cause_facts x;
	const struct cause_rule *r;

	facts_init(&x, env, p, f);
	r = cause_rule_match(&x);
	p->v.cause = r->cause == RULE_CAUSE_FIRST ? x.first_cause : (enum rst_cause)r->cause;
	p->confidence = r->confidence == RULE_CONF_SENDER ? p->sender_conf : r->confidence;
	p->v.cause_rule = r->id;
	r->why(&x, p->v.cause_evidence, sizeof(p->v.cause_evidence));
	if (!r->race)
		p->race_gap_ms = -1;
	else if (r->reap == REAP_TIMER)
		p->race_gap_ms = x.unread_ms;
	p->v.reap_gap_s = r->reap == REAP_FIN ? p->fin_gap_s
			: r->reap == REAP_TIMER ? x.timer_s
			: p->v.shape == SHAPE_IDLE_THEN_RESET ? p->v.idle_gap_s : -1;
	if (f && !f->first_rst_cause_set && p->v.kind != KIND_AFTER_RST) {
		f->first_rst_cause = (uint8_t)p->v.cause;
		f->first_rst_cause_set = 1;
	}
}

const struct detector detect_cause = { "cause", NULL, cause_on_rst, cause_on_final };
