/* Unit tests of the correlate stage, fed decoded segments: clock alignment
 * across a big offset with the path delay cancelled, NAT mapping by ISN,
 * a rewritten ISN, presence (seen / absent / neither), captures without a
 * flow in common, and lookups of what it does not know. */
#include <string.h>

#include "correlate/correlate.h"
#include "unit.h"

#define SEC 1000000000ll
#define MS 1000000ll

static const char *const files[2] = { "a.pcap", "b.pcap" };

struct ep { uint8_t a, b, c, d; uint16_t port; };

/* One TCP flow seen at two points: client side (capture 0) and server
 * side (capture 1), whose clock runs `off` ahead; `delay` between them. */
struct sim {
	struct corr *c;
	struct ep cli, cli_b, srv;  /* cli_b: the client as capture 1 sees it (NAT) */
	uint32_t cseq, sseq, shift; /* shift: added to the client's seq at capture 1 */
	int64_t off, delay;
	unsigned where;             /* captures that see its handshake and data */
};

static uint64_t frames[2];          /* per capture, across flows */

static void addr(struct ipaddr *x, const struct ep *e)
{
	memset(x, 0, sizeof(*x));
	x->b[10] = x->b[11] = 0xff;
	x->b[12] = e->a;
	x->b[13] = e->b;
	x->b[14] = e->c;
	x->b[15] = e->d;
}

static void put(struct sim *s, int cap, bool from_client, uint8_t flags, uint32_t len, int64_t ts)
{
	struct tcp_view v = { 0 };
	const struct ep *c = cap ? &s->cli_b : &s->cli;
	uint32_t sh = cap ? s->shift : 0;

	addr(&v.src, from_client ? c : &s->srv);
	addr(&v.dst, from_client ? &s->srv : c);
	v.sport = from_client ? c->port : s->srv.port;
	v.dport = from_client ? s->srv.port : c->port;
	v.ipver = 4;
	v.ttl = 60;
	v.flags = flags;
	v.seq = from_client ? s->cseq + sh : s->sseq;
	v.ack = (flags & TH_ACK) ? (from_client ? s->sseq : s->cseq + sh) : 0;
	v.payload_len = len;
	v.wscale = -1;
	corr_segment(s->c, (unsigned)cap, &v, ts, ++frames[cap]);
}

/* A segment at true time t, seen where `where` says (bit 0: capture 0). */
static void seg(struct sim *s, bool from_client, uint8_t flags, uint32_t len, int64_t t,
		unsigned where)
{
	int64_t t0 = from_client ? t : t + s->delay, t1 = (from_client ? t + s->delay : t) + s->off;

	/* captures are fed in time order of their own: callers go forward */
	if (where & 1)
		put(s, 0, from_client, flags, len, t0);
	if (where & 2)
		put(s, 1, from_client, flags, len, t1);
	if (!(flags & TH_RST)) {
		uint32_t adv = len + !!(flags & (TH_SYN | TH_FIN));

		if (from_client)
			s->cseq += adv;
		else
			s->sseq += adv;
	}
}

static void handshake_and_data(struct sim *s, int64_t t)
{
	seg(s, true, TH_SYN, 0, t, s->where);
	seg(s, false, TH_SYN | TH_ACK, 0, t + 1 * MS, s->where);
	seg(s, true, TH_ACK, 0, t + 2 * MS, s->where);
	seg(s, true, TH_PSH | TH_ACK, 100, t + 3 * MS, s->where);
	seg(s, false, TH_PSH | TH_ACK, 500, t + 5 * MS, s->where);
	seg(s, true, TH_ACK, 0, t + 6 * MS, s->where);
}

static struct sim sim_new(struct corr *c, uint8_t host, uint16_t port, uint32_t isn)
{
	struct sim s = { .c = c, .cli = { 10, 0, 0, host, port }, .srv = { 10, 9, 9, 9, 443 },
			 .cseq = isn, .sseq = isn * 7u + 12345u, .where = 3 };

	s.cli_b = s.cli;
	return s;
}

static void test_clock_and_nat(void)
{
	struct corr *c = corr_new(2, files);
	struct corr_summary sum;
	struct rst_corr rc;
	struct sim f[3];
	int64_t base = 1700000000 * SEC, off = 5 * 3600 * SEC + 123456789, delay = 20 * MS;
	uint64_t frame_genuine_a, frame_forged_a, frame_client_b;

	CHECK(c != NULL);
	if (!c)
		return;
	frames[0] = frames[1] = 0;
	for (int i = 0; i < 3; i++) {
		f[i] = sim_new(c, (uint8_t)(1 + i), (uint16_t)(40000 + i), 1000u + 77777u * (uint32_t)i);
		f[i].off = off;
		f[i].delay = delay;
	}
	/* flow 2 crosses a NAT that rewrites the client's address and port
	 * and shifts its sequence numbers */
	f[2].cli_b = (struct ep){ 192, 0, 2, 7, 5555 };
	f[2].shift = 0x80000000u;
	/* each capture gets its frames in time order: the flows follow each other */
	handshake_and_data(&f[0], base);
	handshake_and_data(&f[1], base + 100 * MS);
	handshake_and_data(&f[2], base + 200 * MS);
	/* flow 0: the server's RST, seen at both points */
	seg(&f[0], false, TH_RST | TH_ACK, 0, base + 300 * MS, 3);
	frame_genuine_a = frames[0];
	/* flow 1: an RST in the server's name that only the client side saw */
	seg(&f[1], false, TH_RST | TH_ACK, 0, base + 400 * MS, 1);
	frame_forged_a = frames[0];
	/* flow 2: the client's RST, at its shifted seq on the server side */
	seg(&f[2], true, TH_RST | TH_ACK, 0, base + 500 * MS, 3);
	frame_client_b = frames[1];
	/* capture 1 goes on past the RSTs */
	seg(&f[0], true, TH_ACK, 0, base + 900 * MS, 2);

	CHECK_EQ_INT(corr_finish(c), 0);
	corr_summarize(c, &sum);
	CHECK_EQ_INT(sum.npairs, 1);
	CHECK_EQ_INT(sum.pair[0].by_tuple, 2);
	CHECK_EQ_INT(sum.pair[0].by_nat_isn, 1);
	CHECK_EQ_INT(sum.pair[0].seq_shifted, 1);
	CHECK(sum.pair[0].clock_known && sum.pair[0].delay_known);
	CHECK(sum.pair[0].offset_s > (double)off / 1e9 - 1e-4 &&
	      sum.pair[0].offset_s < (double)off / 1e9 + 1e-4);
	CHECK(sum.pair[0].delay_s > 0.0199 && sum.pair[0].delay_s < 0.0201);
	CHECK(sum.pair[0].samples >= 12);
	CHECK(sum.shares[0] && sum.shares[1]);

	corr_lookup(c, files[0], frame_genuine_a, &rc);
	CHECK_EQ_INT(rc.n, 2);
	CHECK_EQ_INT(rc.self, 0);
	CHECK_EQ_INT(rc.seen, 3);
	CHECK_EQ_INT(rc.absent, 0);
	CHECK(rc.files == files);
	corr_lookup(c, "a.pcap", frame_forged_a, &rc);   /* by name, not pointer */
	CHECK_EQ_INT(rc.seen, 1);
	CHECK_EQ_INT(rc.absent, 2);
	corr_lookup(c, files[1], frame_client_b, &rc);
	CHECK_EQ_INT(rc.self, 1);
	CHECK_EQ_INT(rc.seen, 3);
	CHECK_EQ_INT(rc.absent, 0);
	/* what it does not know: no RST at that frame, another file */
	corr_lookup(c, files[0], 1, &rc);
	CHECK_EQ_INT(rc.n, 0);
	corr_lookup(c, "other.pcap", frame_genuine_a, &rc);
	CHECK_EQ_INT(rc.n, 0);
	corr_free(c);
}

/* A NAT-mapped handshake is trusted only within the aligned time window:
 * the same ISNs an hour off the clock offset are another connection. */
static void test_nat_needs_timing(void)
{
	struct corr *c = corr_new(2, files);
	struct corr_summary sum;
	struct sim f[3];
	int64_t base = 1700000000 * SEC;

	if (!c)
		return;
	frames[0] = frames[1] = 0;
	for (int i = 0; i < 3; i++) {
		f[i] = sim_new(c, (uint8_t)(1 + i), (uint16_t)(41000 + i), 5000u + 999u * (uint32_t)i);
		f[i].off = -2 * 3600 * SEC;
		f[i].delay = 3 * MS;
	}
	f[2].cli_b = (struct ep){ 192, 0, 2, 9, 6000 };
	f[2].off += 3600 * SEC;
	handshake_and_data(&f[0], base);
	handshake_and_data(&f[1], base + 50 * MS);
	handshake_and_data(&f[2], base + 100 * MS);
	CHECK_EQ_INT(corr_finish(c), 0);
	corr_summarize(c, &sum);
	CHECK_EQ_INT(sum.pair[0].by_tuple, 2);
	CHECK_EQ_INT(sum.pair[0].by_nat_isn, 0);
	CHECK(sum.pair[0].offset_s > -7200.001 && sum.pair[0].offset_s < -7199.999);
	corr_free(c);
}

static void test_disjoint_and_lonely(void)
{
	struct corr *c = corr_new(2, files);
	struct corr_summary sum;
	struct rst_corr rc;
	struct sim f;
	uint64_t lonely;

	if (!c)
		return;
	frames[0] = frames[1] = 0;
	f = sim_new(c, 1, 42000, 31337);
	f.off = 10 * SEC;
	f.where = 1;                                          /* only capture 0 has the flow */
	handshake_and_data(&f, 1000 * SEC);
	seg(&f, false, TH_RST | TH_ACK, 0, 1001 * SEC, 1);
	lonely = frames[0];
	f = sim_new(c, 2, 42001, 4242);
	f.srv.d = 8;
	f.off = 10 * SEC;
	seg(&f, true, TH_SYN, 0, 1002 * SEC, 2);
	seg(&f, false, TH_RST | TH_ACK, 0, 1002 * SEC + MS, 2);
	CHECK_EQ_INT(corr_finish(c), 0);
	corr_summarize(c, &sum);
	CHECK_EQ_INT(sum.pair[0].by_tuple + sum.pair[0].by_nat_isn + sum.pair[0].by_nat_data, 0);
	CHECK(!sum.pair[0].clock_known);
	CHECK(!sum.shares[0] && !sum.shares[1]);
	corr_lookup(c, files[0], lonely, &rc);
	CHECK_EQ_INT(rc.n, 2);
	CHECK_EQ_INT(rc.seen, 0);
	CHECK_EQ_INT(rc.absent, 0);
	corr_free(c);
	CHECK(corr_new(1, files) == NULL);
	CHECK(corr_new(CORR_MAX + 1, files) == NULL);
	corr_free(NULL);
}

int main(void)
{
	test_clock_and_nat();
	test_nat_needs_timing();
	test_disjoint_and_lonely();
	return unit_done("correlate_test");
}
