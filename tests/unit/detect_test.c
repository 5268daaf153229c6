/* Unit tests of each detector, driven through the engine with synthetic
 * segments: kind, shape, context, sender, cluster, cause; and the diagnosis. */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "unit.h"
#include "conv.h"

static void test_refused(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40000);
	seg(&c, 0, 1, TH_SYN, NULL, 0);
	seg(&c, 1, 0, TH_RST | TH_ACK, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_kind_name[got[0].kind], "refused");
	CHECK_EQ_STR(rst_role_name[got[0].sender_role], "server");
	CHECK_EQ_STR(rst_forged_name[got[0].forged], "unknown");   /* nothing else from it */
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "refused");
	CHECK_EQ_STR(rst_shape_name[got[0].shape], "at-handshake");
	engine_free(e);
}

static void test_idle_reap_and_context(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40001);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	seg(&c, 10, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
	seg(&c, 11, 1, TH_ACK, NULL, 0);
	/* 60.2 s later the pooled connection is reused and reset by the server */
	seg(&c, 60211, 1, TH_PSH | TH_ACK, "POST /order HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	seg(&c, 60212, 0, TH_RST, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_kind_name[got[0].kind], "established");
	CHECK_EQ_STR(rst_forged_name[got[0].forged], "genuine");
	CHECK_EQ_STR(rst_shape_name[got[0].shape], "idle-then-reset");
	CHECK(got[0].idle_gap_s > 60.1 && got[0].idle_gap_s < 60.3);
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "idle-reap");
	CHECK_EQ_STR(got[0].http_method, "POST");
	CHECK_EQ_INT(got[0].http_prior_requests, 1);
	CHECK_EQ_INT(got[0].http_last_status, 200);
	CHECK(got[0].http_request_unanswered);
	{
		const struct diagnosis *d = engine_diagnosis(e);

		CHECK_EQ_INT(d->risky, 1);                 /* a POST on a reused connection */
		CHECK_EQ_INT(d->n_timeouts, 1);
		CHECK(d->timeouts[0].lo_s > 60.1 && d->timeouts[0].lo_s < 60.3);
		CHECK_EQ_INT(d->rank[0], CAUSE_IDLE_REAP);
	}
	engine_free(e);
}

static void test_forged_middlebox(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40002);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 20, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
	seg(&c, 30020, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 30021, 0, TH_RST, NULL, 63);         /* 1 hop away: a box next to us */
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_forged_name[got[0].forged], "forged");
	CHECK(strstr(got[0].forged_evidence, "another point of the path") != NULL);
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "middlebox");
	engine_free(e);
}

/* ldap-simpleauth's shape: one TTL for handshake and RST, another for data. */
static void test_ttl_set_baseline(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40003);
	c.cttl = 251;
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "bind", 52);
	seg(&c, 6, 0, TH_PSH | TH_ACK, "ok", 0);
	seg(&c, 7, 1, TH_PSH | TH_ACK, "search", 52);
	seg(&c, 8, 0, TH_PSH | TH_ACK, "res", 0);
	seg(&c, 190000, 1, TH_RST | TH_ACK, NULL, 251);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_forged_name[got[0].forged], "genuine");
	engine_free(e);
}

static void test_kept_sending(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40004);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 6, 0, TH_RST, NULL, 0);              /* same TTL as the server ... */
	seg(&c, 7, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);  /* ... which keeps talking */
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_forged_name[got[0].forged], "forged");
	CHECK(strstr(got[0].forged_evidence, "kept sending") != NULL);
	engine_free(e);
}

static void test_after_fin_race_and_followup(void)
{
	struct engine *e = fresh();
	struct conv c;
	uint32_t fin_seq;

	conv_init(&c, e, 40005);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 6, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
	seg(&c, 7, 1, TH_ACK, NULL, 0);
	seg(&c, 5007, 0, TH_FIN | TH_ACK, NULL, 0);  /* keep-alive timeout after 5 s */
	/* the client's next request crosses the FIN: it does not acknowledge it */
	fin_seq = c.sseq;
	c.sseq = fin_seq - 1;
	seg(&c, 5007.4, 1, TH_PSH | TH_ACK, "GET /b HTTP/1.1\r\n\r\n", 0);
	c.sseq = fin_seq;
	seg(&c, 5008, 0, TH_RST, NULL, 0);
	seg(&c, 5009, 1, TH_PSH | TH_ACK, "more", 0);
	seg(&c, 5010, 0, TH_RST, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 2);
	CHECK_EQ_STR(rst_kind_name[got[0].kind], "after-fin");
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "idle-reap");
	CHECK(strstr(got[0].cause_evidence, "keep-alive race") != NULL);
	CHECK_EQ_STR(rst_kind_name[got[1].kind], "after-rst");
	CHECK_EQ_STR(rst_cause_name[got[1].cause], "idle-reap");   /* follows the first */
	CHECK_EQ_INT(engine_diagnosis(e)->races, 1);
	engine_free(e);
}

static void test_unread_close(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40006);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_ACK, "POST /up HTTP/1.1\r\nContent-Length: 9000\r\n\r\n", 0);
	seg(&c, 6, 0, TH_PSH | TH_ACK, "HTTP/1.1 401 Unauthorized\r\n\r\n", 0);
	seg(&c, 6.5, 1, TH_ACK, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0);
	seg(&c, 7, 0, TH_RST | TH_ACK, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_shape_name[got[0].shape], "after-close");
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "unread-close");
	engine_free(e);
}

static void test_cluster_restart(void)
{
	struct engine *e = fresh();
	struct conv c[3], r;

	for (int i = 0; i < 3; i++) {
		conv_init(&c[i], e, (uint16_t)(41000 + i));
		handshake(&c[i], i * 10);
		seg(&c[i], 100 + i, 1, TH_PSH | TH_ACK, "GET /slow HTTP/1.1\r\n\r\n", 0);
		seg(&c[i], 101 + i, 0, TH_ACK, NULL, 0);   /* its kernel took the request */
	}
	for (int i = 0; i < 3; i++)
		seg(&c[i], 500 + i * 20, 0, TH_RST | TH_ACK, NULL, 0);
	conv_init(&r, e, 41010);
	seg(&r, 700, 1, TH_SYN, NULL, 0);
	seg(&r, 701, 0, TH_RST | TH_ACK, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 4);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(got[i].cluster_size, 3);
		CHECK_EQ_STR(rst_cause_name[got[i].cause], "peer-restart");
	}
	CHECK_EQ_STR(rst_kind_name[got[3].kind], "refused");
	CHECK_EQ_STR(rst_forged_name[got[3].forged], "genuine");   /* the host's other flows */
	CHECK_EQ_STR(rst_cause_name[got[3].cause], "peer-restart"); /* refused after the crash */
	engine_free(e);
}

static void test_tls_and_payload(void)
{
	static const char hello[] = "\x16\x03\x01\x02\x40\x01\x01\x01\x3c\x03\x03"; /* no NULs: seg() uses strlen */
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40007);
	c.last_ip = 3;
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, hello, 0);
	seg(&c, 6, 0, TH_RST | TH_ACK, "Access Denied", 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(tls_stage_name[got[0].tls], "client-hello");
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "tls");
	CHECK_EQ_STR(got[0].payload_text, "Access Denied");
	engine_free(e);
}

static void test_no_state_and_handshake(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 40008);
	seg(&c, 0, 1, TH_RST, NULL, 0);
	conv_init(&c, e, 40009);
	seg(&c, 10, 1, TH_SYN, NULL, 0);
	seg(&c, 11, 1, TH_RST, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 2);
	CHECK_EQ_STR(rst_kind_name[got[0].kind], "no-state");
	CHECK_EQ_STR(rst_role_name[got[0].sender_role], "client");  /* from the ports */
	CHECK_EQ_STR(rst_kind_name[got[1].kind], "handshake");
	engine_free(e);
}

/* A listen queue overflow: the server resets the first data right after the
 * handshake, having acknowledged nothing but the SYN; a burst of them is
 * overload, not a restart. */
static void test_listen_overflow(void)
{
	struct engine *e = fresh();
	struct conv c[3];

	for (int i = 0; i < 3; i++) {
		conv_init(&c[i], e, (uint16_t)(42000 + i));
		handshake(&c[i], i);
		seg(&c[i], 3 + i, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
		seg(&c[i], 4 + i, 0, TH_RST, NULL, 0);
	}
	engine_flush(e);
	CHECK_EQ_INT(ngot, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_STR(rst_shape_name[got[i].shape], "at-handshake");
		CHECK_EQ_STR(rst_cause_name[got[i].cause], "overload");
	}
	engine_free(e);
}

/* Health checks closing with SO_LINGER 0: client RSTs after complete
 * responses, close together: deliberate, and no cluster (a cluster is a
 * service's, not a client's). */
static void test_client_aborts(void)
{
	struct engine *e = fresh();
	struct conv c[3];

	for (int i = 0; i < 3; i++) {
		conv_init(&c[i], e, (uint16_t)(43000 + i));
		handshake(&c[i], i * 10);
		seg(&c[i], 100 + i * 10, 1, TH_PSH | TH_ACK, "GET /health HTTP/1.1\r\n\r\n", 0);
		seg(&c[i], 101 + i * 10, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
		seg(&c[i], 102 + i * 10, 1, TH_RST | TH_ACK, NULL, 0);
	}
	engine_flush(e);
	CHECK_EQ_INT(ngot, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(got[i].cluster_size, 1);
		CHECK_EQ_STR(rst_role_name[got[i].sender_role], "client");
		CHECK_EQ_STR(rst_cause_name[got[i].cause], "deliberate-abort");
	}
	engine_free(e);
}

/* The reaping timeout is bounded by the silences reused connections
 * survived: between the longest survived and the shortest reset gap. */
static void reuse(struct conv *c, double idle_ms, bool reset)
{
	handshake(c, 0);
	seg(c, 5, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(c, 6, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
	seg(c, 6 + idle_ms, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	if (reset)
		seg(c, 7 + idle_ms, 0, TH_RST, NULL, 0);
	else
		seg(c, 7 + idle_ms, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
}

static void test_timeout_bounds(void)
{
	struct engine *e = fresh();
	struct conv c[4];
	const struct diagnosis *d;

	for (int i = 0; i < 4; i++) {
		conv_init(&c[i], e, (uint16_t)(44000 + i));
		c[i].t0 += i * 100 * 1000000000LL;   /* one after the other */
	}
	reuse(&c[0], 30000, false);
	reuse(&c[1], 45000, false);
	reuse(&c[2], 60200, true);
	reuse(&c[3], 60400, true);
	engine_flush(e);
	d = engine_diagnosis(e);
	CHECK_EQ_INT(d->n_timeouts, 1);
	CHECK_EQ_INT(d->timeouts[0].count, 2);
	CHECK(d->timeouts[0].consistent);
	CHECK(d->timeouts[0].survived_s > 44.9 && d->timeouts[0].survived_s < 45.5);
	CHECK(d->timeouts[0].lo_s > 60.1 && d->timeouts[0].lo_s < 60.3);
	engine_free(e);

	/* a reuse that survived 90 s: no single timeout explains the resets */
	e = fresh();
	conv_init(&c[0], e, 44010);
	conv_init(&c[1], e, 44011);
	c[1].t0 += 100 * 1000000000LL;
	reuse(&c[0], 90000, false);
	reuse(&c[1], 60200, true);
	engine_flush(e);
	d = engine_diagnosis(e);
	CHECK_EQ_INT(d->n_timeouts, 1);
	CHECK(!d->timeouts[0].consistent);
	engine_free(e);
}

/* A proxy's idle timeout that resets: the RST ends the silence itself,
 * from the server's side, before the client reuses the connection. */
static void test_idle_reset_by_server_side(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 45000);
	handshake(&c, 0);
	seg(&c, 5, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 6, 0, TH_PSH | TH_ACK, "HTTP/1.1 200 OK\r\n\r\n", 0);
	seg(&c, 7, 1, TH_ACK, NULL, 0);
	seg(&c, 3007, 0, TH_RST | TH_ACK, NULL, 0);
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_STR(rst_shape_name[got[0].shape], "idle-then-reset");
	CHECK_EQ_STR(rst_cause_name[got[0].cause], "idle-reap");
	CHECK(engine_diagnosis(e)->n_timeouts == 1 &&
	      engine_diagnosis(e)->timeouts[0].lo_s > 2.9 && engine_diagnosis(e)->timeouts[0].lo_s < 3.1);
	engine_free(e);
}

/* Timestamps that go backwards (several interfaces, a clock step) are
 * clamped for the engine and counted, and reported as captured. */
static void test_time_backwards(void)
{
	struct engine *e = fresh();
	struct conv c;

	conv_init(&c, e, 46000);
	handshake(&c, 1000);
	seg(&c, 1005, 1, TH_PSH | TH_ACK, "GET / HTTP/1.1\r\n\r\n", 0);
	seg(&c, 500, 0, TH_RST | TH_ACK, NULL, 0);    /* half a second "earlier" */
	engine_flush(e);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(got[0].ts_ns, c.t0 + 500 * 1000000LL);
	CHECK_EQ_INT(engine_stats(e)->time_backwards, 1);
	CHECK_EQ_STR(rst_kind_name[got[0].kind], "established");
	engine_free(e);
}


/* Every request method of HTTP/1.x is the reset request's method; bytes
 * that only start like one (no space after, another word, lower case) are
 * no request. */
static void test_http_methods(void)
{
	static const char *const yes[] = { "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS",
					   "PATCH", "CONNECT", "TRACE" };
	static const char *const no[] = { "GETX / HTTP/1.1", "POSTS / HTTP/1.1", "PUTT /",
					  "get / HTTP/1.1", "PATCHY /", "CONNECTED x", "TRACER /",
					  "Hello world", "DELETE", "HEAD" };
	char req[64];

	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]) + sizeof(no) / sizeof(no[0]); i++) {
		struct engine *e = fresh();
		struct conv c;
		bool is_yes = i < sizeof(yes) / sizeof(yes[0]);

		if (is_yes)
			snprintf(req, sizeof(req), "%s /x HTTP/1.1\r\nHost: x\r\n\r\n", yes[i]);
		else
			snprintf(req, sizeof(req), "%s", no[i - sizeof(yes) / sizeof(yes[0])]);
		conv_init(&c, e, (uint16_t)(41000 + i));
		handshake(&c, 0);
		seg(&c, 5, 1, TH_PSH | TH_ACK, req, 0);
		seg(&c, 6, 0, TH_RST, NULL, 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		if (ngot == 1)
			CHECK_EQ_STR(got[0].http_method, is_yes ? yes[i] : "");
		engine_free(e);
	}
}

int main(void)
{
	test_http_methods();
	test_time_backwards();
	test_idle_reset_by_server_side();
	test_timeout_bounds();
	test_listen_overflow();
	test_client_aborts();
	test_refused();
	test_idle_reap_and_context();
	test_forged_middlebox();
	test_ttl_set_baseline();
	test_kept_sending();
	test_after_fin_race_and_followup();
	test_unread_close();
	test_cluster_restart();
	test_tls_and_payload();
	test_no_state_and_handshake();
	return unit_done("detect_test");
}
