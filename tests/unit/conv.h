/* conv.h: synthetic TCP conversations fed through the engine, for the
 * detector tests: a client 10.0.0.1 and a server 10.0.0.<last_ip or 2>:80,
 * each side with its own TTL and sequence numbers. Include after unit.h. */
#ifndef RSTSCOPE_TEST_CONV_H
#define RSTSCOPE_TEST_CONV_H
#include <string.h>

#include "engine/engine.h"

#define MAXV 16
static struct rst_verdict got[MAXV];
static int ngot;

static inline void sink(const struct rst_verdict *v, void *ctx)
{
	(void)ctx;
	if (ngot < MAXV)
		got[ngot++] = *v;
}

/* A two-host conversation: client 10.0.0.1:40000+port_off, server 10.0.0.2:80. */
struct conv {
	struct engine *e;
	uint16_t cport;
	uint8_t cttl, sttl;
	uint32_t cseq, sseq;
	uint64_t frame;
	int64_t t0;
	uint8_t last_ip;
};

static inline void addr(struct ipaddr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = a->b[11] = 0xff;
	a->b[12] = 10;
	a->b[15] = last;
}

/* Send a segment at t_ms; from_client picks the side. ttl 0: the side's
 * usual; ipid as given (seg: 100). */
static inline void seg_id(struct conv *c, double t_ms, int from_client, uint8_t flags,
			  const char *data, uint8_t ttl, uint16_t ipid)
{
	struct tcp_view v = { 0 };
	uint32_t len = data ? (uint32_t)strlen(data) : 0;

	addr(&v.src, from_client ? 1 : (uint8_t)(c->last_ip ? c->last_ip : 2));
	addr(&v.dst, from_client ? (uint8_t)(c->last_ip ? c->last_ip : 2) : 1);
	v.ipver = 4;
	v.sport = from_client ? c->cport : 80;
	v.dport = from_client ? 80 : c->cport;
	v.ttl = ttl ? ttl : from_client ? c->cttl : c->sttl;
	v.ipid = ipid;
	v.flags = flags;
	v.seq = from_client ? c->cseq : c->sseq;
	v.ack = from_client ? c->sseq : c->cseq;
	v.payload = (const uint8_t *)data;
	v.payload_len = v.payload_cap = len;
	v.wscale = -1;
	if (!(flags & TH_RST)) {
		uint32_t adv = len + !!(flags & TH_SYN) + !!(flags & TH_FIN);

		if (from_client)
			c->cseq += adv;
		else
			c->sseq += adv;
	}
	engine_segment(c->e, &v, c->t0 + (int64_t)(t_ms * 1e6), "unit", ++c->frame);
}

static inline void seg(struct conv *c, double t_ms, int from_client, uint8_t flags,
		       const char *data, uint8_t ttl)
{
	seg_id(c, t_ms, from_client, flags, data, ttl, 100);
}

static inline void handshake(struct conv *c, double t)
{
	seg(c, t, 1, TH_SYN, NULL, 0);
	seg(c, t + 1, 0, TH_SYN | TH_ACK, NULL, 0);
	seg(c, t + 2, 1, TH_ACK, NULL, 0);
}

/* A new engine whose verdicts go to got[] (o: NULL for the defaults). */
static inline struct engine *fresh_with(const struct engine_opts *o)
{
	ngot = 0;
	memset(got, 0, sizeof(got));
	return engine_new(o, sink, NULL);
}

static inline struct engine *fresh(void) { return fresh_with(NULL); }

static inline void conv_init(struct conv *c, struct engine *e, uint16_t cport)
{
	memset(c, 0, sizeof(*c));
	c->e = e;
	c->cport = cport;
	c->cttl = 64;
	c->sttl = 52;         /* 12 hops from 64 */
	c->cseq = 1000;
	c->sseq = 50000;
	c->t0 = 1700000000LL * 1000000000LL;
}

#endif
