/* sender: did the RST come from the host whose address it bears?
 *
 * Follows "Judging the sender by TTL": the RST's TTL against the claimed
 * sender's baseline (the set of TTLs it used in this flow, else on its other
 * flows), as hop distance and initial TTL; then the corroborating tells (the
 * sender still talking after its own RST, IP ID, sequence number, a burst of
 * RSTs with different ACKs, reserved bits). No baseline: unknown. */
#include "detect/detect.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

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

/* Judge a TTL not in h (the in-flow baseline): returns the verdict and
 * writes why. */
static enum rst_forged judge_ttl(unsigned ttl, const struct ttl_hist *h, const char *where,
				 char *why, size_t size, double *conf)
{
	char set[32];
	unsigned ri = ttl_initial(ttl), rh = ri - ttl;
	int near = -1, same_dist = -1;

	hist_str(h, set, sizeof(set));
	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		unsigned bi, bh;

		if (!h->cnt[i])
			continue;
		bi = ttl_initial(h->val[i]);
		bh = bi - h->val[i];
		if (bi == ri && (rh == bh + 1 || bh == rh + 1))
			near = i;
		else if (bi != ri && bh == rh)
			same_dist = i;
	}
	if (near >= 0) {
		fmt_buf(why, size, "TTL %u is within one hop of its TTLs %s (%s): a route change, "
			"not another sender", ttl, where, set);
		*conf = 0.6;
		return FORGED_GENUINE;
	}
	if (same_dist >= 0) {
		fmt_buf(why, size, "TTL %u: same hop distance (%u) as its TTLs %s (%s) but initial TTL "
			"%u, not %u: another stack at the same place (a load balancer or proxy "
			"answering in its name)", ttl, rh, where, set, ri,
			ttl_initial(h->val[same_dist]));
		*conf = 0.6;
		return FORGED_FORGED;
	}
	{
		int best = 0;

		for (int i = 1; i < FLOW_TTL_SLOTS; i++)
			if (h->cnt[i] > h->cnt[best])
				best = i;
		fmt_buf(why, size, "TTL %u (%u hops from initial %u) vs its TTLs %s (%s, %u hops "
			"from %u): built at another point of the path", ttl, rh, ri, where, set,
			ttl_initial(h->val[best]) - h->val[best], ttl_initial(h->val[best]));
	}
	*conf = 0.85;
	return FORGED_FORGED;
}

/* Judge a TTL not in h, the host's other flows, which may have taken other paths or
 * reached another host behind the same address. A box that forges the
 * host's address sits between us and the host, so its RSTs arrive from
 * closer than the host's own packets; an RST from within, or beyond, the
 * distances of the host's packets is not from such a box. */
static enum rst_forged judge_host(unsigned ttl, const struct ttl_hist *h, char *why, size_t size,
				  double *conf)
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
	if (rh + 1 < lo) {
		fmt_buf(why, size, "TTL %u: %u hops away, closer than any packet of its other flows "
			"(%s, %u-%u hops): a box in front of it", ttl, rh, set, lo, hi);
		*conf = 0.7;
		return FORGED_FORGED;
	}
	if (one_init && init != ri && hi - lo <= 1 && rh <= hi + 1) {
		fmt_buf(why, size, "TTL %u: the distance of its other flows (%s) but initial TTL %u, "
			"not %u: another stack at the same place", ttl, set, ri, init);
		*conf = 0.5;
		return FORGED_FORGED;
	}
	if (rh <= hi + 1)
		fmt_buf(why, size, "TTL %u: %u hops, within the distances its other flows came from "
			"(%s, %u-%u hops)", ttl, rh, set, lo, hi);
	else
		fmt_buf(why, size, "TTL %u: %u hops, farther than its other flows (%s, %u-%u hops): "
			"not a box between us and it (a route change or another host behind the "
			"address)", ttl, rh, set, lo, hi);
	*conf = 0.5;
	return FORGED_GENUINE;
}

static void sender_on_final(const struct detect_env *env, struct pending_rst *p, struct flow *f)
{
	const struct ttl_hist *h = f ? &f->d[p->sdir].ttl : &p->base_ttl;
	const struct flow_dir *s = f ? &f->d[p->sdir] : NULL;
	char why[160] = "", extra[160] = "";
	size_t xn = 0;
	const char *where = "in this flow";
	enum rst_forged verdict;
	struct host *host = NULL;
	double conf = 0;

	if (ttl_hist_empty(h)) {
		host = host_get(env->ft, &p->v.src, false);
		h = host ? &host->ttl : NULL;
		where = "on its other flows";
	}
	if (!h || ttl_hist_empty(h)) {
		fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence),
			"no other packet from the sender seen: no TTL baseline");
		p->v.forged = FORGED_UNKNOWN;
		p->sender_conf = 0;
		return;
	}
	if (hist_has(h, p->v.ttl)) {
		char set[32];

		hist_str(h, set, sizeof(set));
		fmt_buf(why, sizeof(why), "TTL %u matches its TTLs %s (%s)", p->v.ttl, where, set);
		verdict = FORGED_GENUINE;
		conf = host ? 0.8 : 0.9;
	} else if (host) {
		verdict = judge_host(p->v.ttl, h, why, sizeof(why), &conf);
	} else {
		verdict = judge_ttl(p->v.ttl, h, where, why, sizeof(why), &conf);
	}

	/* corroborating tells */
	if (s && s->after_rst_data && f->rsts) {
		xn += fmt_buf(extra + xn, sizeof(extra) - xn, "; the sender kept sending data after "
			      "the RST (%u segments): the RST was not its own", s->after_rst_data);
		verdict = FORGED_FORGED;
		conf = 0.95;
	}
	/* the tells below corroborate a forged verdict; alone they are weak
	 * (Linux's own RSTs without a socket carry IP ID 0, for one) */
	if (verdict != FORGED_FORGED)
		goto out;
	if (p->v.ipver == 4 && p->v.ipid == 0 && p->base_ipid_nonzero >= 2 && xn < sizeof(extra))
		xn += fmt_buf(extra + xn, sizeof(extra) - xn, "; IP ID 0 breaks its IP ID sequence");
	if (p->expect_seq_valid && !(p->v.flags & TH_ACK && p->v.kind == KIND_REFUSED) &&
	    (uint32_t)(p->v.seq - p->expect_seq + 65536u) > 131072u && xn < sizeof(extra))
		xn += fmt_buf(extra + xn, sizeof(extra) - xn, "; seq %u is far from its next %u",
			      p->v.seq, p->expect_seq);
	if (s && s->rst_ack_varied && xn < sizeof(extra))
		xn += fmt_buf(extra + xn, sizeof(extra) - xn, "; a burst of %u RSTs with different "
			      "ACK numbers", s->rsts);
	if (xn && conf < 0.95)
		conf += 0.05;
out:
	fmt_buf(p->v.forged_evidence, sizeof(p->v.forged_evidence), "%s%s", why, extra);
	p->v.forged = verdict;
	p->sender_conf = conf;
}

const struct detector detect_sender = { "sender", NULL, sender_on_rst, sender_on_final };
