/* sender: did the RST come from the host whose address it bears?
 *
 * Follows "Judging the sender by TTL": first the two-point correlation when
 * captures of the same traffic were given (an RST that one point saw and the
 * point before it on its way did not was built between them: the strongest
 * evidence there is); then the RST's TTL against the claimed sender's
 * baseline (the set of TTLs it used in this flow, else on its other flows),
 * as hop distance and initial TTL; then the corroborating tells (the sender
 * still talking after its own RST, IP ID, sequence number, a burst of RSTs
 * with different ACKs). No baseline and no correlation: unknown.
 *
 * The rule users are taught holds: the same TTL, believe the peer; another
 * distance, a box built it, even one hop off (the box nearest an endpoint
 * is the one most often there), unless the sender's own packets carry the
 * new TTL, later in the flow or on its other flows (a route change). The same distance with another initial TTL
 * alone is another stack at the same place, a front end answering for the
 * host: forged only when another tell agrees. */
#include "detect/detect.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

/* Confidences of the sender verdicts, by the evidence that decided them. */
#define CONF_CORR_BUILT     0.99 /* seen at one point, absent at the one before */
#define CONF_KEPT_SENDING   0.95 /* the claimed sender went on after its RST */
#define CONF_MATCH_FLOW     0.9  /* a TTL it used in this flow */
#define CONF_OTHER_POINT    0.85 /* two or more hops off its TTLs in this flow */
#define CONF_MATCH_HOST     0.8  /* a TTL of its other flows */
#define CONF_ROUTE_CHANGE   0.75 /* its later or other flows' packets carry the TTL */
#define CONF_HOST_CLOSER    0.7  /* two or more hops closer than its other flows */
#define CONF_FRONT_END_TOLD 0.7  /* another stack at its place, and a tell agrees */
#define CONF_ONE_HOP        0.6  /* one hop closer than its TTLs in this flow */
#define CONF_HOST_ONE_HOP   0.55 /* one hop closer than its other flows, all alike */
#define CONF_ONE_HOP_FAR    0.55 /* one hop farther than its TTLs in this flow */
#define CONF_FRONT_END      0.5  /* another stack at its place, nothing else */
#define CONF_HOST_WITHIN    0.5  /* within the distances of its other flows */
#define CONF_TELL_BONUS     0.05 /* each verdict of forged that tells corroborate */
#define CONF_KERNEL_SENT    0.99 /* this host's kernel sent it */
#define CONF_KERNEL_NOT_SENT 0.95 /* claims this host, its kernel never sent it */
/* A sequence number this far from the sender's next one was not its own. */
#define SEQ_FAR_BYTES 65536u
/* IP IDs: a sender whose packets carried this many non-zero IDs does not
 * send IP ID 0 itself. */
#define IPID_SEQUENCE_MIN 1

static void sender_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			  const struct tcp_view *v)
{
	const struct flow_dir *s = &f->d[p->sdir];

	(void)env;
	(void)v;
	p->base_ttl = s->ttl;
	p->base_ipid_nonzero = s->ipid_nonzero;
	p->expect_seq = s->next_seq;
	p->expect_seq_valid = s->seq_valid;
	p->v.sender_role = !f->role_known ? ROLE_UNKNOWN
					  : p->sdir == f->client ? ROLE_CLIENT : ROLE_SERVER;
}

static size_t hist_str(const struct ttl_hist *h, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < FLOW_TTL_SLOTS; i++)
		if (h->cnt[i] && n < size)
			n += fmt_buf(buf + n, size - n, "%s%u", n ? "/" : "", h->val[i]);
	return n;
}

static bool hist_has(const struct ttl_hist *h, unsigned ttl)
{
	for (int i = 0; i < FLOW_TTL_SLOTS; i++)
		if (h->cnt[i] && h->val[i] == ttl)
			return true;
	return false;
}

/* What the TTL alone says; `told` asks the corroborating tells to decide. */
struct ttl_judgement {
	enum rst_forged verdict;
	double conf;
	bool front_end;         /* same distance, another stack: tells decide */
	char why[176];
};

/* Judge a TTL not in the in-flow baseline h. */
static void judge_flow(unsigned ttl, const struct ttl_hist *h, struct ttl_judgement *j)
{
	char set[32];
	unsigned ri = ttl_initial(ttl), rh = ri - ttl;
	int closer = -1, farther = -1, same_dist = -1, best = 0;

	hist_str(h, set, sizeof(set));
	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		unsigned bi, bh;

		if (!h->cnt[i])
			continue;
		bi = ttl_initial(h->val[i]);
		bh = bi - h->val[i];
		if (bi == ri && rh + 1 == bh)
			closer = i;
		else if (bi == ri && rh == bh + 1)
			farther = i;
		else if (bi != ri && bh == rh)
			same_dist = i;
		if (h->cnt[i] > h->cnt[best])
			best = i;
	}
	if (closer >= 0) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u is one hop closer than its TTLs in this flow "
			"(%s) and none of its later packets carry it: a box next to it built the RST",
			ttl, set);
		j->verdict = FORGED_FORGED;
		j->conf = CONF_ONE_HOP;
	} else if (farther >= 0) {
		/* a box forging its address sits between us and it, so closer */
		fmt_buf(j->why, sizeof(j->why), "TTL %u is one hop farther than its TTLs in this flow "
			"(%s): not a box between us and it (another path of its own)", ttl, set);
		j->verdict = FORGED_GENUINE;
		j->conf = CONF_ONE_HOP_FAR;
	} else if (same_dist >= 0) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: the hop distance (%u) of its TTLs in this "
			"flow (%s) but initial TTL %u, not %u: another stack at the same place (a "
			"load balancer or front end answering for it)", ttl, rh, set, ri,
			ttl_initial(h->val[same_dist]));
		j->verdict = FORGED_GENUINE;
		j->conf = CONF_FRONT_END;
		j->front_end = true;
	} else {
		fmt_buf(j->why, sizeof(j->why), "TTL %u (%u hops from initial %u) vs its TTLs in this "
			"flow (%s, %u hops from %u): built at another point of the path", ttl, rh, ri,
			set, ttl_initial(h->val[best]) - h->val[best], ttl_initial(h->val[best]));
		j->verdict = FORGED_FORGED;
		j->conf = CONF_OTHER_POINT;
	}
}

/* Judge a TTL not in h, the host's other flows, which may have taken other
 * paths or reached another host behind the same address. A box that forges
 * the host's address sits between us and the host, so its RSTs arrive from
 * closer than the host's own packets; an RST from within, or beyond, the
 * distances of the host's packets is not from such a box. */
static void judge_host(unsigned ttl, const struct ttl_hist *h, struct ttl_judgement *j)
{
	unsigned ri = ttl_initial(ttl), rh = ri - ttl, lo = 255, hi = 0, init = 0;
	bool one_init = true;
	char set[32];

	hist_str(h, set, sizeof(set));
	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		unsigned bi, bh;

		if (!h->cnt[i])
			continue;
		bi = ttl_initial(h->val[i]);
		bh = bi - h->val[i];
		one_init &= !init || bi == init;
		init = bi;
		lo = bh < lo ? bh : lo;
		hi = bh > hi ? bh : hi;
	}
	j->verdict = FORGED_GENUINE;
	j->conf = CONF_HOST_WITHIN;
	if (rh + 1 < lo) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: %u hops away, closer than any packet of its "
			"other flows (%s, %u-%u hops): a box in front of it", ttl, rh, set, lo, hi);
		j->verdict = FORGED_FORGED;
		j->conf = CONF_HOST_CLOSER;
	} else if (rh < lo && lo == hi) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: %u hops away, one closer than all its other "
			"flows (%s, %u hops): a box next to it", ttl, rh, set, lo);
		j->verdict = FORGED_FORGED;
		j->conf = CONF_HOST_ONE_HOP;
	} else if (one_init && init != ri && hi - lo <= 1 && rh <= hi + 1) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: the distance of its other flows (%s) but "
			"initial TTL %u, not %u: another stack at the same place (a load balancer or "
			"front end answering for it)", ttl, set, ri, init);
		j->front_end = true;
	} else if (rh <= hi + 1) {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: %u hops, within the distances its other "
			"flows came from (%s, %u-%u hops)", ttl, rh, set, lo, hi);
	} else {
		fmt_buf(j->why, sizeof(j->why), "TTL %u: %u hops, farther than its other flows (%s, "
			"%u-%u hops): not a box between us and it (a route change or another host "
			"behind the address)", ttl, rh, set, lo, hi);
	}
}

/* The correlation's word, in the RST's direction of travel (from its
 * claimed sender towards the other end): built between two captures (*from
 * and *to, in path order), seen from the first point that covered it on
 * (and at another too), or nothing. */
enum corr_word { CORR_NONE, CORR_BUILT, CORR_BEYOND };

static enum corr_word corr_judge(const struct rst_corr *c, enum rst_role role, int *from, int *to)
{
	int n = c->n, step, i, first_seen = -1, last_absent = -1, first_cover = -1, covered = 0;

	if (n < 2 || n > CORR_MAX || role == ROLE_UNKNOWN)
		return CORR_NONE;
	/* captures are in path order from the client: a server's RST travels
	 * from the last towards the first */
	step = role == ROLE_SERVER ? -1 : 1;
	for (i = role == ROLE_SERVER ? n - 1 : 0; i >= 0 && i < n; i += step) {
		bool seen = c->seen >> i & 1, absent = c->absent >> i & 1;

		if ((seen || absent) && first_cover < 0)
			first_cover = i;
		if (seen) {
			first_seen = i;
			break;
		}
		if (absent)
			last_absent = i;
	}
	if (first_seen < 0)
		return CORR_NONE;
	if (last_absent >= 0) {
		/* named in path order, as the captures were given */
		*from = last_absent < first_seen ? last_absent : first_seen;
		*to = last_absent < first_seen ? first_seen : last_absent;
		return CORR_BUILT;
	}
	/* "from beyond them" needs another point that saw it too */
	for (i = 0; i < n; i++)
		covered += (c->seen >> i & 1) != 0;
	if (covered < 2)
		return CORR_NONE;
	*from = *to = first_cover;
	return CORR_BEYOND;
}

/* The tells that corroborate a verdict of forged; alone they are weak
 * (Linux's own RSTs without a socket carry IP ID 0, for one). */
static size_t tells(const struct pending_rst *p, const struct flow_dir *s, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (p->v.ipver == 4 && p->v.ipid == 0 && p->base_ipid_nonzero >= IPID_SEQUENCE_MIN)
		n += fmt_buf(buf + n, size - n, "; IP ID 0 breaks its IP ID sequence");
	if (p->expect_seq_valid && !(p->v.flags & TH_ACK && p->v.kind == KIND_REFUSED) &&
	    (uint32_t)(p->v.seq - p->expect_seq + SEQ_FAR_BYTES) > 2 * SEQ_FAR_BYTES && n < size)
		n += fmt_buf(buf + n, size - n, "; seq %u is far from its next %u", p->v.seq,
			     p->expect_seq);
	if (s && s->rst_ack_varied && n < size)
		n += fmt_buf(buf + n, size - n, "; a burst of %u RSTs with different ACK numbers",
			     s->rsts);
	return n;
}

static void sender_wire(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	const struct ttl_hist *h = f ? &f->d[p->sdir].ttl : &p->base_ttl;
	const struct flow_dir *s = f ? &f->d[p->sdir] : NULL;
	const struct rst_corr *c = &p->v.corr;
	const struct ttl_hist *base;
	struct host *host = NULL;
	struct ttl_judgement j = { FORGED_UNKNOWN, 0, false, "" };
	char extra[160] = "", cw[112] = "";
	enum corr_word word;
	int from = -1, to = -1;
	size_t xn;
	char set[32];

	word = corr_judge(c, p->v.sender_role, &from, &to);
	if (word == CORR_BUILT)
		fmt_buf(cw, sizeof(cw), "built between %s and %s: %s saw it, %s saw the flow but "
			"not it", c->files[from], c->files[to], c->seen >> from & 1 ? c->files[from]
			: c->files[to], c->seen >> from & 1 ? c->files[to] : c->files[from]);
	else if (word == CORR_BEYOND)
		fmt_buf(cw, sizeof(cw), "seen from %s on: not built between the capture points",
			c->files[from]);

	/* the baseline: its TTLs in the flow up to the RST (else, when it sent
	 * nothing before the RST, all of them) */
	base = !ttl_hist_empty(&p->base_ttl) ? &p->base_ttl : !ttl_hist_empty(h) ? h : NULL;
	if (base && hist_has(base, p->v.ttl)) {
		hist_str(base, set, sizeof(set));
		fmt_buf(j.why, sizeof(j.why), "TTL %u matches its TTLs in this flow (%s)", p->v.ttl,
			set);
		j.verdict = FORGED_GENUINE;
		j.conf = CONF_MATCH_FLOW;
	} else if (base && hist_has(h, p->v.ttl)) {
		hist_str(h, set, sizeof(set));
		fmt_buf(j.why, sizeof(j.why), "TTL %u is new to the flow, but its own later packets "
			"carry it too (%s): a route change, not another sender", p->v.ttl, set);
		j.verdict = FORGED_GENUINE;
		j.conf = CONF_ROUTE_CHANGE;
	} else if (base && (host = host_get(env->ft, &p->v.src, false)) &&
		   hist_has(&host->ttl, p->v.ttl)) {
		hist_str(&host->ttl, set, sizeof(set));
		fmt_buf(j.why, sizeof(j.why), "TTL %u is new to the flow, but its packets on other "
			"flows carry it (%s): a route change or another path of its own, not another "
			"sender", p->v.ttl, set);
		j.verdict = FORGED_GENUINE;
		j.conf = CONF_ROUTE_CHANGE;
	} else if (base) {
		judge_flow(p->v.ttl, base, &j);
	} else {
		host = host_get(env->ft, &p->v.src, false);
		if (host && !ttl_hist_empty(&host->ttl)) {
			if (hist_has(&host->ttl, p->v.ttl)) {
				hist_str(&host->ttl, set, sizeof(set));
				fmt_buf(j.why, sizeof(j.why), "TTL %u matches its TTLs on its other "
					"flows (%s)", p->v.ttl, set);
				j.verdict = FORGED_GENUINE;
				j.conf = CONF_MATCH_HOST;
			} else {
				judge_host(p->v.ttl, &host->ttl, &j);
			}
		} else if (word == CORR_NONE) {
			fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence),
				"no other packet from the sender seen: no TTL baseline");
			p->v.forged = FORGED_UNKNOWN;
			p->sender_conf = 0;
			return;
		}
	}

	xn = tells(p, s, extra, sizeof(extra));
	if (s && s->after_rst_data && f->rsts) {
		fmt_buf(extra + xn, sizeof(extra) - xn, "; the sender kept sending data after the "
			"RST (%u segments): the RST was not its own", s->after_rst_data);
		j.verdict = FORGED_FORGED;
		j.conf = CONF_KEPT_SENDING;
	} else if (j.front_end && xn) {
		j.verdict = FORGED_FORGED;
		j.conf = CONF_FRONT_END_TOLD;
	} else if (j.verdict == FORGED_FORGED && xn) {
		j.conf += CONF_TELL_BONUS;
	} else if (j.verdict != FORGED_FORGED) {
		extra[0] = '\0';        /* tells corroborate a forged verdict only */
	}
	if (word == CORR_BUILT) {
		j.verdict = FORGED_FORGED;
		j.conf = CONF_CORR_BUILT;
	}
	if (cw[0])
		fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence), "%s%s%s%s", cw,
			j.why[0] ? "; " : "", j.why, extra);
	else
		fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence), "%s%s", j.why, extra);
	if (j.verdict == FORGED_UNKNOWN) {
		/* a correlation that saw it from the first point on, and no TTL
		 * baseline: it was not built between the points, so likely its own */
		j.verdict = FORGED_GENUINE;
		j.conf = CONF_HOST_WITHIN;
	}
	p->v.forged = j.verdict;
	p->sender_conf = j.conf;
}

/* The kernel's word outweighs the wire's: it saw the reset leave (or not). */
static void weigh_kernel(struct pending_rst *p)
{
	struct rst_verdict *v = &p->v;
	size_t n = strlen(v->forged_evidence);
	char old[sizeof(v->forged_evidence)];

	switch (v->kernel) {
	case RK_SENT:
		fmt_buf(v->forged_evidence + n, sizeof(v->forged_evidence) - n, "%ssent by this "
			"host's kernel%s", n ? "; " : "", v->forged == FORGED_FORGED ?
			", whatever its TTL says" : "");
		v->forged = FORGED_GENUINE;
		p->sender_conf = CONF_KERNEL_SENT;
		break;
	case RK_NOT_SENT:
		memcpy(old, v->forged_evidence, sizeof(old));
		fmt_buf(v->forged_evidence, sizeof(v->forged_evidence), "not sent by this host: it "
			"claims a local address but this kernel sent no such reset%s%s",
			old[0] ? "; " : "", old);
		v->forged = FORGED_FORGED;
		p->sender_conf = CONF_KERNEL_NOT_SENT;
		break;
	case RK_UNSURE:
		fmt_buf(v->forged_evidence + n, sizeof(v->forged_evidence) - n, "%sno kernel reset "
			"event seen, but kernel events were lost then", n ? "; " : "");
		break;
	default:
		break;
	}
}

static void sender_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	if (p->v.kernel_only) {
		/* no frame: the kernel's event is all there is */
		bool sent = p->v.kernel == RK_SENT;

		fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence), "%s; no capture showed "
			"it", sent ? "sent by this host's kernel" : "received by a socket of this host");
		p->v.forged = sent ? FORGED_GENUINE : FORGED_UNKNOWN;
		p->sender_conf = sent ? CONF_KERNEL_SENT : 0;
		return;
	}
	sender_wire(env, p, f);
	weigh_kernel(p);
}

const struct detector detect_sender = { "sender", NULL, sender_on_rst, sender_on_final };
