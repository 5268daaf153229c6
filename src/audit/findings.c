/* findings: the decision table over a path. Each rule reads the hops and
 * writes its findings; thresholds are named in audit_thresholds. A path is
 * cut into segments, each from a hop that holds idle connections (its
 * upstream side) to the next hop that terminates TCP (its client side),
 * with the boxes between them. */
#include "audit/audit.h"

#include <math.h>
#include <string.h>

#include "util/util.h"

const char *const audit_finding_name[] = { "timeout-inversion", "keepalive-above-idle", "unbounded",
					   "silent-drop" };

const struct audit_threshold audit_thresholds[] = {
	{ "AUDIT_RACE_MARGIN_S", AUDIT_RACE_MARGIN_S, "s",
	  "two timeouts this close count as equal: the one meant to be shorter is at or above the other" },
	{ "AUDIT_FIX_HEADROOM_S", AUDIT_FIX_HEADROOM_S, "s",
	  "a suggested value stays at least this far on the safe side of the limit..." },
	{ "AUDIT_FIX_HEADROOM_FRAC", AUDIT_FIX_HEADROOM_FRAC, "",
	  "...or this fraction of it, whichever is more (half the limit below 2 x the headroom)" },
};
const unsigned audit_threshold_count = sizeof(audit_thresholds) / sizeof(audit_thresholds[0]);

static double headroom(double c)
{
	double h = c * AUDIT_FIX_HEADROOM_FRAC;

	return h > AUDIT_FIX_HEADROOM_S ? h : AUDIT_FIX_HEADROOM_S;
}

double audit_suggest_below(double c)
{
	if (c <= 2 * AUDIT_FIX_HEADROOM_S)
		return floor(c * 5) / 10;   /* half, to a tenth */
	return floor(c - headroom(c));
}

static double suggest_above(double a)
{
	return ceil(a + headroom(a));
}

static bool at_or_above(double x, double limit)
{
	return x >= limit - AUDIT_RACE_MARGIN_S;
}

static bool terminates(const struct audit_hop *h)
{
	return h->kind == AUDIT_CLIENT || h->kind == AUDIT_PROXY || h->kind == AUDIT_SERVER;
}

static bool is_box(const struct audit_hop *h)
{
	return !terminates(h) && h->box.s > 0 && isfinite(h->box.s);
}

static const char *fs(char *b, size_t n, double s)
{
	if (isinf(s))
		fmt_buf(b, n, "none");
	else
		fmt_buf(b, n, "%g s", s);
	return b;
}

static void label(char *b, size_t n, const struct audit_hop *h)
{
	fmt_buf(b, n, "%s%s%s", h->name, *h->version ? "@" : "", h->version);
}

static void end_set(struct audit_end *e, int hop, const struct audit_val *v)
{
	e->hop = hop;
	e->s = v ? v->s : -1;
	fmt_buf(e->param, sizeof(e->param), "%s", v ? v->param : "");
	fmt_buf(e->src, sizeof(e->src), "%s", v ? v->src : "");
}

static struct audit_finding *add(struct audit_finding *out, unsigned *k, unsigned max,
				 enum audit_finding_id id)
{
	if (*k >= max)
		return NULL;
	memset(&out[*k], 0, sizeof(out[0]));
	out[*k].id = id;
	out[*k].down.hop = out[*k].up.hop = -1;
	return &out[(*k)++];
}

static int next_term(const struct audit_hop *h, unsigned n, int from)
{
	for (int i = from; i < (int)n; i++)
		if (terminates(&h[i]))
			return i;
	return -1;
}

static int prev_term(const struct audit_hop *h, int from)
{
	for (int i = from; i >= 0; i--)
		if (terminates(&h[i]))
			return i;
	return -1;
}

/* The earliest closer after holder i: a box before the next terminating
 * hop, or that hop's client side. -1 when none closes idle connections. */
static int closer(const struct audit_hop *h, unsigned n, int i, const struct audit_val **v)
{
	int j = next_term(h, n, i + 1), best = -1;
	int stop = j < 0 ? (int)n : j;

	*v = NULL;
	if (j >= 0 && h[j].ka_off)
		return -1;
	for (int m = i + 1; m < stop; m++)
		if (is_box(&h[m]) && (!*v || h[m].box.s < (*v)->s)) {
			best = m;
			*v = &h[m].box;
		}
	if (j >= 0 && h[j].down.s > 0 && isfinite(h[j].down.s) && (!*v || h[j].down.s < (*v)->s)) {
		best = j;
		*v = &h[j].down;
	}
	return best;
}

static bool holder(const struct audit_hop *h)
{
	return terminates(h) && h->kind != AUDIT_SERVER && h->reuse && h->up.s > 0;
}

static unsigned rule_inversion(const struct audit_hop *h, unsigned n, struct audit_finding *out,
			       unsigned max)
{
	unsigned k = 0;

	for (int i = 0; i < (int)n; i++) {
		const struct audit_val *cv;
		struct audit_finding *f;
		char hl[64], cl[64], a[24], c[24], s1[24], s2[24];
		int j;

		if (!holder(&h[i]) || (j = closer(h, n, i, &cv)) < 0 || !at_or_above(h[i].up.s, cv->s))
			continue;
		if (!(f = add(out, &k, max, AUDIT_F_INVERSION)))
			break;
		end_set(&f->down, i, &h[i].up);
		end_set(&f->up, j, cv);
		label(hl, sizeof(hl), &h[i]);
		label(cl, sizeof(cl), &h[j]);
		fmt_buf(f->evidence, sizeof(f->evidence),
			"%s keeps idle connections to the next hop for %s (%s, %s) but %s closes them after %s "
			"(%s, %s): %s will reuse connections %s has closed",
			hl, fs(a, sizeof(a), h[i].up.s), h[i].up.param, h[i].up.src, cl, fs(c, sizeof(c), cv->s),
			cv->param, cv->src, hl, cl);
		bool lower_first = h[i].kind == AUDIT_CLIENT || cv == &h[j].box || isinf(h[i].up.s);
		char lower[240], raise[240];
		fmt_buf(lower, sizeof(lower), "set %s's %s below %s (%s's), e.g. %s", hl, h[i].up.param,
			fs(c, sizeof(c), cv->s), cl, fs(s1, sizeof(s1), audit_suggest_below(cv->s)));
		if (isinf(h[i].up.s))
			fmt_buf(raise, sizeof(raise), "%s", "");
		else
			fmt_buf(raise, sizeof(raise), "raise %s's %s above %s, e.g. %s", cl, cv->param,
				fs(a, sizeof(a), h[i].up.s), fs(s2, sizeof(s2), suggest_above(h[i].up.s)));
		if (!*raise)
			fmt_buf(f->fix, sizeof(f->fix), "%s", lower);
		else
			fmt_buf(f->fix, sizeof(f->fix), "%s; or %s", lower_first ? lower : raise,
				lower_first ? raise : lower);
	}
	return k;
}

static unsigned rule_keepalive(const struct audit_hop *h, unsigned n, struct audit_finding *out,
			       unsigned max)
{
	unsigned k = 0;

	for (int i = 0; i < (int)n; i++) {
		if (h[i].ka.s <= 0 || isinf(h[i].ka.s))
			continue;
		for (int m = 0; m < (int)n; m++) {
			struct audit_finding *f;
			char kl[64], ml[64], a[24], b[24], s1[24];

			if (!is_box(&h[m]) || !at_or_above(h[i].ka.s, h[m].box.s))
				continue;
			if (!(f = add(out, &k, max, AUDIT_F_KEEPALIVE)))
				return k;
			int lo = i < m ? i : m, hi = i < m ? m : i;
			end_set(lo == i ? &f->down : &f->up, i, &h[i].ka);
			end_set(lo == i ? &f->up : &f->down, m, &h[m].box);
			if (lo == hi)
				end_set(&f->up, m, &h[m].box);
			label(kl, sizeof(kl), &h[i]);
			label(ml, sizeof(ml), &h[m]);
			fmt_buf(f->evidence, sizeof(f->evidence),
				"%s sends its first TCP keepalive after %s idle (%s, %s), but %s forgets a flow "
				"idle %s (%s, %s): a quiet connection dies before any keepalive crosses it",
				kl, fs(a, sizeof(a), h[i].ka.s), h[i].ka.param, h[i].ka.src, ml,
				fs(b, sizeof(b), h[m].box.s), h[m].box.param, h[m].box.src);
			fmt_buf(f->fix, sizeof(f->fix),
				"set %s's %s below %s (%s's), e.g. %s, with SO_KEEPALIVE on the long-lived "
				"connections; or raise %s's %s above it",
				kl, h[i].ka.param, fs(b, sizeof(b), h[m].box.s), ml,
				fs(s1, sizeof(s1), audit_suggest_below(h[m].box.s)), ml, h[m].box.param);
		}
	}
	return k;
}

static unsigned rule_unbounded(const struct audit_hop *h, unsigned n, struct audit_finding *out,
			       unsigned max)
{
	unsigned k = 0;

	for (int i = 0; i < (int)n; i++) {
		struct audit_finding *f;
		const struct audit_val *cv;
		char hl[64], ol[64], c[24], s1[24];

		if (!terminates(&h[i]))
			continue;
		if (h[i].kind != AUDIT_CLIENT && isinf(h[i].down.s) && !h[i].ka_off) {
			int p = prev_term(h, i - 1);

			if (!(f = add(out, &k, max, AUDIT_F_UNBOUNDED)))
				return k;
			end_set(&f->up, i, &h[i].down);
			if (p >= 0)
				end_set(&f->down, p, holder(&h[p]) ? &h[p].up : NULL);
			label(hl, sizeof(hl), &h[i]);
			if (p >= 0)
				label(ol, sizeof(ol), &h[p]);
			fmt_buf(f->evidence, sizeof(f->evidence),
				"%s never closes an idle client connection (%s: %s)%s%s: abandoned and half-open "
				"connections pile up, and a box in front reaps them on its own schedule",
				hl, h[i].down.param, h[i].down.src, p >= 0 ? "; the hop before it is " : "",
				p >= 0 ? ol : "");
			if (p >= 0 && holder(&h[p]) && isfinite(h[p].up.s))
				fmt_buf(f->fix, sizeof(f->fix), "set %s's %s to a finite value above %s (%s's %s), e.g. %s",
					hl, h[i].down.param, fs(c, sizeof(c), h[p].up.s), ol, h[p].up.param,
					fs(s1, sizeof(s1), suggest_above(h[p].up.s)));
			else
				fmt_buf(f->fix, sizeof(f->fix),
					"set %s's %s to a finite value, above the idle timeout of the pools that "
					"connect to it", hl, h[i].down.param);
		}
		if (holder(&h[i]) && isinf(h[i].up.s) && closer(h, n, i, &cv) < 0) {
			int j = next_term(h, n, i + 1);

			if (!(f = add(out, &k, max, AUDIT_F_UNBOUNDED)))
				return k;
			end_set(&f->down, i, &h[i].up);
			if (j >= 0)
				end_set(&f->up, j, &h[j].down);
			label(hl, sizeof(hl), &h[i]);
			fmt_buf(f->evidence, sizeof(f->evidence),
				"%s keeps idle connections to the next hop for ever (%s: %s)%s", hl, h[i].up.param,
				h[i].up.src, j < 0 ? "" : ", and nothing after it closes them either");
			fmt_buf(f->fix, sizeof(f->fix),
				"set %s's %s to a finite value below the next hop's idle timeout", hl, h[i].up.param);
		}
	}
	return k;
}

static unsigned rule_silent(const struct audit_hop *h, unsigned n, struct audit_finding *out,
			    unsigned max)
{
	unsigned k = 0;

	for (int m = 0; m < (int)n; m++) {
		struct audit_finding *f;
		const struct audit_val *lv = NULL;
		int p, j, o = -1;
		char ml[64], ol[64], a[24], b[24], s1[24];

		if (!is_box(&h[m]) || !h[m].silent)
			continue;
		p = prev_term(h, m - 1);
		j = next_term(h, n, m + 1);
		if (p < 0 && j < 0)
			continue;
		if ((p >= 0 && !holder(&h[p])) || (j >= 0 && h[j].ka_off))
			continue;   /* no connection stays idle across the box */
		if (p >= 0) {
			o = p;
			lv = &h[p].up;
		}
		if (j >= 0 && h[j].down.s > 0 && (!lv || h[j].down.s < lv->s)) {
			o = j;
			lv = &h[j].down;
		}
		if (!lv || !at_or_above(lv->s, h[m].box.s))
			continue;
		if (!(f = add(out, &k, max, AUDIT_F_SILENT)))
			break;
		end_set(o < m ? &f->down : &f->up, o, lv);
		end_set(o < m ? &f->up : &f->down, m, &h[m].box);
		label(ml, sizeof(ml), &h[m]);
		label(ol, sizeof(ol), &h[o]);
		fmt_buf(f->evidence, sizeof(f->evidence),
			"%s forgets a flow idle %s (%s, %s) without an RST, while %s keeps it idle up to %s (%s, "
			"%s): the next request on it hangs until the client's own timeout",
			ml, fs(a, sizeof(a), h[m].box.s), h[m].box.param, h[m].box.src, ol,
			fs(b, sizeof(b), lv->s), lv->param, lv->src);
		fmt_buf(f->fix, sizeof(f->fix), "set %s's %s below %s (%s's), e.g. %s%s%s", ol, lv->param,
			fs(a, sizeof(a), h[m].box.s), ml, fs(s1, sizeof(s1), audit_suggest_below(h[m].box.s)),
			*h[m].silent_fix ? "; or " : "", h[m].silent_fix);
	}
	return k;
}

const struct audit_rule audit_rules[] = {
	{ AUDIT_F_INVERSION, "a hop keeps idle connections to the next hop at or above the idle timeout "
			     "of the first hop after it that closes them (a box, or the next hop's client side)",
	  rule_inversion },
	{ AUDIT_F_KEEPALIVE, "a host's TCP keepalive time is at or above a box's idle timeout", rule_keepalive },
	{ AUDIT_F_UNBOUNDED, "a hop never closes idle client connections, or keeps idle upstream ones for "
			     "ever with nothing after it to close them", rule_unbounded },
	{ AUDIT_F_SILENT, "a box that drops forgotten flows without an RST forgets them before the hops "
			  "around it close them", rule_silent },
};
const unsigned audit_rule_count = sizeof(audit_rules) / sizeof(audit_rules[0]);

unsigned audit_findings(const struct audit_hop *hops, unsigned n, struct audit_finding *out, unsigned max)
{
	unsigned k = 0;

	for (unsigned r = 0; r < audit_rule_count && k < max; r++)
		k += audit_rules[r].eval(hops, n, out + k, max - k);
	return k;
}
