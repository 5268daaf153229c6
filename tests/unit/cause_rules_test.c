/* Unit tests of the cause rule table: for every rule, facts for which that
 * rule (and no earlier one) decides; a rule without a case here fails the
 * test, and so does one shadowed by an earlier rule. */
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "unit.h"

static struct pending_rst P;
static struct cause_facts X;

/* An established RST from a genuine server with nothing around it. */
static void base(void)
{
	memset(&P, 0, sizeof(P));
	memset(&X, 0, sizeof(X));
	P.v.kind = KIND_ESTABLISHED;
	P.v.sender_role = ROLE_SERVER;
	P.v.forged = FORGED_GENUINE;
	P.v.shape = SHAPE_MID_TRANSFER;
	P.v.idle_gap_s = -1;
	P.v.cluster_size = 1;
	P.race_gap_ms = -1;
	X.v = &P.v;
	X.p = &P;
	X.timer_s = X.unread_ms = -1;
	X.cluster_window_s = 1;
}

static void after_fin(void) { P.v.kind = KIND_AFTER_FIN; P.v.shape = SHAPE_AFTER_CLOSE; }
static void fin_provoked(void) { after_fin(); P.fin_ns = 1; P.provoked_by_data = 1; }

/* this host's kernel sent it, for reason r */
static void sent(const char *r)
{
	P.v.kernel_checked = true;
	P.v.kernel = RK_SENT;
	snprintf(P.v.kernel_reason, sizeof(P.v.kernel_reason), "%s", r);
}
/* a forged follow-up the kernel never sent: the kernel's word comes first */
static void c_k_not_sent(void)
{
	P.v.kind = KIND_AFTER_RST;
	X.first_cause_known = true;
	P.v.kernel_checked = true;
	P.v.kernel = RK_NOT_SENT;
	P.v.forged = FORGED_FORGED;
}
static void c_k_refused(void) { sent("NO_SOCKET"); P.v.kind = KIND_REFUSED; }
static void c_k_overflow(void) { sent("INVALID_SYN"); P.v.shape = SHAPE_AT_HANDSHAKE; }
static void c_k_memory(void) { sent("TCP_ABORT_ON_MEMORY"); X.cluster = true; }
static void c_k_forgot(void) { sent("NO_SOCKET"); P.v.shape = SHAPE_IDLE_THEN_RESET; }
static void c_k_no_socket(void) { sent("NO_SOCKET"); P.v.kind = KIND_NO_STATE; P.v.kernel_only = true; }
static void c_k_unread(void)
{
	sent("TCP_ABORT_ON_CLOSE");
	P.v.by_closer = true;
	P.v.pid = 42;
	snprintf(P.v.comm, sizeof(P.v.comm), "app");
	P.v.shape = SHAPE_IDLE_THEN_RESET;
	P.provoked_by_data = 1;   /* the wire alone: idle-provoked */
}
static void c_k_linger(void) { sent("TCP_ABORT_ON_LINGER"); fin_provoked(); }
static void c_k_keepalive(void) { sent("TCP_KEEPALIVE_TIMEOUT"); P.v.shape = SHAPE_IDLE_THEN_RESET; }
static void c_k_data(void) { sent("TCP_ABORT_ON_DATA"); fin_provoked(); }
static void c_k_timewait(void) { sent("TCP_TIMEWAIT_SOCKET"); after_fin(); }
/* an OOM kill comes before everything the wire or the reason says */
static void c_oom_kill(void)
{
	sent("TCP_ABORT_ON_CLOSE");
	P.v.by_closer = true;
	P.v.pid = 4242;
	X.cluster = true;
	P.v.oom_pid = 4242;
	snprintf(P.v.oom_comm, sizeof(P.v.oom_comm), "rs-oom");
	snprintf(P.v.oom_cgroup, sizeof(P.v.oom_cgroup), "/rs-lab/oom");
	P.v.oom_limit = 64u << 20;
}
static void c_owner_exited(void)
{
	sent("NO_SOCKET");
	P.v.pid = 4300;
	snprintf(P.v.comm, sizeof(P.v.comm), "app");
	P.v.owner_gone = true;
	X.cluster = true;
}
static void c_followup(void) { P.v.kind = KIND_AFTER_RST; X.first_cause_known = true; }
static void c_followup_unseen(void) { P.v.kind = KIND_AFTER_RST; }
static void c_closed(void) { after_fin(); P.completed_close = 1; P.v.forged = FORGED_FORGED; }
static void c_forged_refused(void) { P.v.kind = KIND_REFUSED; P.v.forged = FORGED_FORGED; }
static void c_forged_idle(void) { P.v.forged = FORGED_FORGED; P.v.idle_gap_s = 30; }
static void c_forged(void) { P.v.forged = FORGED_FORGED; }
static void c_restart_refused(void) { P.v.kind = KIND_REFUSED; X.restart_refused = true; }
static void c_refused(void) { P.v.kind = KIND_REFUSED; P.v.shape = SHAPE_AT_HANDSHAKE; }
static void c_tls(void) { P.v.tls = TLS_CLIENT_HELLO; }
static void c_accept_overflow(void) { P.v.shape = SHAPE_AT_HANDSHAKE; }
static void c_handshake(void) { P.v.shape = SHAPE_AT_HANDSHAKE; P.v.sender_role = ROLE_CLIENT; }
static void c_answered_limit(void) { X.answered_error = true; X.big_body = true; X.cluster = true; }
static void c_answered_unread(void) { X.answered_error = true; X.cluster = true; }
static void c_cluster(void) { X.cluster = true; P.v.cluster_size = 5; }
static void c_fin_limit(void) { fin_provoked(); X.big_body = true; }
static void c_fin_answered(void) { fin_provoked(); P.v.http_last_status = 401; }
static void c_fin_race(void) { fin_provoked(); P.race_gap_ms = 0.4; }
static void c_fin_idle_close(void) { fin_provoked(); P.idle_before_fin = 1; }
static void c_fin_unread(void) { fin_provoked(); }
static void c_fin_then_rst(void) { after_fin(); P.fin_ns = 1; }
static void c_answers_fin(void) { after_fin(); }
static void c_keepalive_unread(void)
{
	X.keepalive_unread = true;
	P.v.shape = SHAPE_IDLE_THEN_RESET;   /* an idle shape, still the timer's */
	P.v.idle_gap_s = 4.9;
	X.timer_s = 5.0;
	X.unread_ms = 100;
}
static void c_idle_provoked(void) { P.v.shape = SHAPE_IDLE_THEN_RESET; P.provoked_by_data = 1; }
static void c_lossy(void) { P.retrans = RULE_RETRANS_MIN; P.v.shape = SHAPE_IDLE_THEN_RESET; }
static void c_idle_server(void) { P.v.shape = SHAPE_IDLE_THEN_RESET; P.v.idle_gap_s = 60; }
static void c_idle_timeout(void)
{
	P.v.shape = SHAPE_IDLE_THEN_RESET;
	P.v.sender_role = ROLE_CLIENT;
}
/* the peer's FIN after a silence, answered by the server's RST */
static void c_idle_answers_fin(void)
{
	after_fin();
	P.v.shape = SHAPE_IDLE_THEN_RESET;
	P.v.idle_gap_s = 2.6;
}
/* the connection this host forgot, while its listener overflowed */
static void c_host_overflow(void)
{
	sent("NO_SOCKET");
	P.v.kind = KIND_NO_STATE;
	P.v.kernel_only = true;
	P.v.overflow_drops = 37;
	P.v.overflow_interval_s = 2;
	P.v.overflow_rate = 18.5;
}
static void c_big_body(void) { X.big_body = true; P.v.http_last_status = 0; }
static void c_inflight(void) { P.v.http_request_unanswered = true; }
static void c_genuine_abort(void) { P.v.sender_role = ROLE_CLIENT; }
static void c_none(void) { P.v.sender_role = ROLE_UNKNOWN; P.v.forged = FORGED_UNKNOWN; }

static const struct {
	const char *rule;
	void (*make)(void);
} cases[] = {
	{ "kernel-not-sent", c_k_not_sent }, { "kernel-refused", c_k_refused },
	{ "kernel-listen-overflow", c_k_overflow }, { "kernel-memory", c_k_memory },
	{ "kernel-forgot", c_k_forgot }, { "kernel-no-socket", c_k_no_socket },
	{ "kernel-unread-close", c_k_unread }, { "kernel-linger", c_k_linger },
	{ "kernel-keepalive", c_k_keepalive }, { "kernel-data-after-close", c_k_data },
	{ "kernel-timewait", c_k_timewait },
	{ "follow-up", c_followup }, { "follow-up-unseen", c_followup_unseen },
	{ "closed", c_closed }, { "forged-refused", c_forged_refused },
	{ "forged-idle", c_forged_idle }, { "forged", c_forged },
	{ "restart-refused", c_restart_refused }, { "refused", c_refused },
	{ "tls-handshake", c_tls }, { "accept-overflow", c_accept_overflow },
	{ "handshake", c_handshake }, { "answered-size-limit", c_answered_limit },
	{ "answered-unread", c_answered_unread }, { "cluster", c_cluster },
	{ "fin-size-limit", c_fin_limit }, { "fin-answered", c_fin_answered },
	{ "fin-race", c_fin_race }, { "fin-idle-close", c_fin_idle_close },
	{ "fin-unread", c_fin_unread }, { "fin-then-rst", c_fin_then_rst },
	{ "answers-fin", c_answers_fin }, { "keepalive-unread", c_keepalive_unread },
	{ "idle-provoked", c_idle_provoked }, { "lossy", c_lossy },
	{ "idle-server", c_idle_server }, { "idle-timeout", c_idle_timeout },
	{ "big-body", c_big_body }, { "in-flight", c_inflight },
	{ "genuine-abort", c_genuine_abort }, { "none", c_none },
	{ "kernel-oom-kill", c_oom_kill }, { "owner-exited", c_owner_exited },
	{ "kernel-host-overflow", c_host_overflow }, { "idle-answers-fin", c_idle_answers_fin },
};

int main(void)
{
	unsigned n = sizeof(cases) / sizeof(cases[0]);

	/* every rule has a case, and each case is decided by its rule */
	CHECK_EQ_INT(n, cause_rule_count);
	for (unsigned i = 0; i < cause_rule_count; i++) {
		const struct cause_rule *r = &cause_rules[i];
		unsigned j;
		char buf[256];

		for (j = 0; j < n && strcmp(cases[j].rule, r->id); j++)
			;
		if (j == n) {
			CHECK_EQ_STR("(no case)", r->id);
			continue;
		}
		base();
		cases[j].make();
		CHECK_EQ_STR(cause_rule_match(&X)->id, r->id);
		/* its evidence is a sentence, and its confidence a probability */
		buf[0] = '\0';
		r->why(&X, buf, sizeof(buf));
		CHECK(strlen(buf) > 10);
		CHECK(r->confidence == RULE_CONF_SENDER || (r->confidence > 0 && r->confidence <= 1));
		CHECK(r->doc && r->doc[0]);
	}
	/* ids are unique */
	for (unsigned i = 0; i < cause_rule_count; i++)
		for (unsigned j = i + 1; j < cause_rule_count; j++)
			CHECK(strcmp(cause_rules[i].id, cause_rules[j].id) != 0);
	/* the kernel's TCP_ABORT_ON_CLOSE yields to the keep-alive timer's race */
	base();
	c_keepalive_unread();
	sent("TCP_ABORT_ON_CLOSE");
	CHECK_EQ_STR(cause_rule_match(&X)->id, "keepalive-unread");
	/* a forged RST answering a SYN that the kernel never sent: a REJECT */
	base();
	P.v.kind = KIND_REFUSED;
	P.v.kernel = RK_NOT_SENT;
	P.v.forged = FORGED_FORGED;
	CHECK_EQ_STR(cause_rule_match(&X)->id, "forged-refused");
	/* the OOM kill is named with its pid, cgroup and limit */
	{
		char buf[256];

		base();
		c_oom_kill();
		cause_rule_match(&X)->why(&X, buf, sizeof(buf));
		CHECK_EQ_STR(buf, "OOM-killed: pid 4242 (rs-oom) in cgroup /rs-lab/oom, limit 64 MiB; "
			     "its connections were reset as it died");
		/* a closer on its way out keeps its close's reason */
		base();
		c_owner_exited();
		sent("TCP_ABORT_ON_CLOSE");
		P.v.by_closer = true;
		CHECK_EQ_STR(cause_rule_match(&X)->id, "cluster");
		/* the listener that refused is named with its process */
		base();
		c_k_overflow();
		P.v.src.b[10] = P.v.src.b[11] = 0xff;
		P.v.src.b[12] = 10, P.v.src.b[15] = 7;
		P.v.sport = 8080;
		P.v.pid = 77;
		snprintf(P.v.comm, sizeof(P.v.comm), "nginx");
		cause_rule_match(&X)->why(&X, buf, sizeof(buf));
		CHECK(strstr(buf, "listener 10.0.0.7:8080 of nginx[77] refused") != NULL);
	}
	/* the last rule holds for anything */
	base();
	CHECK(cause_rules[cause_rule_count - 1].when(&X));
	return unit_done("cause_rules_test");
}
