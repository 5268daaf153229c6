/* cause: the most likely cause of an RST (ids of reset-causes.md), from
 * what the other detectors decided, with its evidence and a confidence. */
#include "detect/detect.h"

#include <stdio.h>

#include "util/util.h"

#define SET(c, conf_, ...) do { p->v.cause = (c); p->confidence = (conf_); \
	fmt_buf(p->v.cause_evidence, sizeof(p->v.cause_evidence), __VA_ARGS__); } while (0)

static void cause_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			 const struct tcp_view *v)
{
	const struct flow_dir *s = &f->d[p->sdir], *r = &f->d[!p->sdir];

	(void)env;
	(void)v;
	p->race_gap_ms = -1;
	p->retrans = (uint32_t)(s->retrans + r->retrans);
	p->provoked_by_data = r->last_data_ns && r->last_data_ns > s->last_ns;
	p->provoked_ns = r->last_data_ns;
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

/* A size limit, not an early answer: a 413 after at least 64 KiB of body
 * (the server read up to its limit), or any reset past 1 MiB of body. An
 * early error after little body is a close with unread data. */
static bool big_body(const struct pending_rst *p)
{
	return (p->v.http_last_status == 413 && p->peer_body_bytes >= (64u << 10)) ||
	       p->peer_body_bytes >= (1u << 20);
}

static void after_fin(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	(void)env;
	(void)f;
	if (p->fin_ns && p->provoked_by_data) {
		if (big_body(p))
			SET(CAUSE_SIZE_LIMIT, 0.7, "it closed on a large request (%llu bytes, status %u) "
			    "and reset the rest of the body", (unsigned long long)p->peer_body_bytes,
			    p->v.http_last_status);
		else if (p->v.http_last_status >= 400 && !p->v.http_request_unanswered)
			SET(CAUSE_UNREAD_CLOSE, 0.75, "it answered %u and closed while the peer was "
			    "still sending: the unread data got an RST", p->v.http_last_status);
		else if (p->race_gap_ms >= 0)
			SET(CAUSE_IDLE_REAP, 0.8, "keep-alive race: the peer's request crossed its FIN "
			    "(%.1f ms apart); the connection was reused as it was closed",
			    p->race_gap_ms);
		else if (p->idle_before_fin) {
			SET(CAUSE_IDLE_REAP, 0.7, "it closed the connection after %.1f s idle (FIN) "
			    "and the peer reused it %.1f ms later", p->fin_gap_s,
			    (double)(p->provoked_ns - p->fin_ns) / 1e6);
			p->v.reap_gap_s = p->fin_gap_s;
		}
		else
			SET(CAUSE_UNREAD_CLOSE, 0.5, "it closed (FIN) while the peer still had data "
			    "to send; that data got an RST");
	} else if (p->fin_ns) {
		SET(CAUSE_UNREAD_CLOSE, 0.6, "RST right after its own FIN: it closed with unread "
		    "received data");
	} else {
		SET(CAUSE_DELIBERATE_ABORT, 0.5, "it answered the peer's FIN with an RST: an "
		    "abortive close (SO_LINGER 0)");
	}
}

static void cause_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	const struct rst_verdict *v = &p->v;
	const struct host *h;

	p->v.reap_gap_s = v->shape == SHAPE_IDLE_THEN_RESET ? v->idle_gap_s : -1;
	if (v->kind == KIND_AFTER_RST) {
		if (f && f->first_rst_cause_set)
			SET((enum rst_cause)f->first_rst_cause, 0.5, "follows the flow's first RST");
		else
			SET(CAUSE_UNKNOWN, 0.2, "a follow-up RST whose first RST was not seen");
	} else if (v->forged == FORGED_FORGED) {
		if (v->kind == KIND_REFUSED)
			SET(CAUSE_REFUSED, 0.8, "refused by a device in the path (a firewall REJECT "
			    "in the server's name), not by the server");
		else if (v->idle_gap_s >= 0)
			SET(CAUSE_MIDDLEBOX, p->sender_conf, "a middlebox that forgot the idle "
			    "connection (%.1f s idle) reset it in the peer's name", v->idle_gap_s);
		else
			SET(CAUSE_MIDDLEBOX, p->sender_conf, "a middlebox reset the connection in the "
			    "peer's name");
	} else if (v->kind == KIND_REFUSED) {
		h = host_get(env->ft, &v->src, false);
		if (h && h->resets &&
		    host_resets_near(h, p->clock_ns, 30 * (int64_t)1000000000, 0, v->sport) >= 1)
			SET(CAUSE_PEER_RESTART, 0.7, "refused within 30 s of resets from the same "
			    "service: it went down");
		else
			SET(CAUSE_REFUSED, 0.9, "RST answering a SYN: nothing accepted the connection");
	} else if (v->tls == TLS_CLIENT_HELLO || v->tls == TLS_SERVER_HELLO) {
		SET(CAUSE_TLS, 0.8, "reset during the TLS handshake (%s)", tls_stage_name[v->tls]);
	} else if (v->shape == SHAPE_AT_HANDSHAKE) {
		if (v->sender_role == ROLE_SERVER)
			SET(CAUSE_OVERLOAD, 0.6, "the server reset right after the handshake: its "
			    "accept queue overflowed (tcp_abort_on_overflow)");
		else
			SET(CAUSE_UNKNOWN, 0.3, "reset during the handshake");
	} else if (v->sender_role == ROLE_SERVER && v->http_last_status >= 400 &&
		   !v->http_request_unanswered && v->kind != KIND_AFTER_FIN) {
		/* it answered, so it was alive: a protocol-level reset, even when
		 * several flows get one at once */
		if (big_body(p))
			SET(CAUSE_SIZE_LIMIT, 0.75, "it answered %u after %llu bytes of request body "
			    "and reset the rest: a body-size limit", v->http_last_status,
			    (unsigned long long)p->peer_body_bytes);
		else
			SET(CAUSE_UNREAD_CLOSE, 0.7, "the server answered %u and reset the request "
			    "it had not read", v->http_last_status);
	} else if (v->cluster_size >= env->o->cluster_min) {
		SET(CAUSE_PEER_RESTART, 0.8, "%u flows of this host reset within %.1f s: the "
		    "process crashed or restarted", v->cluster_size, env->o->cluster_window_s);
	} else if (v->kind == KIND_AFTER_FIN) {
		after_fin(env, p, f);
	} else if (v->shape == SHAPE_IDLE_THEN_RESET && p->provoked_by_data) {
		SET(CAUSE_IDLE_REAP, 0.75, "the first segment after %.1f s idle got an RST: the "
		    "connection had been reaped", v->idle_gap_s);
	} else if (p->retrans >= 3) {
		SET(CAUSE_LOSS_MTU, 0.6, "%u retransmissions before the RST: the path lost "
		    "packets", p->retrans);
	} else if (v->shape == SHAPE_IDLE_THEN_RESET && v->sender_role == ROLE_SERVER) {
		/* the server's side ended the silence with an RST: an idle timeout
		 * that resets (load balancers and proxies do); the client learns of
		 * it when it reuses the pooled connection */
		SET(CAUSE_IDLE_REAP, 0.7, "the server side reset the connection after %.1f s of "
		    "silence: an idle timeout (a load balancer or proxy) reaped it",
		    v->idle_gap_s);
	} else if (v->shape == SHAPE_IDLE_THEN_RESET) {
		SET(CAUSE_DELIBERATE_ABORT, 0.5, "it reset after %.1f s of silence: a timeout "
		    "(application or keepalive) gave up", v->idle_gap_s);
	} else if (big_body(p) && v->sender_role == ROLE_SERVER) {
		SET(CAUSE_SIZE_LIMIT, 0.6, "reset during a large request body (%llu bytes)",
		    (unsigned long long)p->peer_body_bytes);
	} else if (v->sender_role == ROLE_SERVER && (v->http_request_unanswered ||
						     p->provoked_by_data)) {
		SET(CAUSE_PEER_RESTART, 0.5, "the server reset an in-flight request instead of "
		    "answering: it died or closed with the request unread");
	} else if (v->sender_role != ROLE_UNKNOWN && v->forged == FORGED_GENUINE) {
		SET(CAUSE_DELIBERATE_ABORT, 0.5, "a genuine RST with no failure around it: an "
		    "abortive close (SO_LINGER 0) or a client giving up");
	} else {
		SET(CAUSE_UNKNOWN, 0.2, "no evidence singles out a cause");
	}
	if (f && !f->first_rst_cause_set && v->kind != KIND_AFTER_RST) {
		f->first_rst_cause = (uint8_t)v->cause;
		f->first_rst_cause_set = 1;
	}
}

const struct detector detect_cause = { "cause", NULL, cause_on_rst, cause_on_final };
