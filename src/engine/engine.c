/* engine: per-segment flow update, pending RST verdicts, finalisation. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "flows/flows.h"

#define PENDING_MAX (1u << 20)
/* frames of processing that cover a fetch from memory: of the hash slot,
 * then of the flow */
#define SLOT_AHEAD 3
#define FLOW_AHEAD 6

struct engine {
	struct engine_opts o;
	struct detect_env env;
	struct flow_table *ft;
	struct kstore *ks;         /* NULL without o.kernel */
	engine_sink_fn sink;
	void *ctx;
	struct engine_stats st;
	struct diagnosis *diag;
	int64_t clock;             /* capture time, never goes back */
	int64_t idle_min_ns, horizon_ns;
	/* pending RSTs: a ring in arrival (= clamped time) order */
	struct pending_rst *pend;
	uint32_t pend_cap, pend_head, pend_len;
	uint32_t since_expire;
	/* the detectors with an on_packet, in detect_table's order: a turn's
	 * first segment calls them without a pass over the others */
	const struct detector **on_packet;
	unsigned n_on_packet;
};

void engine_opts_default(struct engine_opts *o)
{
	o->max_flows = 1u << 20;
	o->no_embryos = false;
	o->horizon_s = 2.0;
	o->flow_idle_expire_s = 7200.0;
	o->cluster_window_s = 1.0;
	o->cluster_min = 3;
	o->idle_min_s = 1.0;
	o->corr_lookup = NULL;
	o->corr_ctx = NULL;
	o->kernel = false;
	o->kernel_window_s = 1.0;
}

struct engine *engine_new(const struct engine_opts *o, engine_sink_fn sink, void *ctx)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	if (o)
		e->o = *o;
	else
		engine_opts_default(&e->o);
	if (e->o.horizon_s < e->o.cluster_window_s)
		e->o.horizon_s = e->o.cluster_window_s;
	e->ft = flow_table_new(e->o.max_flows, e->o.flow_idle_expire_s, 30.0 + e->o.horizon_s,
			       e->o.idle_min_s, !e->o.no_embryos);
	e->diag = malloc(sizeof(*e->diag));
	e->on_packet = calloc(detect_count ? detect_count : 1, sizeof(*e->on_packet));
	for (unsigned i = 0; e->on_packet && i < detect_count; i++)
		if (detect_table[i]->on_packet)
			e->on_packet[e->n_on_packet++] = detect_table[i];
	if (e->o.kernel) {
		struct kstore_opts ko = { .window_s = e->o.kernel_window_s };

		e->ks = kstore_new(&ko);
		if (!e->ks) {
			engine_free(e);
			return NULL;
		}
	}
	if (!e->ft || !e->diag || !e->on_packet) {
		engine_free(e);
		return NULL;
	}
	diagnosis_init(e->diag);
	e->env.ft = e->ft;
	e->env.o = &e->o;
	e->env.ks = e->ks;
	e->sink = sink;
	e->ctx = ctx;
	e->idle_min_ns = (int64_t)(e->o.idle_min_s * 1e9);
	e->horizon_ns = (int64_t)(e->o.horizon_s * 1e9);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	flow_table_free(e->ft);
	kstore_free(e->ks);
	free(e->pend);
	free(e->diag);
	free(e->on_packet);
	free(e);
}

static void finalise_one(struct engine *e, struct pending_rst *p)
{
	/* a pinned slot is never freed; a restart on the tuple keeps the pin
	 * but changes the id, and then the RST's flow is gone */
	struct flow *slot = p->v.kernel_only ? NULL : flow_get(e->ft, p->flow_idx);
	struct flow *f = slot && slot->used && slot->id == p->v.flow_id ? slot : NULL;

	for (unsigned i = 0; i < detect_count; i++)
		if (detect_table[i]->on_final)
			detect_table[i]->on_final(&e->env, p, f);
	if (slot && slot->used && slot->pin)
		slot->pin--;
	diagnosis_add(e->diag, &p->v, p->confidence, p->race_gap_ms);
	if (p->v.kernel_only)
		e->st.kernel_only++;
	else
		e->st.kernel[p->v.kernel]++;
	if (e->sink)
		e->sink(&p->v, e->ctx);
}

/* Kernel resets older than before_ns (at most max of them) leave the
 * store; those no wire RST claimed are verdicts of their own. */
static void kernel_expire(struct engine *e, int64_t before_ns, uint64_t max)
{
	struct kernel_reset r;
	struct pending_rst p;
	int rc;

	while (max-- && (rc = kstore_pop(e->ks, before_ns, &r)) >= 0) {
		if (!rc)
			continue;
		detect_kernel_pending(&p, &r);
		finalise_one(e, &p);
	}
}

/* engine_advance() on every segment: most have nothing to finalise and no
 * kernel store to age, and return here. */
static inline void advance(struct engine *e, int64_t now_ns)
{
	if (e->ks || (e->pend_len && e->pend[e->pend_head].horizon_ns <= now_ns))
		engine_advance(e, now_ns);
}

void engine_advance(struct engine *e, int64_t now_ns)
{
	while (e->pend_len) {
		struct pending_rst *p = &e->pend[e->pend_head];

		if (p->horizon_ns > now_ns)
			break;
		finalise_one(e, p);
		e->pend_head = (e->pend_head + 1) % e->pend_cap;
		e->pend_len--;
	}
	/* after the wire RSTs: a kernel reset is open as long as an RST within
	 * the window of it may still be pending */
	if (e->ks)
		kernel_expire(e, now_ns == INT64_MAX ? INT64_MAX
				 : now_ns - kstore_window_ns(e->ks) - e->horizon_ns, UINT64_MAX);
}

void engine_kernel_reset(struct engine *e, const struct kernel_reset *r)
{
	if (!e->ks)
		return;
	if (kstore_full(e->ks))      /* the oldest goes first, judged early */
		kernel_expire(e, INT64_MAX, 1);
	kstore_add(e->ks, r);
}

void engine_kernel_lost(struct engine *e, int64_t wall_ns)
{
	if (e->ks)
		kstore_note_lost(e->ks, wall_ns);
}

void engine_host_event(struct engine *e, const struct khost_event *h)
{
	if (e->ks)
		kstore_add_host(e->ks, h);
}

void engine_host_finding(struct engine *e, const char *name, enum rst_cause cause,
			 const char *where, uint64_t netns, uint64_t count, double rate,
			 int64_t ts_ns)
{
	if (e->diag)
		diagnosis_host(e->diag, name, cause, where, netns, count, rate, ts_ns);
}

void engine_kernel_local(struct engine *e, const struct ipaddr *a, size_t n)
{
	if (e->ks)
		kstore_set_local(e->ks, a, n);
}

void engine_flush(struct engine *e)
{
	engine_advance(e, INT64_MAX);
	e->st.flows_open = flow_table_stats(e->ft)->open;
}

static struct pending_rst *pend_push(struct engine *e)
{
	if (e->pend_len == e->pend_cap) {
		uint32_t ncap = e->pend_cap ? e->pend_cap * 2 : 64;
		struct pending_rst *np;

		if (e->pend_cap >= PENDING_MAX || !(np = malloc((size_t)ncap * sizeof(*np)))) {
			/* full: finalise the oldest early rather than lose it */
			finalise_one(e, &e->pend[e->pend_head]);
			e->pend_head = (e->pend_head + 1) % e->pend_cap;
			e->pend_len--;
		} else {
			for (uint32_t i = 0; i < e->pend_len; i++)
				np[i] = e->pend[(e->pend_head + i) % e->pend_cap];
			free(e->pend);
			e->pend = np;
			e->pend_cap = ncap;
			e->pend_head = 0;
		}
	}
	return &e->pend[(e->pend_head + e->pend_len++) % e->pend_cap];
}

/* Client and server from the ports when no SYN says: the lower port of a
 * well-known/registered vs ephemeral pair is the server. */
static void guess_roles(struct flow *f)
{
	if (f->pa == f->pb)
		return;
	if ((f->pb < 1024 && f->pa >= 1024) || (f->pb < 32768 && f->pa >= 32768)) {
		f->client = 0;
		f->role_known = 1;
	} else if ((f->pa < 1024 && f->pb >= 1024) || (f->pa < 32768 && f->pb >= 32768)) {
		f->client = 1;
		f->role_known = 1;
	}
}

/* `ts` is the engine's clock (never backwards), `when` the packet's own
 * capture time, which the verdict reports. */
static void on_rst(struct engine *e, struct flow *f, int dir, bool created,
		   const struct tcp_view *v, int64_t ts, int64_t when, const char *file,
		   uint64_t frame)
{
	struct pending_rst *p = pend_push(e);

	memset(p, 0, sizeof(*p));
	p->v.file = file;
	p->v.frame = frame;
	p->v.ts_ns = when;
	p->clock_ns = ts;
	p->v.flow_id = f->id;
	p->v.src = v->src;
	p->v.dst = v->dst;
	p->v.sport = v->sport;
	p->v.dport = v->dport;
	p->v.ipver = v->ipver;
	p->v.ttl = v->ttl;
	p->v.flags = v->flags;
	p->v.ipid = v->ipid;
	p->v.seq = v->seq;
	p->v.ack = v->ack;
	p->v.payload_len = v->payload_len;
	p->v.pid = -1;
	p->horizon_ns = ts + e->horizon_ns;
	p->flow_idx = flow_index(e->ft, f);
	p->sdir = (uint8_t)dir;
	p->flow_created = created;
	if (e->o.corr_lookup)
		e->o.corr_lookup(e->o.corr_ctx, file, frame, &p->v.corr);
	for (unsigned i = 0; i < detect_count; i++)
		if (detect_table[i]->on_rst)
			detect_table[i]->on_rst(&e->env, p, f, v);
	f->pin++;
	e->st.rsts++;
}

/* Update one direction and the flow with a segment (after any RST verdict
 * was opened, so that detectors saw the state before it). */
static void update_flow(struct engine *e, struct flow *f, int dir, const struct tcp_view *v,
			int64_t ts)
{
	struct flow_dir *d = &f->d[dir];
	uint32_t end = v->seq_end;
	bool rst = v->flags & TH_RST;

	d->last_ns = ts;
	d->pkts++;
	d->bytes += v->payload_len;
	if (v->payload_len) {
		if (d->seq_valid && !seq_gt(end, d->next_seq))
			d->retrans++;
		d->last_data_ns = ts;
		d->last_data_ack = v->ack;
	}
	if (!rst) {
		if (!d->seq_valid || seq_gt(end, d->next_seq))
			d->next_seq = end;
		d->seq_valid = 1;
		if (d->rsts && v->payload_len && d->after_rst_data < UINT16_MAX)
			d->after_rst_data++;
		if (d->ttl.cnt[0] && d->ttl.val[0] == v->ttl) {
			if (d->ttl.cnt[0] < UINT32_MAX)
				d->ttl.cnt[0]++;
		} else if (ttl_hist_add(&d->ttl, v->ttl)) {
			/* a TTL new to this flow: the host's baseline learns it too */
			struct host *h = host_get(e->ft, &v->src, true);

			if (h)
				ttl_hist_add(&h->ttl, v->ttl);
		}
		if (v->ipver == 4 && v->ipid && d->ipid_nonzero < UINT16_MAX)
			d->ipid_nonzero++;
	} else {
		if (d->rsts && v->ack != d->rst_first_ack)
			d->rst_ack_varied = 1;
		if (!d->rsts)
			d->rst_first_ack = v->ack;
		if (d->rsts < UINT16_MAX)
			d->rsts++;
		f->rsts++;
	}
	if (v->flags & TH_ACK && !rst) {
		if (!d->ack_valid || seq_gt(v->ack, d->max_ack))
			d->max_ack = v->ack;
		d->ack_valid = 1;
	}
	if (v->flags & TH_SYN) {
		if (v->flags & TH_ACK) {
			d->synack = 1;
			if (f->state < FS_SYNACK)
				f->state = FS_SYNACK;
		} else {
			d->syn = 1;
			d->isn = v->seq;
		}
	} else if (!rst && (f->state == FS_SYNACK || f->state == FS_SYN) &&
		   ((dir == f->client && (v->flags & TH_ACK)) || v->payload_len)) {
		/* the handshake's third segment (or, when the capture missed the
		 * SYN-ACK, the client acknowledging it, or data) */
		f->state = FS_ESTABLISHED;
		f->est_ns = ts;
	}
	if ((v->flags & TH_FIN) && !d->fin) {
		d->fin = 1;
		d->fin_ns = ts;
		d->fin_seq = v->seq + v->payload_len;
		f->fin_gap_ns[dir] = ts - f->last_ns;
	}
	if (rst || (f->d[0].fin && f->d[1].fin))
		f->state = FS_CLOSED;
	/* silence tracking for idle gaps; data that ends one is a reuse of the
	 * connection, and an answer with data means it survived the silence
	 * (the diagnosis bounds a reaping timeout from below with it); a bare
	 * ACK is no answer: the kernel acknowledges a request the application
	 * may never read */
	if (f->reuse_pending && dir != f->reuse_dir && (rst || v->payload_len)) {
		f->reuse_pending = 0;
		if (!rst)
			diagnosis_survived(e->diag, (double)f->idle_gap_ns / 1e9);
	}
	if (ts - f->last_ns >= e->idle_min_ns) {
		f->idle_gap_ns = ts - f->last_ns;
		f->idle_end_ns = ts;
		f->reuse_pending = v->payload_len > 0 && !rst;
		f->reuse_dir = (uint8_t)dir;
	}
	f->last_ns = ts;
	flow_touch(e->ft, f, f->state == FS_CLOSED, ts);
}

static void segment(struct engine *e, const struct tcp_view *v, uint32_t hash, int64_t ts,
		    const char *file, uint64_t frame);

void engine_segment(struct engine *e, const struct tcp_view *v, int64_t ts, const char *file,
		    uint64_t frame)
{
	struct tcp_view w = *v;

	tcp_view_fill_derived(&w);
	segment(e, &w, flow_hash(&w), ts, file, frame);
}

static void segment(struct engine *e, const struct tcp_view *v, uint32_t hash, int64_t ts,
		    const char *file, uint64_t frame)
{
	struct flow *f;
	bool created, absorbed;
	int dir;

	int64_t when = ts;

	if (ts < e->clock) {     /* clamped for the engine; reported as captured */
		e->st.time_backwards++;
		ts = e->clock;
	}
	e->clock = ts;
	advance(e, ts);
	f = flow_lookup(e->ft, v, hash, ts, &dir, &created, &absorbed);
	if (!f) {
		if (absorbed)
			goto done;
		return;
	}
	/* a new SYN on a closed tuple (or a SYN with a new ISN) starts a new flow */
	if (!created && (v->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    (f->state == FS_CLOSED || (f->d[dir].syn && f->d[dir].seq_valid &&
				       f->d[dir].next_seq != v->seq + 1 && f->state != FS_SYN))) {
		flow_restart(e->ft, f, v);
		dir = 0;
		created = true;
	}
	if (created) {
		f->last_ns = ts;
		if ((v->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
			f->client = (uint8_t)dir;
			f->role_known = 1;
			f->state = FS_SYN;
		} else if ((v->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
			f->client = (uint8_t)!dir;
			f->role_known = 1;
			f->state = FS_SYNACK;
		} else {
			f->state = (v->flags & TH_RST) ? FS_SYN : FS_ESTABLISHED;
			guess_roles(f);
		}
	}
	if (v->flags & TH_RST)
		on_rst(e, f, dir, created && !(v->flags & TH_SYN), v, ts, when, file, frame);
	update_flow(e, f, dir, v, ts);
	/* application context starts where a side's turn starts: the first
	 * data segment after the other side's data (a request, a response,
	 * the next TLS flight); the segments that continue a turn are skipped */
	if (v->payload_cap && f->last_data_dir != dir) {
		for (unsigned i = 0; i < e->n_on_packet; i++)
			e->on_packet[i]->on_packet(&e->env, f, dir, v, ts);
	}
	if (v->payload_len)
		f->last_data_dir = (uint8_t)dir;
done:
	if (++e->since_expire >= 1024) {
		e->since_expire = 0;
		flow_expire(e->ft, ts);
	}
}

enum decode_result engine_frame(struct engine *e, int link, const uint8_t *data, size_t caplen,
				int64_t ts_ns, const char *file, uint64_t frame)
{
	const struct engine_input in = { data, caplen, ts_ns, frame, link };
	enum decode_result r;

	engine_frames(e, &in, 1, file, &r);
	return r;
}

void engine_decode_batch(struct engine_batch *b)
{
	if (b->n > ENGINE_BATCH_MAX)
		b->n = ENGINE_BATCH_MAX;
	b->bytes = 0;
	_Static_assert(ENGINE_BATCH_MAX <= 256, "engine_batch: ok[] holds uint8_t indices");
	b->n_ok = 0;
	memset(b->result, 0, sizeof(b->result));
	for (unsigned i = 0; i < b->n; i++) {
		b->r[i] = decode_frame(b->in[i].link, b->in[i].data, b->in[i].caplen, &b->v[i]);
		b->bytes += b->in[i].caplen;
		b->result[b->r[i]]++;
		if (b->r[i] == DECODE_OK) {
			b->h[i] = flow_hash(&b->v[i]);
			b->ok[b->n_ok++] = (uint8_t)i;
		}
	}
}

void engine_process_batch(struct engine *e, const struct engine_batch *b, const char *file)
{
	unsigned n = b->n;

	e->st.frames += n;
	e->st.bytes += b->bytes;
	for (unsigned r = 0; r < DECODE__COUNT; r++)
		e->st.result[r] += b->result[r];
	/* a software pipeline over the decoded frames (b->ok): the hash slot of
	 * the j-th is fetched, the flow of the (j - SLOT_AHEAD)-th (its slot has
	 * arrived), and the (j - FLOW_AHEAD)-th processed (its flow has
	 * arrived); a SYN's sender is likely new to its flow: the host it then
	 * learns a TTL for is fetched the same way */
	const uint8_t *ok = b->ok;
	unsigned m = b->n_ok, j;

	for (j = 0; j < m + FLOW_AHEAD; j++) {
		if (j < m) {
			unsigned i = ok[j];

			flow_prefetch_slot(e->ft, b->h[i]);
			if (b->v[i].flags & TH_SYN)
				host_prefetch_slot(e->ft, &b->v[i].src);
		}
		if (j >= SLOT_AHEAD && j - SLOT_AHEAD < m) {
			unsigned i = ok[j - SLOT_AHEAD];

			flow_prefetch_flow(e->ft, b->h[i]);
			if (b->v[i].flags & TH_SYN)
				host_prefetch_entry(e->ft, &b->v[i].src);
		}
		if (j >= FLOW_AHEAD) {
			unsigned k = ok[j - FLOW_AHEAD];

			segment(e, &b->v[k], b->h[k], b->in[k].ts_ns, file, b->in[k].frame);
		}
	}
}

void engine_frames(struct engine *e, const struct engine_input *in, unsigned n, const char *file,
		   enum decode_result *res)
{
	struct engine_batch b;

	b.n = n > ENGINE_BATCH_MAX ? ENGINE_BATCH_MAX : n;
	memcpy(b.in, in, b.n * sizeof(*in));
	engine_decode_batch(&b);
	engine_process_batch(e, &b, file);
	if (res)
		memcpy(res, b.r, b.n * sizeof(*res));
}

const struct engine_stats *engine_stats(struct engine *e)
{
	const struct flow_table_stats *fs = flow_table_stats(e->ft);
	struct engine_stats *st = &e->st;

	st->flows_created = fs->created;
	st->flows_evicted = fs->evicted;
	st->flows_expired = fs->expired;
	st->flows_open = fs->open;
	st->flows_peak = fs->peak;
	return st;
}

const struct diagnosis *engine_diagnosis(struct engine *e)
{
	diagnosis_finish(e->diag);
	return e->diag;
}

void engine_diagnosis_copy(struct engine *e, struct diagnosis *out)
{
	*out = *e->diag;
	diagnosis_finish(out);
}
