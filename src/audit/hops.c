/* hops: the named-hop table (hops.def) and the hop helpers. */
#include "audit/audit.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define X (-1.0)
#define N AUDIT_NONE
const struct audit_named audit_named_table[] = {
#define HOP(nm, si, un, k, d, u, b, ka, dp, upp, bp, re, sl, sf, no, so) \
	{ nm, si, un, k, d, u, b, ka, dp, upp, bp, re, sl, sf, no, so },
#include "audit/hops.def"
#undef HOP
};
#undef X
#undef N
const unsigned audit_named_count = sizeof(audit_named_table) / sizeof(audit_named_table[0]);

int audit_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = 0, y = 0;

		while (*a >= '0' && *a <= '9' && x < 100000000)
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (*b >= '0' && *b <= '9' && y < 100000000)
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a && *a != '.')
			return 0;   /* a suffix such as "-rc1": compare no further */
		if (*b && *b != '.')
			return 0;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

void audit_val_set(struct audit_val *v, double s, const char *param, const char *src)
{
	v->s = s;
	if (param)
		fmt_buf(v->param, sizeof(v->param), "%s", param);
	fmt_buf(v->src, sizeof(v->src), "%s", src ? src : "");
}

void audit_hop_init(struct audit_hop *h, const char *name, enum audit_kind kind, const char *origin)
{
	memset(h, 0, sizeof(*h));
	fmt_buf(h->name, sizeof(h->name), "%s", name);
	fmt_buf(h->origin, sizeof(h->origin), "%s", origin);
	h->kind = kind;
	h->down.s = h->up.s = h->box.s = h->ka.s = -1;
}

void audit_hop_set_idle(struct audit_hop *h, double s, const char *src)
{
	if (h->down.s >= 0 || h->kind == AUDIT_SERVER || h->kind == AUDIT_PROXY) {
		audit_val_set(&h->down, s, NULL, src);
		h->ka_off = s == 0;
	}
	if (h->up.s >= 0 || h->kind == AUDIT_CLIENT || h->kind == AUDIT_PROXY) {
		audit_val_set(&h->up, s, NULL, src);
		h->reuse = s > 0;
	}
	if (h->box.s >= 0 || h->kind == AUDIT_BOX)
		audit_val_set(&h->box, s == 0 ? AUDIT_NONE : s, NULL, src);
}

static bool in_range(const struct audit_named *r, const char *ver)
{
	if (!ver || !*ver)   /* no version asked: the newest row */
		return !*r->until;
	if (*r->since && audit_version_cmp(ver, r->since) < 0)
		return false;
	if (*r->until && audit_version_cmp(ver, r->until) >= 0)
		return false;
	return true;
}

int audit_named_hop(const char *spec, struct audit_hop *h)
{
	char name[48], src[224];
	const char *at = strchr(spec, '@'), *ver = at ? at + 1 : "";
	size_t nl = at ? (size_t)(at - spec) : strlen(spec);

	if (nl == 0 || nl >= sizeof(name) || (at && (!*ver || strlen(ver) >= sizeof(h->version))))
		return -1;
	for (const char *p = ver; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return -1;
	memcpy(name, spec, nl);
	name[nl] = '\0';
	for (unsigned i = 0; i < audit_named_count; i++) {
		const struct audit_named *r = &audit_named_table[i];

		if (strcmp(r->name, name) || !in_range(r, ver))
			continue;
		audit_hop_init(h, name, r->kind, "named");
		fmt_buf(h->version, sizeof(h->version), "%s", ver);
		fmt_buf(src, sizeof(src), "the default of %s%s%s (%s)", name, *ver ? " " : "", ver,
			r->source);
		if (r->down >= 0)
			audit_val_set(&h->down, r->down, r->down_param, src);
		if (r->up >= 0)
			audit_val_set(&h->up, r->up, r->up_param, src);
		if (r->box >= 0)
			audit_val_set(&h->box, r->box, r->box_param, src);
		if (r->ka >= 0)
			audit_val_set(&h->ka, r->ka, "net.ipv4.tcp_keepalive_time", src);
		h->ka_off = r->down == 0;
		h->reuse = r->reuse;
		h->silent = r->silent;
		fmt_buf(h->silent_fix, sizeof(h->silent_fix), "%s", r->silent_fix);
		fmt_buf(h->note, sizeof(h->note), "%s", r->note);
		return 0;
	}
	return -1;
}

void audit_print_hops_table(FILE *f)
{
	fprintf(f, "%-15s %-9s %-7s %-11s %-11s %-9s %-9s %s\n", "hop", "versions", "kind",
		"client-side", "upstream", "box", "keepalive", "source");
	static const char *const kind[] = { "client", "proxy", "server", "box", "host" };
	for (unsigned i = 0; i < audit_named_count; i++) {
		const struct audit_named *r = &audit_named_table[i];
		char ver[24], v[4][16];
		double x[4] = { r->down, r->up, r->box, r->ka };

		if (!*r->since && !*r->until)
			fmt_buf(ver, sizeof(ver), "any");
		else
			fmt_buf(ver, sizeof(ver), "%s-%s", *r->since ? r->since : "", r->until);
		for (int k = 0; k < 4; k++) {
			if (x[k] < 0)
				fmt_buf(v[k], sizeof(v[k]), "-");
			else if (isinf(x[k]))
				fmt_buf(v[k], sizeof(v[k]), "none");
			else if (x[k] == 0 && k == 1)
				fmt_buf(v[k], sizeof(v[k]), "no-reuse");
			else
				fmt_buf(v[k], sizeof(v[k]), "%gs", x[k]);
		}
		fprintf(f, "%-15s %-9s %-7s %-11s %-11s %-9s %-9s %s\n", r->name, ver, kind[r->kind],
			v[0], v[1], v[2], v[3], r->source);
	}
}
