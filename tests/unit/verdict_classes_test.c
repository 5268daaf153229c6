/* Verdicts by class, on drawn networks: each case draws initial TTLs, hop
 * counts, timers and gaps, builds the conversation through the engine and
 * checks the class's verdict (sender, kind, cause), never one instance.
 * UNIT_SEED=N repeats a run (the seed is printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "conv.h"

#define DRAWS 300

static unsigned rnd(unsigned lo, unsigned hi) { return lo + (unsigned)rand() % (hi - lo + 1); }
static uint8_t init_ttl(void) { static const uint8_t t[] = { 64, 128, 255 }; return t[rnd(0, 2)]; }

static const char *GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
static const char *OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/* One request and response, then `gap_ms` of silence. Returns the time. */
static double exchange(struct conv *c, double t)
{
	seg(c, t, 1, TH_PSH | TH_ACK, GET, 0);
	seg(c, t + 1, 0, TH_PSH | TH_ACK, OK, 0);
	seg(c, t + 2, 1, TH_ACK, NULL, 0);
	return t + 2;
}

/* A stateful box k routers from the capture point (the client) and m more
 * before the server forgets an idle connection and answers the next
 * request in the server's name. Forged, a middlebox; one hop closer (m 0,
 * the box right in front of the server, same stack) with less confidence
 * than several. */
static void class_box_forgets(void)
{
	for (int i = 0; i < DRAWS; i++) {
		unsigned k = rnd(0, 3), m = rnd(0, 3);
		uint8_t si = init_ttl(), bi = init_ttl();
		double gap = rnd(2000, 900000), t;
		struct engine *e = fresh();
		struct conv c;

		conv_init(&c, e, (uint16_t)(40000 + i));
		c.sttl = (uint8_t)(si - (k + 1 + m));
		c.cttl = init_ttl();
		handshake(&c, 0);
		t = exchange(&c, 5);
		seg(&c, t + gap, 1, TH_PSH | TH_ACK, GET, 0);
		seg_id(&c, t + gap + 0.2, 0, TH_RST, NULL, (uint8_t)(bi - k), 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_forged_name[got[0].forged], "forged");
		CHECK_EQ_STR(rst_cause_name[got[0].cause], "middlebox");
		CHECK_EQ_STR(rst_kind_name[got[0].kind], "established");
		if (ngot && got[0].forged != FORGED_FORGED)
			fprintf(stderr, "  box: server %u-%u, box %u-%u: %s\n", si, k + 1 + m, bi, k,
				got[0].forged_evidence);
		engine_free(e);
	}
}

/* The same box as a firewall refusing SYNs in the server's name: the
 * baseline is the server's other flows. */
static void class_box_refuses(void)
{
	for (int i = 0; i < DRAWS; i++) {
		unsigned k = rnd(0, 3), m = rnd(0, 3);
		uint8_t si = init_ttl(), bi = init_ttl();
		struct engine *e = fresh();
		struct conv ok, c;

		conv_init(&ok, e, (uint16_t)(41000 + i));
		ok.sttl = (uint8_t)(si - (k + 1 + m));
		handshake(&ok, 0);
		exchange(&ok, 5);
		conv_init(&c, e, (uint16_t)(42000 + i));
		seg(&c, 20, 1, TH_SYN, NULL, 0);
		c.cseq++;
		seg(&c, 20.1, 0, TH_RST | TH_ACK, NULL, (uint8_t)(bi - k));
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_kind_name[got[0].kind], "refused");
		CHECK_EQ_STR(rst_forged_name[got[0].forged], "forged");
		CHECK_EQ_STR(rst_cause_name[got[0].cause], "refused");
		engine_free(e);
	}
}

/* A route change: the server's packets reach us one hop nearer or farther
 * on its other flows, and this flow's RST takes the new path too. */
static void class_route_change(void)
{
	for (int i = 0; i < DRAWS; i++) {
		uint8_t si = init_ttl();
		unsigned d = rnd(2, 20);
		int step = rnd(0, 1) ? 1 : -1;
		struct engine *e = fresh();
		struct conv a, b;

		conv_init(&a, e, (uint16_t)(43000 + i));
		a.sttl = (uint8_t)(si - d);
		handshake(&a, 0);
		exchange(&a, 5);
		conv_init(&b, e, (uint16_t)(44000 + i));
		b.sttl = (uint8_t)(si - d + step);
		handshake(&b, 10);
		exchange(&b, 15);
		seg(&a, 30, 1, TH_PSH | TH_ACK, GET, 0);
		seg(&a, 31, 0, TH_RST | TH_ACK, NULL, b.sttl);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_forged_name[got[0].forged], "genuine");
		CHECK(strstr(got[0].forged_evidence, "route change") != NULL);
		engine_free(e);
	}
}

/* Another stack at the server's distance (a front end answering for it):
 * genuine and no middlebox, unless another tell agrees (IP ID 0 against
 * its IP ID sequence): then forged. */
static void class_front_end(void)
{
	for (int i = 0; i < DRAWS; i++) {
		uint8_t si = init_ttl(), fi;
		unsigned d = rnd(1, 30);
		bool tell = rnd(0, 1);
		struct engine *e = fresh();
		struct conv c;
		double t;

		do
			fi = init_ttl();
		while (fi == si);
		conv_init(&c, e, (uint16_t)(45000 + i));
		c.sttl = (uint8_t)(si - d);
		handshake(&c, 0);
		t = exchange(&c, 5);
		seg(&c, t + 1, 1, TH_PSH | TH_ACK, GET, 0);
		seg_id(&c, t + 2, 0, TH_RST | TH_ACK, NULL, (uint8_t)(fi - d), tell ? 0 : 77);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_forged_name[got[0].forged], tell ? "forged" : "genuine");
		CHECK(strstr(got[0].forged_evidence, "front end") != NULL);
		if (!tell)
			CHECK(got[0].cause != CAUSE_MIDDLEBOX);
		engine_free(e);
	}
}

/* The server's keep-alive timer fires with the reused connection's request
 * unread: the request acknowledged, no FIN, the RST at the timer. Idle
 * reap by the server, a keep-alive race, the timer estimated. */
static void class_keepalive_unread(void)
{
	for (int i = 0; i < DRAWS; i++) {
		double timer = rnd(2000, 120000), early = rnd(1, 900), t, last; /* silence >= idle-min */
		unsigned hops = rnd(0, 20);
		struct engine *e = fresh();
		const struct diagnosis *dg;
		struct conv c;

		conv_init(&c, e, (uint16_t)(46000 + i));
		c.sttl = (uint8_t)(init_ttl() - hops);
		handshake(&c, 0);
		t = exchange(&c, 5);
		last = t - 1;                         /* the response */
		seg(&c, last + timer - early, 1, TH_PSH | TH_ACK, GET, 0);
		seg(&c, last + timer - early + 0.1, 0, TH_ACK, NULL, 0);
		seg(&c, last + timer, 0, TH_RST | TH_ACK, NULL, 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_kind_name[got[0].kind], "established");
		CHECK_EQ_STR(rst_forged_name[got[0].forged], "genuine");
		CHECK_EQ_STR(rst_cause_name[got[0].cause], "idle-reap");
		dg = engine_diagnosis(e);
		CHECK_EQ_INT(dg->races, 1);
		CHECK_EQ_INT(dg->n_timeouts, 1);
		CHECK(dg->timeouts[0].lo_s > timer / 1e3 - 0.01 && dg->timeouts[0].lo_s < timer / 1e3 + 0.01);
		engine_free(e);
	}
}

/* Several open connections of a service, each quiet for its own drawn time,
 * reset together: a crash (peer-restart); but when they all went quiet
 * together and were reset after the same silence, one idle timer fired on
 * them (idle-reap, not a crash). Events are fed in time order. */
static void class_crash_or_one_timer(void)
{
	for (int i = 0; i < DRAWS / 5; i++) {
		unsigned n = rnd(3, 6);
		bool one_timer = rnd(0, 1);
		double timer = rnd(2000, 60000), crash = 0;
		struct engine *e = fresh();
		struct conv c[6];
		double quiet[6];

		for (unsigned j = 0; j < n; j++) {
			conv_init(&c[j], e, (uint16_t)(47000 + i * 8 + j));
			handshake(&c[j], j * 3);
		}
		/* each exchange ends at quiet[j]: together, or spread over seconds */
		for (unsigned j = 0; j < n; j++) {
			double t0 = one_timer ? 20 + j * 0.5 : 20 + j * rnd(700, 4000) + rnd(0, 300);

			quiet[j] = exchange(&c[j], t0);
			if (j == 0 || quiet[j] > crash)
				crash = quiet[j];
		}
		/* a timer fires on each one `timer` after it went quiet (all at
		 * once, as they went quiet at once); a crash hits all at one time */
		crash += timer;
		for (unsigned j = 0; j < n; j++)
			seg(&c[j], one_timer ? quiet[j] + timer : crash + j * 0.3, 0, TH_RST | TH_ACK, NULL, 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, n);
		for (int j = 0; j < ngot; j++)
			CHECK_EQ_STR(rst_cause_name[got[j].cause], one_timer ? "idle-reap" : "peer-restart");
		engine_free(e);
	}
}

/* A reset after a completed close (both FINs acknowledged), whichever side
 * closed first and whatever TTL it has: harmless, never a middlebox. */
static void class_after_completed_close(void)
{
	for (int i = 0; i < DRAWS; i++) {
		bool client_first = rnd(0, 1), odd_ttl = rnd(0, 1);
		double t, late = rnd(1, 30000);
		struct engine *e = fresh();
		struct conv c;

		conv_init(&c, e, (uint16_t)(48000 + i));
		c.sttl = (uint8_t)(init_ttl() - rnd(1, 20));
		handshake(&c, 0);
		t = exchange(&c, 5);
		seg(&c, t + 1, client_first, TH_FIN | TH_ACK, NULL, 0);
		seg(&c, t + 2, !client_first, TH_FIN | TH_ACK, NULL, 0);
		seg(&c, t + 3, client_first, TH_ACK, NULL, 0);
		/* a late segment of the old connection meets the closed socket */
		c.cseq -= 2;
		seg(&c, t + 3 + late, 1, TH_PSH | TH_ACK, "x", 0);
		seg(&c, t + 3.1 + late, 0, TH_RST, NULL, odd_ttl ? (uint8_t)(c.sttl + 1) : 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_kind_name[got[0].kind], "after-fin");
		CHECK_EQ_STR(rst_cause_name[got[0].cause], "deliberate-abort");
		CHECK(strstr(got[0].cause_evidence, "harmless") != NULL);
		engine_free(e);
	}
}

/* A server answers an upload early with an error and closes with the body
 * unread: an RST, whether or not the client's FIN came first (it read the
 * answer and closed); a large body past a 413 is a size limit. */
static void class_unread_close(void)
{
	for (int i = 0; i < DRAWS; i++) {
		unsigned status = rnd(400, 431), chunks = rnd(1, 40);
		bool client_fin = rnd(0, 1), big = rnd(0, 1);
		struct engine *e = fresh();
		char hdr[96], body[1401], resp[64];
		struct conv c;
		double t = 5;

		memset(body, 'b', sizeof(body) - 1);
		body[sizeof(body) - 1] = '\0';
		if (big) {
			status = 413;
			chunks = rnd(60, 120);      /* past RULE_BODY_LIMIT_413 */
		}
		conv_init(&c, e, (uint16_t)(50000 + i));
		c.sttl = (uint8_t)(init_ttl() - rnd(1, 20));
		handshake(&c, 0);
		snprintf(hdr, sizeof(hdr), "POST /upload HTTP/1.1\r\nContent-Length: %u\r\n\r\n",
			 chunks * 1400 + 100000);
		seg(&c, t, 1, TH_PSH | TH_ACK, hdr, 0);
		for (unsigned j = 0; j < chunks; j++)
			seg(&c, t += 0.1, 1, TH_ACK, body, 0);
		seg(&c, t += 0.1, 0, TH_ACK, NULL, 0);
		snprintf(resp, sizeof(resp), "HTTP/1.1 %u Error\r\nContent-Length: 0\r\n\r\n", status);
		seg(&c, t += 1, 0, TH_PSH | TH_ACK, resp, 0);
		if (client_fin)
			seg(&c, t += 1, 1, TH_FIN | TH_ACK, NULL, 0);
		seg(&c, t += 1, 0, TH_RST | TH_ACK, NULL, 0);
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_cause_name[got[0].cause], big ? "size-limit" : "unread-close");
		CHECK_EQ_STR(rst_forged_name[got[0].forged], "genuine");
		engine_free(e);
	}
}

/* Two-point correlation as evidence: n captures in path order from the
 * client; a server's RST seen only up to some point and absent at the one
 * before it on its way was built between them, whatever its TTL says; one
 * seen from the capture nearest the server on was not. */
static struct rst_corr corr_answer;
static void corr_lookup(void *ctx, const char *file, uint64_t frame, struct rst_corr *out)
{
	(void)ctx;
	(void)file;
	(void)frame;
	*out = corr_answer;
}

static void class_correlation(void)
{
	static const char *const files[CORR_MAX] = { "a", "b", "c", "d", "e", "f", "g", "h" };

	for (int i = 0; i < DRAWS; i++) {
		unsigned n = rnd(2, 4), built = rnd(0, n - 1); /* 0..n-2: between built and built+1 */
		bool genuine = built == n - 1;
		struct engine_opts o;
		struct engine *e;
		struct conv c;
		double t;

		engine_opts_default(&o);
		o.corr_lookup = corr_lookup;
		memset(&corr_answer, 0, sizeof(corr_answer));
		corr_answer.n = (uint8_t)n;
		corr_answer.files = files;
		for (unsigned j = 0; j < n; j++) {
			if (j <= built)
				corr_answer.seen |= (uint8_t)(1u << j);
			else
				corr_answer.absent |= (uint8_t)(1u << j);
		}
		e = fresh_with(&o);
		conv_init(&c, e, (uint16_t)(49000 + i));
		c.sttl = (uint8_t)(init_ttl() - rnd(1, 20));
		handshake(&c, 0);
		t = exchange(&c, 5);
		seg(&c, t + 1, 1, TH_PSH | TH_ACK, GET, 0);
		seg(&c, t + 2, 0, TH_RST | TH_ACK, NULL, 0);     /* the server's own TTL */
		engine_flush(e);
		CHECK_EQ_INT(ngot, 1);
		CHECK_EQ_STR(rst_forged_name[got[0].forged], genuine ? "genuine" : "forged");
		if (!genuine) {
			char want[32];

			snprintf(want, sizeof(want), "built between %s and %s", files[built],
				 files[built + 1]);
			CHECK(strstr(got[0].forged_evidence, want) != NULL);
			CHECK_EQ_STR(rst_cause_name[got[0].cause], "middlebox");
		}
		engine_free(e);
	}
}

int main(void)
{
	const char *s = getenv("UNIT_SEED");
	unsigned seed = s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);

	printf("verdict_classes_test: seed %u (UNIT_SEED=%u repeats it)\n", seed, seed);
	srand(seed);
	class_box_forgets();
	class_box_refuses();
	class_route_change();
	class_front_end();
	class_keepalive_unread();
	class_crash_or_one_timer();
	class_after_completed_close();
	class_unread_close();
	class_correlation();
	return unit_done("verdict_classes_test");
}
