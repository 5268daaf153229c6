/* html: the collector of analyze --html: a row per RST, the evidence and
 * the packet ladders of a bounded set of flows (a second pass over the
 * capture). The page itself is written by html_write.c. */
#include <stdlib.h>
#include <string.h>

#include "report/html_int.h"
#include "sources/pcapfile.h"
#include "util/util.h"

struct html_report *html_new(void)
{
	return calloc(1, sizeof(struct html_report));
}

static void capture_release(struct html_capture *c)
{
	free(c->name);
	free(c->rows);
	free(c->lad);
	free(c->ev);
	free(c->diag);
	free(c->text);
	free(c->read_error);
	free(c->ladder_note);
}

void html_free(struct html_report *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->n_cap; i++)
		capture_release(&h->cap[i]);
	free(h->cap);
	for (uint32_t i = 0; i < h->n_str; i++)
		free(h->str[i]);
	free(h->str);
	free(h->str_slot);
	free(h->corr_text);
	free(h);
}

static uint32_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t x = 2166136261u;   /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		x = (x ^ b[i]) * 16777619u;
	return x;
}

static int str_grow(struct html_report *h)
{
	uint32_t n = h->n_slot ? h->n_slot * 2 : 1024, *slot = malloc(n * sizeof(*slot));

	if (!slot)
		return -1;
	memset(slot, 0xff, n * sizeof(*slot));
	for (uint32_t i = 0; i < h->n_str; i++) {
		uint32_t k = hash_bytes(h->str[i], strlen(h->str[i])) & (n - 1);

		while (slot[k] != HTML_NONE)
			k = (k + 1) & (n - 1);
		slot[k] = i;
	}
	free(h->str_slot);
	h->str_slot = slot;
	h->n_slot = n;
	return 0;
}

/* The id of string s (added when new); HTML_NONE on no memory. */
static uint32_t str_id(struct html_report *h, const char *s)
{
	uint32_t k;

	if ((h->n_str + 1) * 2 > h->n_slot && str_grow(h))
		return HTML_NONE;
	k = hash_bytes(s, strlen(s)) & (h->n_slot - 1);
	for (; h->str_slot[k] != HTML_NONE; k = (k + 1) & (h->n_slot - 1))
		if (!strcmp(h->str[h->str_slot[k]], s))
			return h->str_slot[k];
	if (h->n_str == h->cap_str) {
		uint32_t n = h->cap_str ? h->cap_str * 2 : 256;
		char **p = realloc(h->str, n * sizeof(*p));

		if (!p)
			return HTML_NONE;
		h->str = p;
		h->cap_str = n;
	}
	if (!(h->str[h->n_str] = strdup(s)))
		return HTML_NONE;
	h->str_slot[k] = h->n_str;
	return h->n_str++;
}

int html_capture_begin(struct html_report *h, const char *name)
{
	struct html_capture *p = realloc(h->cap, (h->n_cap + 1) * sizeof(*p)), *c;

	if (!p)
		return -1;
	h->cap = p;
	c = &h->cap[h->n_cap];
	memset(c, 0, sizeof(*c));
	memset(c->lad_slot, 0xff, sizeof(c->lad_slot));
	c->t_first = INT64_MAX;
	c->t_last = INT64_MIN;
	if (!(c->name = strdup(name)))
		return -1;
	h->n_cap++;
	return 0;
}

/* A flow's tuple in one order whichever way the packet went. */
struct tuple_key {
	struct ipaddr lo, hi;
	uint16_t plo, phi;
};

static struct tuple_key tuple_of(const struct ipaddr *a, uint16_t pa, const struct ipaddr *b,
				 uint16_t pb)
{
	struct tuple_key k;
	int c = memcmp(a, b, sizeof(*a));

	memset(&k, 0, sizeof(k));
	if (c < 0 || (c == 0 && pa <= pb)) {
		k.lo = *a, k.plo = pa, k.hi = *b, k.phi = pb;
	} else {
		k.lo = *b, k.plo = pb, k.hi = *a, k.phi = pa;
	}
	return k;
}

#define LAD_SLOTS (HTML_LADDERS_MAX * 4)

/* The slot of the ladder of tuple k, or the empty slot where it goes. */
static uint32_t *lad_slot(struct html_capture *c, const struct tuple_key *k)
{
	uint32_t i = hash_bytes(k, sizeof(*k)) % LAD_SLOTS;

	for (;; i = (i + 1) % LAD_SLOTS) {
		uint32_t *s = &c->lad_slot[i];
		struct tuple_key lk;

		if (*s == HTML_NONE)
			return s;
		lk = tuple_of(&c->lad[*s].a, c->lad[*s].pa, &c->lad[*s].b, c->lad[*s].pb);
		if (!memcmp(&lk, k, sizeof(lk)))
			return s;
	}
}

/* Which flows get a ladder: the first half of the room goes to the first
 * flows reset; the rest to flows of causes that have no more than their
 * share so far, so that a rare cause still has flows to show when a
 * common one came first. */
static bool ladder_wanted(const struct html_capture *c, enum rst_cause cause)
{
	unsigned causes = 0;

	if (c->n_lad < HTML_LADDERS_MAX / 2)
		return true;
	if (c->n_lad >= HTML_LADDERS_MAX)
		return false;
	for (int i = 0; i < CAUSE__COUNT; i++)
		causes += c->lad_taken[i] != 0;
	return c->lad_taken[cause] * (causes ? causes : 1) <= c->n_lad;
}

static uint32_t ladder_for(struct html_capture *c, const struct rst_verdict *v)
{
	struct tuple_key k = tuple_of(&v->src, v->sport, &v->dst, v->dport);
	uint32_t *s;
	struct html_ladder *l;

	if (v->kernel_only)
		return HTML_NONE;
	if (!c->lad && !(c->lad = calloc(HTML_LADDERS_MAX, sizeof(*c->lad))))
		return HTML_NONE;
	s = lad_slot(c, &k);
	if (*s != HTML_NONE)
		return *s;
	if (!ladder_wanted(c, v->cause))
		return HTML_NONE;
	l = &c->lad[c->n_lad];
	memset(l, 0, sizeof(*l));
	l->a = v->dst, l->pa = v->dport;
	l->b = v->src, l->pb = v->sport;
	l->anchor = v->frame;
	ladder_init(&l->win, HTML_LADDER_HEAD, HTML_LADDER_BEFORE, HTML_LADDER_AFTER);
	c->lad_taken[v->cause]++;
	*s = c->n_lad;
	return c->n_lad++;
}

static uint32_t evid_keep(struct html_capture *c, const struct rst_verdict *v)
{
	struct html_evid *e;

	if (c->n_ev >= HTML_EVIDENCE_MAX)
		return HTML_NONE;
	if (!c->ev && !(c->ev = malloc(HTML_EVIDENCE_MAX * sizeof(*c->ev))))
		return HTML_NONE;
	e = &c->ev[c->n_ev];
	memset(e, 0, sizeof(*e));
	fmt_buf(e->forged, sizeof(e->forged), "%s", v->forged_evidence);
	fmt_buf(e->cause, sizeof(e->cause), "%s", v->cause_evidence);
	fmt_buf(e->payload, sizeof(e->payload), "%s", v->payload_text);
	e->bytes_in_flight = v->bytes_in_flight;
	e->prior_requests = v->http_prior_requests;
	e->last_status = v->http_last_status;
	e->expect_100 = v->http_expect_100;
	e->unanswered = v->http_request_unanswered;
	e->tls = (uint8_t)v->tls;
	return c->n_ev++;
}

void html_rst(struct html_report *h, const struct rst_verdict *v)
{
	struct html_capture *c;
	struct html_row *r;
	char a[48];

	if (!h->n_cap)
		return;
	c = &h->cap[h->n_cap - 1];
	if (c->n_rows == c->cap_rows) {
		size_t n = c->cap_rows ? c->cap_rows * 2 : 1024;
		struct html_row *p;

		if (c->n_rows >= HTML_ROWS_MAX || !(p = realloc(c->rows, n * sizeof(*p)))) {
			c->rows_dropped++;
			return;
		}
		c->rows = p;
		c->cap_rows = n;
	}
	r = &c->rows[c->n_rows];
	memset(r, 0, sizeof(*r));
	r->frame = v->frame;
	r->ts_ns = v->ts_ns;
	r->src = str_id(h, ipaddr_str(&v->src, a, sizeof(a)));
	r->dst = str_id(h, ipaddr_str(&v->dst, a, sizeof(a)));
	r->method = v->http_method[0] ? str_id(h, v->http_method) : HTML_NONE;
	r->sport = v->sport, r->dport = v->dport;
	r->kind = (uint8_t)v->kind, r->role = (uint8_t)v->sender_role;
	r->forged = (uint8_t)v->forged, r->cause = (uint8_t)v->cause;
	r->shape = (uint8_t)v->shape;
	r->ttl = v->ttl, r->flags = v->flags, r->ipver = v->ipver;
	r->idle_gap_s = v->idle_gap_s >= 0 ? (float)v->idle_gap_s : -1.0f;
	r->cluster = v->cluster_size;
	r->seen = v->corr.seen, r->absent = v->corr.absent;
	if (v->corr.n && !c->corr_n) {
		c->corr_n = v->corr.n;
		c->corr_files = v->corr.files;
	}
	r->ladder = ladder_for(c, v);
	if (r->ladder == HTML_NONE)
		c->rows_no_ladder++;
	r->evid = HTML_NONE;
	if (r->ladder != HTML_NONE || c->n_cause_ex[v->cause] < HTML_CAUSE_EX)
		r->evid = evid_keep(c, v);
	if (c->n_cause_ex[v->cause] < HTML_CAUSE_EX)
		c->cause_ex[v->cause][c->n_cause_ex[v->cause]++] = (uint32_t)c->n_rows;
	if (v->ts_ns < c->t_first)
		c->t_first = v->ts_ns;
	if (v->ts_ns > c->t_last)
		c->t_last = v->ts_ns;
	c->n_rows++;
}

/* The printable start of a payload up to its first line end ("" when it
 * starts with bytes that are not text). */
static void payload_text(const struct tcp_view *t, char *buf)
{
	uint32_t n = t->payload_cap < t->payload_len ? t->payload_cap : t->payload_len, i;

	for (i = 0; i < n && i < HTML_TEXT_MAX - 1; i++) {
		uint8_t ch = t->payload[i];

		if (ch == '\r' || ch == '\n')
			break;
		if (ch < 0x20 || ch >= 0x7f) {
			i = 0;
			break;
		}
		buf[i] = (char)ch;
	}
	buf[i] = '\0';
}

static void ladder_add(struct html_ladder *l, const struct tcp_view *t,
		       const struct pcap_frame *fr)
{
	struct html_pkt p = { .frame = fr->number, .ts_ns = fr->ts_ns, .seq = t->seq,
			      .ack = t->ack, .len = t->payload_len, .win = t->win,
			      .flags = t->flags, .ttl = t->ttl };
	unsigned i;
	enum ladder_slot slot = ladder_place(&l->win, fr->number, l->anchor, t->flags, &i);

	if (slot == LADDER_SKIP)
		return;
	p.dir = !(t->sport == l->pa && !memcmp(&t->src, &l->a, sizeof(l->a)));
	payload_text(t, p.text);
	if (slot == LADDER_HEAD)
		l->head[i] = p;
	else if (slot == LADDER_RING)
		l->ring[i] = p;
	else
		l->after[i] = p;
}

/* Pass 2: the packets of the flows that have a ladder, and the span of the
 * capture. 0, or -1 with the reason in the note. */
static int ladder_pass(struct html_capture *c, const char *src)
{
	char err[512];
	struct pcapfile *pf = pcapfile_open(src, NULL, err, sizeof(err));
	struct pcap_frame fr;
	int rc;

	if (!pf) {
		c->ladder_note = strdup(err);
		return -1;
	}
	while ((rc = pcapfile_next(pf, &fr, err, sizeof(err))) == 1) {
		struct tcp_view t;
		struct tuple_key k;
		uint32_t *s;

		if (fr.ts_ns < c->t_first)
			c->t_first = fr.ts_ns;
		if (fr.ts_ns > c->t_last)
			c->t_last = fr.ts_ns;
		if (!c->n_lad || decode_frame(fr.link, fr.data, fr.caplen, &t) != DECODE_OK)
			continue;
		k = tuple_of(&t.src, t.sport, &t.dst, t.dport);
		s = lad_slot(c, &k);
		if (*s != HTML_NONE)
			ladder_add(&c->lad[*s], &t, &fr);
	}
	pcapfile_close(pf);
	return 0;
}

void html_capture_end(struct html_report *h, const char *src, const struct diagnosis *d,
		      const struct engine_stats *s, const char *text, const char *read_error)
{
	struct html_capture *c;

	if (!h->n_cap)
		return;
	c = &h->cap[h->n_cap - 1];
	if (d && (c->diag = malloc(sizeof(*c->diag))))
		*c->diag = *d;
	if (s)
		c->stats = *s;
	c->text = text ? strdup(text) : NULL;
	c->read_error = read_error ? strdup(read_error) : NULL;
	if (src)
		(void)ladder_pass(c, src);
	else if (c->n_rows)
		c->ladder_note = strdup("the capture could not be read a second time");
}

void html_correlation(struct html_report *h, const char *text)
{
	free(h->corr_text);
	h->corr_text = text ? strdup(text) : NULL;
}
