/* Embryonic flows change no result: drawn segment sequences on a few
 * tuples (SYNs and SYN-ACKs with repeated or new numbers and TTLs,
 * retransmissions, ACKs, data, FINs, RSTs, idle gaps, a clock going back,
 * a small cap that evicts) give the same verdicts, diagnosis and stats
 * with embryos as with every flow full from its first segment. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "report/report.h"
#include "unit.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static void sink(const struct rst_verdict *v, void *ctx)
{
	report_json_rst(((struct out *)ctx)->f, v);
}

static unsigned rnd(unsigned *s, unsigned n)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) % n;
}

static void draw_seg(unsigned *s, struct tcp_view *v, int64_t *ts)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t flags[] = { TH_SYN, TH_SYN, TH_SYN, TH_SYN | TH_ACK, TH_SYN | TH_ACK,
					 TH_ACK, TH_ACK | TH_PSH, TH_FIN | TH_ACK, TH_RST,
					 TH_RST | TH_ACK, TH_SYN | TH_FIN, TH_SYN | TH_RST };
	unsigned port = rnd(s, 6), dir = rnd(s, 4) == 0, v6 = rnd(s, 5) == 0;
	struct ipaddr c = { { 0 } }, srv = { { 0 } };

	if (v6) {
		c.b[0] = srv.b[0] = 0xfd;
		c.b[15] = 2;
		srv.b[15] = 1;
	} else {
		c.b[10] = c.b[11] = srv.b[10] = srv.b[11] = 0xff;
		c.b[12] = srv.b[12] = 10;
		c.b[15] = 2;
		srv.b[15] = 1;
	}
	memset(v, 0, sizeof(*v));
	v->ipver = v6 ? 6 : 4;
	v->src = dir ? srv : c;
	v->dst = dir ? c : srv;
	v->sport = (uint16_t)(dir ? 80 : 40000 + port);
	v->dport = (uint16_t)(dir ? 40000 + port : 80);
	v->flags = flags[rnd(s, sizeof(flags))];
	v->seq = 1000u * (port + 1) + (rnd(s, 4) == 0 ? rnd(s, 3) * 7 : 0) + (dir ? 500000 : 0);
	v->ack = 1000u * (port + 1) + 1 + (rnd(s, 4) == 0 ? 9 : 0) + (dir ? 0 : 500000);
	v->ttl = (uint8_t)(rnd(s, 6) ? 64 : 63);
	v->ipid = v6 || rnd(s, 2) ? 0 : (uint16_t)(1 + rnd(s, 60000));
	v->win = 65535;
	v->wscale = -1;
	if (!(v->flags & TH_SYN) && rnd(s, 3) == 0) {
		v->payload = (const uint8_t *)req;
		v->payload_len = v->payload_cap = sizeof(req) - 1;
		memcpy(v->head, req, sizeof(v->head) < sizeof(req) - 1 ? sizeof(v->head) : sizeof(req) - 1);
	}
	switch (rnd(s, 8)) {
	case 0: *ts += 1500000000; break;              /* an idle gap */
	case 1: *ts -= 3000000; break;                 /* the clock goes back */
	case 2: *ts += 40000000000; break;             /* closed flows expire */
	default: *ts += rnd(s, 20) * 1000000; break;
	}
}

/* One drawn sequence through an engine; its output in o. */
static void run(unsigned seed, size_t max_flows, bool embryos, struct out *o)
{
	struct engine_opts eo;
	struct engine *e;
	int64_t ts = 1700000000000000000;
	unsigned s = seed;

	engine_opts_default(&eo);
	eo.max_flows = max_flows;
	eo.no_embryos = !embryos;
	o->f = open_memstream(&o->buf, &o->len);
	e = engine_new(&eo, sink, o);
	for (int i = 0; i < 400; i++) {
		struct tcp_view v;

		draw_seg(&s, &v, &ts);
		engine_segment(e, &v, ts, "drawn", (uint64_t)i + 1);
	}
	engine_flush(e);
	report_json_summary(o->f, "drawn", engine_diagnosis(e), engine_stats(e));
	engine_free(e);
	fclose(o->f);
}

int main(void)
{
	unsigned seed0 = (unsigned)time(NULL), bad = 0;

	if (getenv("SEED"))
		seed0 = (unsigned)strtoul(getenv("SEED"), NULL, 10);
	printf("flows_embryo_test: seed %u (SEED=%u reproduces)\n", seed0, seed0);
	for (unsigned k = 0; k < 300; k++) {
		struct out a = { 0 }, b = { 0 };
		size_t cap = k % 3 ? 16 : 1u << 20;

		run(seed0 + k, cap, true, &a);
		run(seed0 + k, cap, false, &b);
		CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
		if ((a.len != b.len || memcmp(a.buf, b.buf, a.len)) && !bad++)
			fprintf(stderr, "seed %u, cap %zu: with embryos:\n%s\nwithout:\n%s\n", seed0 + k,
				cap, a.buf, b.buf);
		CHECK(strstr(a.buf, "\"type\":\"summary\"") != NULL);
		free(a.buf);
		free(b.buf);
	}
	return unit_done("flows_embryo_test");
}
