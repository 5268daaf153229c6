/* table: pass 1 of the correlation: each capture read once into fixed-size
 * flow records (with a few kept segments) and RST records. */
#include "correlate/internal.h"

#include <stdlib.h>
#include <string.h>

#include "sources/pcapfile.h"
#include "util/util.h"

#define SLOTS_MIN 1024u
#define FLOWS_MIN 256u
#define RSTS_MIN 64u

struct corr *corr_new(unsigned n, const char *const *files)
{
	struct corr *c;

	if (n < 2 || n > CORR_MAX || !files)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->n = n;
	c->files = files;
	for (unsigned i = 0; i < n; i++)
		c->f[i].name = files[i];
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = a + 1; b < n; b++) {
			c->p[c->npairs].a = a;
			c->p[c->npairs].b = b;
			c->npairs++;
		}
	return c;
}

void corr_file_release(struct corr_file *cf)
{
	free(cf->flows);
	free(cf->slots);
	free(cf->rsts);
	free(cf->by_flow);
	cf->flows = NULL;
	cf->slots = NULL;
	cf->rsts = NULL;
	cf->by_flow = NULL;
}

void corr_free(struct corr *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n; i++)
		corr_file_release(&c->f[i]);
	for (unsigned k = 0; k < c->npairs; k++) {
		free(c->p[k].ab);
		free(c->p[k].ba);
		for (int s = 0; s < 3; s++)
			corr_samples_release(&c->p[k].s[s]);
	}
	free(c);
}

/* Endpoint x of flow-like (addr, port) against endpoint y. */
static int ep_cmp(const struct ipaddr *a1, uint16_t p1, const struct ipaddr *a2, uint16_t p2)
{
	int r = memcmp(a1->b, a2->b, sizeof(a1->b));

	return r ? r : (int)p1 - (int)p2;
}

bool corr_flow_same_tuple(const struct corr_flow *x, const struct corr_flow *y)
{
	if (!ep_cmp(&x->addr[0], x->port[0], &y->addr[0], y->port[0]))
		return !ep_cmp(&x->addr[1], x->port[1], &y->addr[1], y->port[1]);
	return !ep_cmp(&x->addr[0], x->port[0], &y->addr[1], y->port[1]) &&
	       !ep_cmp(&x->addr[1], x->port[1], &y->addr[0], y->port[0]);
}

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;   /* FNV-1a */
	return h;
}

/* Independent of direction: the lower endpoint first. */
static uint32_t tuple_hash(const struct corr_flow *x)
{
	int lo = ep_cmp(&x->addr[0], x->port[0], &x->addr[1], x->port[1]) <= 0 ? 0 : 1;
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t pb[4] = { (uint8_t)(x->port[lo] >> 8), (uint8_t)x->port[lo],
			  (uint8_t)(x->port[!lo] >> 8), (uint8_t)x->port[!lo] };

	h = mix(h, x->addr[lo].b, 16);
	h = mix(h, x->addr[!lo].b, 16);
	h = mix(h, pb, 4);
	return (uint32_t)(h ^ (h >> 32));
}

/* The slot holding `like`'s tuple, or the empty slot where it goes. */
static uint32_t *slot_of(const struct corr_file *cf, const struct corr_flow *like)
{
	uint32_t mask = cf->nslots - 1, i = tuple_hash(like) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *s = &cf->slots[i];

		if (*s == CORR_NONE || corr_flow_same_tuple(&cf->flows[*s], like))
			return s;
	}
}

uint32_t corr_find_tuple(const struct corr_file *cf, const struct corr_flow *like)
{
	return cf->nslots ? *slot_of(cf, like) : CORR_NONE;
}

/* Keep the table at most half full. Returns 0 or -1 (no memory). */
static int slots_grow(struct corr_file *cf)
{
	uint32_t n = cf->nslots ? cf->nslots * 2 : SLOTS_MIN, *old = cf->slots, oldn = cf->nslots;

	cf->slots = malloc((size_t)n * sizeof(*cf->slots));
	if (!cf->slots) {
		cf->slots = old;
		return -1;
	}
	memset(cf->slots, 0xff, (size_t)n * sizeof(*cf->slots));
	cf->nslots = n;
	for (uint32_t i = 0; i < oldn; i++)
		if (old[i] != CORR_NONE)
			*slot_of(cf, &cf->flows[old[i]]) = old[i];
	free(old);
	return 0;
}

static int grow(void **p, uint32_t *cap, uint32_t min, uint32_t max, size_t elem)
{
	uint32_t n = *cap ? *cap * 2 : min;
	void *q;

	if (*cap >= max)
		return -1;
	if (n > max)
		n = max;
	q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static void flow_swap(struct corr_flow *f)
{
	struct corr_flow t = *f;

	for (int d = 0; d < 2; d++) {
		f->addr[d] = t.addr[!d];
		f->port[d] = t.port[!d];
		f->isn[d] = t.isn[!d];
		f->nfirst[d] = t.nfirst[!d];
		f->nlast[d] = t.nlast[!d];
		f->lastpos[d] = t.lastpos[!d];
		memcpy(f->first[d], t.first[!d], sizeof(f->first[d]));
		memcpy(f->last[d], t.last[!d], sizeof(f->last[d]));
	}
	f->has_isn = (uint8_t)(((t.has_isn & 1) << 1) | ((t.has_isn >> 1) & 1));
}

/* The flow of segment v (a new one for a SYN that opens a new connection
 * on a known tuple); CORR_NONE beyond the cap or without memory. */
static uint32_t flow_get(struct corr_file *cf, const struct tcp_view *v, int64_t ts)
{
	struct corr_flow like, *f;   /* only its tuple is set and read */
	uint32_t *s, old, idx;

	like.addr[0] = v->src;
	like.addr[1] = v->dst;
	like.port[0] = v->sport;
	like.port[1] = v->dport;
	if ((cf->nflows + 1) * 2 > cf->nslots && slots_grow(cf))
		return CORR_NONE;
	s = slot_of(cf, &like);
	old = *s;
	if (old != CORR_NONE) {
		f = &cf->flows[old];
		/* a SYN with another ISN than the flow's client's: a new connection */
		if ((v->flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN ||
		    (f->client_known && (f->has_isn & 1) && f->isn[0] == v->seq &&
		     !ep_cmp(&f->addr[0], f->port[0], &v->src, v->sport)))
			return old;
	}
	if (cf->nflows == cf->capflows &&
	    grow((void **)&cf->flows, &cf->capflows, FLOWS_MIN, CORR_FLOWS_MAX, sizeof(*f))) {
		cf->dropped_flows++;
		return CORR_NONE;
	}
	idx = cf->nflows++;
	f = &cf->flows[idx];
	memset(f, 0, sizeof(*f));
	memcpy(f->addr, like.addr, sizeof(f->addr));
	memcpy(f->port, like.port, sizeof(f->port));
	f->first_ts = f->last_ts = ts;
	f->prev = old;
	*s = idx;
	return idx;
}

static void add_anchor(struct corr_flow *f, int dir, const struct tcp_view *v, int64_t ts)
{
	struct corr_anchor a = { ts, v->seq, v->ack, (uint16_t)(v->payload_len > UINT16_MAX ?
						UINT16_MAX : v->payload_len), v->flags };

	if (f->nfirst[dir] < CORR_ANCHORS) {
		f->first[dir][f->nfirst[dir]++] = a;
		return;
	}
	f->last[dir][f->lastpos[dir]] = a;
	f->lastpos[dir] = (uint8_t)((f->lastpos[dir] + 1) % CORR_ANCHORS);
	if (f->nlast[dir] < CORR_ANCHORS)
		f->nlast[dir]++;
}

static void add_rst(struct corr_file *cf, uint32_t flow, int dir, const struct tcp_view *v,
		    int64_t ts, uint64_t frame)
{
	if (cf->nrsts == cf->caprsts &&
	    grow((void **)&cf->rsts, &cf->caprsts, RSTS_MIN, CORR_RSTS_MAX, sizeof(*cf->rsts))) {
		cf->dropped_rsts++;
		return;
	}
	cf->rsts[cf->nrsts++] = (struct corr_rst){ .frame = frame, .ts = ts, .flow = flow,
		.seq = v->seq, .ack = v->ack, .dir = (uint8_t)dir, .flags = v->flags };
}

void corr_segment(struct corr *c, unsigned idx, const struct tcp_view *v, int64_t ts_ns,
		  uint64_t frame)
{
	struct corr_file *cf;
	struct corr_flow *f;
	uint32_t fi;
	int dir;

	if (!c || idx >= c->n || c->finished)
		return;
	cf = &c->f[idx];
	if (!cf->any || ts_ns < cf->first_ts)
		cf->first_ts = ts_ns;
	if (!cf->any || ts_ns > cf->last_ts)
		cf->last_ts = ts_ns;
	cf->any = true;
	fi = flow_get(cf, v, ts_ns);
	if (fi == CORR_NONE) {
		if (v->flags & TH_RST)
			add_rst(cf, CORR_NONE, 0, v, ts_ns, frame);
		return;
	}
	f = &cf->flows[fi];
	dir = ep_cmp(&f->addr[0], f->port[0], &v->src, v->sport) ? 1 : 0;
	if ((v->flags & (TH_SYN | TH_RST)) == TH_SYN && !f->client_known) {
		/* the SYN's sender is the client; the SYN-ACK's receiver */
		int client = (v->flags & TH_ACK) ? !dir : dir;

		if (client == 1) {
			flow_swap(f);
			dir = !dir;
		}
		f->client_known = true;
	}
	if ((v->flags & (TH_SYN | TH_RST)) == TH_SYN && f->client_known) {
		if (!(v->flags & TH_ACK) && dir == 0) {
			f->isn[0] = v->seq;
			f->has_isn |= 1;
			f->syn_ts = ts_ns;
		} else if ((v->flags & TH_ACK) && dir == 1) {
			f->isn[1] = v->seq;
			f->isn[0] = v->ack - 1;
			f->has_isn |= 3;
			if (!f->syn_ts)
				f->syn_ts = ts_ns;
		}
	}
	if (ts_ns < f->first_ts)
		f->first_ts = ts_ns;
	if (ts_ns > f->last_ts)
		f->last_ts = ts_ns;
	if (v->flags & TH_RST)
		add_rst(cf, fi, dir, v, ts_ns, frame);
	else
		add_anchor(f, dir, v, ts_ns);
}

int corr_read_file(struct corr *c, unsigned idx, const char *filter, char *err, size_t errsz)
{
	struct pcapfile *pf;
	struct pcap_frame fr;
	struct tcp_view v;
	int rc;

	if (!c || idx >= c->n) {
		fmt_buf(err, errsz, "no such capture");
		return -1;
	}
	pf = pcapfile_open(c->f[idx].name, filter, err, errsz);
	if (!pf) {
		c->f[idx].read_error = true;
		return -1;
	}
	while ((rc = pcapfile_next(pf, &fr, err, errsz)) == 1)
		if (decode_frame(fr.link, fr.data, fr.caplen, &v) == DECODE_OK)
			corr_segment(c, idx, &v, fr.ts_ns, fr.number);
	pcapfile_close(pf);
	if (rc < 0) {
		c->f[idx].read_error = true;
		return -1;
	}
	return 0;
}
