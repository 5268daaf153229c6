/* cause_rules: the cause decision as an ordered table. The first rule whose
 * predicate holds decides; the order is the precedence (a forged RST is a
 * middlebox's whatever its shape; an answered request's reset is protocol
 * level even in a burst; ...). Each rule has a unit test (detect_test.c)
 * and docs/output.md lists them, generated from this table by
 * `rstscope analyze --list-rules`. */
#include "detect/detect.h"

#include <inttypes.h>
#include <string.h>

#include "util/util.h"

#define V (x->v)
#define P (x->p)
#define WHY(name) static void name(const struct cause_facts *x, char *b, size_t n)
/* every predicate and sentence takes the facts, whether it reads them or not */
#define WHEN(name, expr) static bool name(const struct cause_facts *x) { (void)x; return (expr); }

static bool server(const struct cause_facts *x) { return V->sender_role == ROLE_SERVER; }
static bool idle_shape(const struct cause_facts *x) { return V->shape == SHAPE_IDLE_THEN_RESET; }
/* after-fin with the receiver's data right before: it sent into a close */
static bool fin_provoked(const struct cause_facts *x)
{
	return V->kind == KIND_AFTER_FIN && P->fin_ns && P->provoked_by_data;
}

/* this host's kernel sent it, for this reason */
static bool kr(const struct cause_facts *x, const char *reason)
{
	return V->kernel == RK_SENT && !strcmp(V->kernel_reason, reason);
}

WHEN(w_k_not_sent, V->kernel == RK_NOT_SENT && V->kind != KIND_REFUSED)
WHEN(w_k_refused, kr(x, "NO_SOCKET") && V->kind == KIND_REFUSED)
WHEN(w_k_overflow, kr(x, "INVALID_SYN"))
WHEN(w_k_memory, kr(x, "TCP_ABORT_ON_MEMORY"))
WHEN(w_k_forgot, kr(x, "NO_SOCKET") && V->kind != KIND_NO_STATE)
WHEN(w_k_no_socket, kr(x, "NO_SOCKET"))
WHEN(w_k_unread, kr(x, "TCP_ABORT_ON_CLOSE") && !x->keepalive_unread)
WHEN(w_k_linger, kr(x, "TCP_STATE") || kr(x, "TCP_ABORT_ON_LINGER") ||
		 kr(x, "TCP_DISCONNECT_WITH_DATA"))
WHEN(w_k_keepalive, kr(x, "TCP_KEEPALIVE_TIMEOUT"))
WHEN(w_k_data, kr(x, "TCP_ABORT_ON_DATA"))
WHEN(w_k_timewait, kr(x, "TCP_TIMEWAIT_SOCKET"))
WHEN(w_oom_kill, V->kernel == RK_SENT && V->oom_pid > 0)
WHEN(w_host_overflow, V->overflow_drops > 0)
/* the socket's owner (not its closer: a close on the way out is the
 * close's own reason) gone when its reset was read; a TIME_WAIT socket has
 * outlived its owner by design */
WHEN(w_owner_exited, V->kernel == RK_SENT && V->owner_gone && V->pid >= 0 && !V->by_closer &&
		     !kr(x, "TCP_TIMEWAIT_SOCKET") && V->kind != KIND_REFUSED)
WHEN(w_followup, V->kind == KIND_AFTER_RST && x->first_cause_known)
WHEN(w_followup_unseen, V->kind == KIND_AFTER_RST)
WHEN(w_closed, P->completed_close)
WHEN(w_forged_refused, V->forged == FORGED_FORGED && V->kind == KIND_REFUSED)
WHEN(w_forged_idle, V->forged == FORGED_FORGED && V->idle_gap_s >= 0)
WHEN(w_forged, V->forged == FORGED_FORGED)
WHEN(w_restart_refused, V->kind == KIND_REFUSED && x->restart_refused)
WHEN(w_refused, V->kind == KIND_REFUSED)
WHEN(w_tls, V->tls == TLS_CLIENT_HELLO || V->tls == TLS_SERVER_HELLO)
WHEN(w_accept_overflow, V->shape == SHAPE_AT_HANDSHAKE && server(x))
WHEN(w_handshake, V->shape == SHAPE_AT_HANDSHAKE)
/* answered, and the sender sent no FIN (the peer's FIN may have come):
 * its close had the rest of the request unread */
WHEN(w_answered_limit, x->answered_error && !P->fin_ns && x->big_body)
WHEN(w_answered_unread, x->answered_error && !P->fin_ns)
WHEN(w_cluster, x->cluster)
WHEN(w_fin_limit, fin_provoked(x) && x->big_body)
WHEN(w_fin_answered, fin_provoked(x) && V->http_last_status >= 400 && !V->http_request_unanswered)
WHEN(w_fin_race, fin_provoked(x) && P->race_gap_ms >= 0)
WHEN(w_fin_idle_close, fin_provoked(x) && P->idle_before_fin)
WHEN(w_fin_unread, fin_provoked(x))
WHEN(w_fin_then_rst, V->kind == KIND_AFTER_FIN && P->fin_ns)
WHEN(w_idle_answers_fin, V->kind == KIND_AFTER_FIN && idle_shape(x) && server(x))
WHEN(w_answers_fin, V->kind == KIND_AFTER_FIN)
WHEN(w_keepalive_unread, x->keepalive_unread)
WHEN(w_idle_provoked, idle_shape(x) && P->provoked_by_data)
WHEN(w_lossy, P->retrans >= RULE_RETRANS_MIN)
WHEN(w_idle_server, idle_shape(x) && server(x))
WHEN(w_idle_timeout, idle_shape(x))
WHEN(w_big_body, x->big_body && server(x))
WHEN(w_inflight, server(x) && (V->http_request_unanswered || P->provoked_by_data))
WHEN(w_genuine_abort, V->sender_role != ROLE_UNKNOWN && V->forged == FORGED_GENUINE)
WHEN(w_none, true)

/* " by NAME[PID]" when the kernel named the closing process */
static void closer(const struct cause_facts *x, char *b, size_t n)
{
	if (V->by_closer && V->pid >= 0)
		fmt_buf(b, n, " by %s[%d]", V->comm, V->pid);
	else
		b[0] = '\0';
}

WHY(y_k_not_sent)
{
	(void)x;	fmt_buf(b, n, "forged in the path: it claims this host as its sender, but this host's "
		"kernel never sent it");
}
WHY(y_k_refused)
{
	fmt_buf(b, n, "the kernel answered the SYN (NO_SOCKET): nothing listened on port %u",
		V->sport);
}
WHY(y_k_overflow)
{
	char a[64], who[48] = "";
	static const uint8_t any[16];
	bool addr = memcmp(V->src.b, any, 16) && !(ipaddr_is_v4(&V->src) && !memcmp(V->src.b + 12, any, 4));

	if (V->pid >= 0)
		fmt_buf(who, sizeof(who), " of %s[%d]", V->comm, V->pid);
	if (addr)
		ipaddr_str(&V->src, a, sizeof(a));
	fmt_buf(b, n, "the kernel's reason INVALID_SYN: the listener %s%s%s:%u%s refused it, its "
		"accept queue overflowed (tcp_abort_on_overflow)", addr && !ipaddr_is_v4(&V->src)
		? "[" : "", addr ? a : "*", addr && !ipaddr_is_v4(&V->src) ? "]" : "", V->sport, who);
}
WHY(y_host_overflow)
{
	char a[64] = "*";
	static const uint8_t any[16];
	bool v4 = ipaddr_is_v4(&V->src);

	if (memcmp(V->src.b, any, 16) && !(v4 && !memcmp(V->src.b + 12, any, 4)))
		ipaddr_str(&V->src, a, sizeof(a));
	fmt_buf(b, n, "the listener %s%s%s:%u overflowed then: %" PRIu64 " connections dropped in "
		"%.1f s (%.0f/s; the host's ListenOverflows/ListenDrops); this host's reset (%s) "
		"answered one it had no room for", v4 ? "" : "[", a, v4 ? "" : "]", V->sport,
		V->overflow_drops, V->overflow_interval_s, V->overflow_rate,
		V->kernel_reason[0] ? V->kernel_reason : "no reason");
}
WHY(y_oom_kill)
{
	char lim[40] = "no limit";

	if (V->oom_limit)
		fmt_buf(lim, sizeof(lim), "limit %.0f MiB", (double)V->oom_limit / 1048576.0);
	fmt_buf(b, n, "OOM-killed: pid %d (%s) in cgroup %s, %s; its connections were reset as "
		"it died", V->oom_pid, V->oom_comm[0] ? V->oom_comm : "?",
		V->oom_cgroup[0] ? V->oom_cgroup : "?", lim);
}
WHY(y_owner_exited)
{
	fmt_buf(b, n, "the owner %s[%d] had exited while holding the connection (gone from /proc "
		"when its reset was read): a crash, a kill or a restart", V->comm, V->pid);
}
WHY(y_k_memory)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason TCP_ABORT_ON_MEMORY: out of TCP memory or too many "
		"orphaned sockets (tcp_mem, tcp_max_orphans)");
}
WHY(y_k_forgot)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason NO_SOCKET on a connection the wire saw open: this "
		"host no longer had the socket (it forgot the connection: a restart, or traffic "
		"steered to the wrong host)");
}
WHY(y_k_no_socket)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason NO_SOCKET: no socket for the segment (a refused "
		"connection or one this host forgot; nothing on the wire tells which)");
}
WHY(y_k_unread)
{
	char c[40];

	closer(x, c, sizeof(c));
	fmt_buf(b, n, "the kernel's reason TCP_ABORT_ON_CLOSE: the socket was closed%s with "
		"unread data in its receive queue", c);
}
WHY(y_k_linger)
{
	char c[40];

	closer(x, c, sizeof(c));
	fmt_buf(b, n, "the kernel's reason %s: an abortive close on purpose%s (SO_LINGER 0, "
		"TCP_LINGER2 or a disconnect)", V->kernel_reason, c);
}
WHY(y_k_keepalive)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason TCP_KEEPALIVE_TIMEOUT: its keepalive probes went "
		"unanswered; the peer or the path is gone");
}
WHY(y_k_data)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason TCP_ABORT_ON_DATA: data arrived after the "
		"application had closed the socket; the close became an RST");
}
WHY(y_k_timewait)
{
	(void)x;	fmt_buf(b, n, "the kernel's reason TCP_TIMEWAIT_SOCKET: the peer sent on a connection "
		"this host had closed (TIME_WAIT): a reuse that crossed its close");
}
WHY(y_followup) { (void)x; fmt_buf(b, n, "follows the flow's first RST"); }
WHY(y_followup_unseen) { (void)x; fmt_buf(b, n, "a follow-up RST whose first RST was not seen"); }
WHY(y_closed)
{
	(void)x;	fmt_buf(b, n, "harmless: both sides had closed (both FINs acknowledged) before it; a late "
		"segment met the closed socket, or a front end resets after close");
}
WHY(y_forged_refused)
{
	(void)x;	fmt_buf(b, n, "refused by a device in the path (a firewall REJECT in the server's name), "
		"not by the server");
}
WHY(y_forged_idle)
{
	fmt_buf(b, n, "a middlebox that forgot the idle connection (%.1f s idle) reset it in the "
		"peer's name", V->idle_gap_s);
}
WHY(y_forged) { (void)x; fmt_buf(b, n, "a middlebox reset the connection in the peer's name"); }
WHY(y_restart_refused)
{
	(void)x;	fmt_buf(b, n, "refused within %.0f s of resets from the same service: it went down",
		RULE_RESTART_REFUSED_S);
}
WHY(y_refused) { (void)x; fmt_buf(b, n, "RST answering a SYN: nothing accepted the connection"); }
WHY(y_tls) { (void)x; fmt_buf(b, n, "reset during the TLS handshake (%s)", tls_stage_name[V->tls]); }
WHY(y_accept_overflow)
{
	(void)x;	fmt_buf(b, n, "the server reset right after the handshake: its accept queue overflowed "
		"(tcp_abort_on_overflow)");
}
WHY(y_handshake) { (void)x; fmt_buf(b, n, "reset during the handshake"); }
WHY(y_answered_limit)
{
	fmt_buf(b, n, "it answered %u after %llu bytes of request body and reset the rest: a "
		"body-size limit", V->http_last_status, (unsigned long long)P->peer_body_bytes);
}
WHY(y_answered_unread)
{
	fmt_buf(b, n, "the server answered %u and reset the request it had not read",
		V->http_last_status);
}
WHY(y_cluster)
{
	fmt_buf(b, n, "%u flows of this host reset within %.1f s: the process crashed or "
		"restarted", V->cluster_size, x->cluster_window_s);
}
WHY(y_fin_limit)
{
	fmt_buf(b, n, "it closed on a large request (%llu bytes, status %u) and reset the rest of "
		"the body", (unsigned long long)P->peer_body_bytes, V->http_last_status);
}
WHY(y_fin_answered)
{
	fmt_buf(b, n, "it answered %u and closed while the peer was still sending: the unread "
		"data got an RST", V->http_last_status);
}
WHY(y_fin_race)
{
	fmt_buf(b, n, "keep-alive race: the peer's request crossed its FIN (%.1f ms apart); the "
		"connection was reused as it was closed", P->race_gap_ms);
}
WHY(y_fin_idle_close)
{
	fmt_buf(b, n, "it closed the connection after %.1f s idle (FIN) and the peer reused it "
		"%.1f ms later", P->fin_gap_s, (double)(P->provoked_ns - P->fin_ns) / 1e6);
}
WHY(y_fin_unread)
{
	(void)x;	fmt_buf(b, n, "it closed (FIN) while the peer still had data to send; that data got an RST");
}
WHY(y_fin_then_rst)
{
	(void)x;	fmt_buf(b, n, "RST right after its own FIN: it closed with unread received data");
}
WHY(y_idle_answers_fin)
{
	fmt_buf(b, n, "it answered the peer's FIN, which ended %.1f s of silence, with an RST: it had "
		"reaped the idle connection already, or its idle timer fired as the FIN came",
		V->idle_gap_s);
}
WHY(y_answers_fin)
{
	(void)x;	fmt_buf(b, n, "it answered the peer's FIN with an RST: an abortive close (SO_LINGER 0)");
}
WHY(y_keepalive_unread)
{
	fmt_buf(b, n, "keep-alive race: its idle timer fired %.1f s after it went quiet, with the "
		"reused connection's request %.1f ms in its receive queue, unread: the close became "
		"an RST (TCP_ABORT_ON_CLOSE)", x->timer_s, x->unread_ms);
}
WHY(y_idle_provoked)
{
	fmt_buf(b, n, "the first segment after %.1f s idle got an RST: the connection had been "
		"reaped", V->idle_gap_s);
}
WHY(y_lossy)
{
	fmt_buf(b, n, "%u retransmissions before the RST: the path lost packets", P->retrans);
}
WHY(y_idle_server)
{
	fmt_buf(b, n, "the server side reset the connection after %.1f s of silence: an idle "
		"timeout (a load balancer or proxy) reaped it", V->idle_gap_s);
}
WHY(y_idle_timeout)
{
	fmt_buf(b, n, "it reset after %.1f s of silence: a timeout (application or keepalive) gave "
		"up", V->idle_gap_s);
}
WHY(y_big_body)
{
	fmt_buf(b, n, "reset during a large request body (%llu bytes)",
		(unsigned long long)P->peer_body_bytes);
}
WHY(y_inflight)
{
	(void)x;	fmt_buf(b, n, "the server reset an in-flight request instead of answering: it died or "
		"closed with the request unread");
}
WHY(y_genuine_abort)
{
	(void)x;	fmt_buf(b, n, "a genuine RST with no failure around it: an abortive close (SO_LINGER 0) or "
		"a client giving up");
}
WHY(y_none) { (void)x; fmt_buf(b, n, "no evidence singles out a cause"); }

#define RULE(id, cause, conf, race, reap, w, y, doc) { id, cause, conf, race, reap, w, y, doc }
const struct cause_rule cause_rules[] = {
	RULE("kernel-not-sent", CAUSE_MIDDLEBOX, RULE_CONF_SENDER, false, REAP_IDLE, w_k_not_sent,
	     y_k_not_sent, "kernel: it claims a local sender, no tcp_send_reset while no events "
	     "were lost (not answering a SYN: forged-refused decides that)"),
	RULE("follow-up", RULE_CAUSE_FIRST, 0.5, false, REAP_IDLE, w_followup, y_followup,
	     "a follow-up RST whose flow's first RST was seen: that RST's cause"),
	RULE("follow-up-unseen", CAUSE_UNKNOWN, 0.2, false, REAP_IDLE, w_followup_unseen,
	     y_followup_unseen, "a follow-up RST whose first RST was not seen"),
	RULE("closed", CAUSE_DELIBERATE_ABORT, 0.7, false, REAP_IDLE, w_closed, y_closed,
	     "both FINs were sent and acknowledged before it: harmless, whatever its TTL"),
	RULE("kernel-oom-kill", CAUSE_PEER_RESTART, 0.95, false, REAP_IDLE, w_oom_kill, y_oom_kill,
	     "kernel: this host sent it, and the socket's process (or its cgroup) was OOM-killed "
	     "within KHOST_BEFORE_S before (kernel log, the cgroup's memory limit)"),
	RULE("kernel-host-overflow", CAUSE_OVERLOAD, 0.9, false, REAP_IDLE, w_host_overflow,
	     y_host_overflow, "kernel: this host sent it from a listener whose queues overflowed in "
	     "the same sampled interval (host counters, sampled by watch)"),
	RULE("forged-refused", CAUSE_REFUSED, 0.8, false, REAP_IDLE, w_forged_refused,
	     y_forged_refused, "forged, answering a SYN: a firewall REJECT"),
	RULE("forged-idle", CAUSE_MIDDLEBOX, RULE_CONF_SENDER, false, REAP_IDLE, w_forged_idle,
	     y_forged_idle, "forged, after a silence: a box that forgot the connection"),
	RULE("forged", CAUSE_MIDDLEBOX, RULE_CONF_SENDER, false, REAP_IDLE, w_forged, y_forged,
	     "forged"),
	RULE("restart-refused", CAUSE_PEER_RESTART, 0.7, false, REAP_IDLE, w_restart_refused,
	     y_restart_refused, "refused within RULE_RESTART_REFUSED_S of resets of the same "
	     "service (address and port)"),
	RULE("kernel-refused", CAUSE_REFUSED, 0.95, false, REAP_IDLE, w_k_refused, y_k_refused,
	     "kernel: NO_SOCKET answering a SYN"),
	RULE("refused", CAUSE_REFUSED, 0.9, false, REAP_IDLE, w_refused, y_refused,
	     "answers a SYN"),
	RULE("kernel-listen-overflow", CAUSE_OVERLOAD, 0.9, false, REAP_IDLE, w_k_overflow,
	     y_k_overflow, "kernel: INVALID_SYN (a listen queue overflow)"),
	RULE("kernel-memory", CAUSE_OVERLOAD, 0.9, false, REAP_IDLE, w_k_memory, y_k_memory,
	     "kernel: TCP_ABORT_ON_MEMORY"),
	RULE("tls-handshake", CAUSE_TLS, 0.8, false, REAP_IDLE, w_tls, y_tls,
	     "a ClientHello or ServerHello seen, the handshake not finished"),
	RULE("accept-overflow", CAUSE_OVERLOAD, 0.6, false, REAP_IDLE, w_accept_overflow,
	     y_accept_overflow, "the server's RST at the handshake, only the SYN acknowledged"),
	RULE("handshake", CAUSE_UNKNOWN, 0.3, false, REAP_IDLE, w_handshake, y_handshake,
	     "the client's RST at the handshake"),
	RULE("answered-size-limit", CAUSE_SIZE_LIMIT, 0.75, false, REAP_IDLE, w_answered_limit,
	     y_answered_limit, "the server answered >= 400 and reset (without a FIN of its "
	     "own) after a large body: 413 after RULE_BODY_LIMIT_413, any status after RULE_BODY_BIG"),
	RULE("answered-unread", CAUSE_UNREAD_CLOSE, 0.7, false, REAP_IDLE, w_answered_unread,
	     y_answered_unread, "the server answered >= 400 and reset (without a FIN of its "
	     "own, the client's FIN may have come first): protocol level, even in a burst"),
	RULE("owner-exited", CAUSE_PEER_RESTART, 0.7, false, REAP_IDLE, w_owner_exited,
	     y_owner_exited, "kernel: this host sent it and the socket's owner (not a closer, not "
	     "TIME_WAIT, not a refusal) was gone from /proc when the reset was read"),
	RULE("cluster", CAUSE_PEER_RESTART, 0.8, false, REAP_IDLE, w_cluster, y_cluster,
	     "--cluster-min flows of the service reset within --cluster-window, "
	     "not all after the same silence (RULE_ONE_TIMER_PCT: that is one idle timer)"),
	RULE("kernel-forgot", CAUSE_PEER_RESTART, 0.8, false, REAP_IDLE, w_k_forgot, y_k_forgot,
	     "kernel: NO_SOCKET on a 4-tuple the wire saw (not answering a SYN)"),
	RULE("kernel-no-socket", CAUSE_REFUSED, 0.5, false, REAP_IDLE, w_k_no_socket,
	     y_k_no_socket, "kernel: NO_SOCKET with no flow state (a kernel-only reset)"),
	RULE("kernel-unread-close", CAUSE_UNREAD_CLOSE, 0.9, false, REAP_IDLE, w_k_unread,
	     y_k_unread, "kernel: TCP_ABORT_ON_CLOSE, unless keepalive-unread holds (or a "
	     "restart: cluster and earlier rules come first)"),
	RULE("kernel-linger", CAUSE_DELIBERATE_ABORT, 0.9, false, REAP_IDLE, w_k_linger,
	     y_k_linger, "kernel: TCP_STATE, TCP_ABORT_ON_LINGER or TCP_DISCONNECT_WITH_DATA"),
	RULE("kernel-keepalive", CAUSE_DELIBERATE_ABORT, 0.85, false, REAP_IDLE, w_k_keepalive,
	     y_k_keepalive, "kernel: TCP_KEEPALIVE_TIMEOUT"),
	RULE("fin-size-limit", CAUSE_SIZE_LIMIT, 0.7, false, REAP_IDLE, w_fin_limit, y_fin_limit,
	     "after its FIN, the peer still sending a large body"),
	RULE("fin-answered", CAUSE_UNREAD_CLOSE, 0.75, false, REAP_IDLE, w_fin_answered,
	     y_fin_answered, "after its FIN and a >= 400 answer, the peer still sending"),
	RULE("fin-race", CAUSE_IDLE_REAP, 0.8, true, REAP_IDLE, w_fin_race, y_fin_race,
	     "the peer's data crossed its FIN (did not acknowledge it)"),
	RULE("fin-idle-close", CAUSE_IDLE_REAP, 0.7, false, REAP_FIN, w_fin_idle_close,
	     y_fin_idle_close, "its FIN ended a silence, the peer reused the connection after it"),
	RULE("kernel-data-after-close", CAUSE_UNREAD_CLOSE, 0.8, false, REAP_IDLE, w_k_data,
	     y_k_data, "kernel: TCP_ABORT_ON_DATA (after the fin-* rules of a keep-alive race)"),
	RULE("kernel-timewait", CAUSE_IDLE_REAP, 0.7, false, REAP_IDLE, w_k_timewait,
	     y_k_timewait, "kernel: TCP_TIMEWAIT_SOCKET"),
	RULE("fin-unread", CAUSE_UNREAD_CLOSE, 0.5, false, REAP_IDLE, w_fin_unread, y_fin_unread,
	     "after its FIN, the peer's data"),
	RULE("fin-then-rst", CAUSE_UNREAD_CLOSE, 0.6, false, REAP_IDLE, w_fin_then_rst,
	     y_fin_then_rst, "after its own FIN, nothing from the peer"),
	RULE("idle-answers-fin", CAUSE_IDLE_REAP, 0.65, false, REAP_IDLE, w_idle_answers_fin,
	     y_idle_answers_fin, "the server side answers the peer's FIN that ended a silence"),
	RULE("answers-fin", CAUSE_DELIBERATE_ABORT, 0.5, false, REAP_IDLE, w_answers_fin,
	     y_answers_fin, "answers the peer's FIN"),
	RULE("keepalive-unread", CAUSE_IDLE_REAP, 0.75, true, REAP_TIMER, w_keepalive_unread,
	     y_keepalive_unread, "the server's RST (no FIN) within RULE_UNREAD_MAX_S of a reuse "
	     "that ended a silence, which it acknowledged and did not answer: its keep-alive "
	     "timer fired with the request unread"),
	RULE("idle-provoked", CAUSE_IDLE_REAP, 0.75, false, REAP_IDLE, w_idle_provoked,
	     y_idle_provoked, "answers the first data after a silence"),
	RULE("lossy", CAUSE_LOSS_MTU, 0.6, false, REAP_IDLE, w_lossy, y_lossy,
	     "RULE_RETRANS_MIN retransmissions in the flow before it"),
	RULE("idle-server", CAUSE_IDLE_REAP, 0.7, false, REAP_IDLE, w_idle_server, y_idle_server,
	     "the server side ends a silence with an RST"),
	RULE("idle-timeout", CAUSE_DELIBERATE_ABORT, 0.5, false, REAP_IDLE, w_idle_timeout,
	     y_idle_timeout, "the client ends a silence with an RST"),
	RULE("big-body", CAUSE_SIZE_LIMIT, 0.6, false, REAP_IDLE, w_big_body, y_big_body,
	     "the server's RST during a request body past RULE_BODY_BIG"),
	RULE("in-flight", CAUSE_PEER_RESTART, 0.5, false, REAP_IDLE, w_inflight, y_inflight,
	     "the server's RST of an unanswered request or right after the client's data"),
	RULE("genuine-abort", CAUSE_DELIBERATE_ABORT, 0.5, false, REAP_IDLE, w_genuine_abort,
	     y_genuine_abort, "a genuine RST of a known side, nothing else around it"),
	RULE("none", CAUSE_UNKNOWN, 0.2, false, REAP_IDLE, w_none, y_none, "anything else"),
};
const unsigned cause_rule_count = sizeof(cause_rules) / sizeof(cause_rules[0]);

const struct cause_threshold cause_thresholds[] = {
	{ "RULE_RESTART_REFUSED_S", RULE_RESTART_REFUSED_S, "s",
	  "a refusal this soon after resets of the same service is a restart" },
	{ "RULE_RETRANS_MIN", RULE_RETRANS_MIN, "segments", "retransmissions that mean a lossy path" },
	{ "RULE_BODY_LIMIT_413", RULE_BODY_LIMIT_413, "bytes",
	  "request body read before a 413 that makes it a size limit" },
	{ "RULE_BODY_BIG", RULE_BODY_BIG, "bytes", "a request body past this is a size limit" },
	{ "RULE_UNREAD_MAX_S", RULE_UNREAD_MAX_S, "s",
	  "longest an acknowledged reuse waits unread before the keep-alive timer's RST" },
	{ "RULE_ONE_TIMER_PCT", RULE_ONE_TIMER_PCT, "%",
	  "a cluster whose resets all came after silences this close (or RULE_ONE_TIMER_MIN_S) "
	  "is one idle timer, not a crash" },
	{ "RULE_ONE_TIMER_MIN_S", RULE_ONE_TIMER_MIN_S, "s", "the same, in seconds, for short silences" },
	{ "KHOST_BEFORE_S", KHOST_BEFORE_S, "s",
	  "an OOM kill this long before a reset of its process or cgroup explains it" },
};
const unsigned cause_threshold_count = sizeof(cause_thresholds) / sizeof(cause_thresholds[0]);
