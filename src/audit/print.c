/* print: the path as a table for a person, and JSON Lines for programs
 * (schema in docs/output.md, "rstscope audit --json"). */
#include "audit/audit.h"

#include <math.h>
#include <string.h>

#include "util/util.h"

static const char *const kind_name[] = { "client", "proxy", "server", "box", "host" };

static void js(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void jnum(FILE *f, double s)
{
	if (s < 0 || isinf(s) || isnan(s))
		fputs("null", f);
	else
		fprintf(f, "%.10g", s);
}

/* {"s": seconds or null (none), "none": bool, "param", "source"} or null when unset */
static void jval(FILE *f, const char *key, const struct audit_val *v)
{
	fprintf(f, ",\"%s\":", key);
	if (v->s < 0) {
		fputs("null", f);
		return;
	}
	fputs("{\"seconds\":", f);
	jnum(f, v->s);
	fprintf(f, ",\"none\":%s,\"param\":", isinf(v->s) ? "true" : "false");
	js(f, v->param);
	fputs(",\"source\":", f);
	js(f, v->src);
	fputc('}', f);
}

static void label(char *b, size_t n, const struct audit_hop *h)
{
	fmt_buf(b, n, "%s%s%s", h->name, *h->version ? "@" : "", h->version);
}

static void jend(FILE *f, const char *key, const struct audit_end *e, const struct audit_hop *hops)
{
	char l[64];

	fprintf(f, ",\"%s\":", key);
	if (e->hop < 0) {
		fputs("null", f);
		return;
	}
	label(l, sizeof(l), &hops[e->hop]);
	fprintf(f, "{\"hop\":%d,\"name\":", e->hop + 1);
	js(f, l);
	fputs(",\"seconds\":", f);
	jnum(f, e->s);
	fputs(",\"param\":", f);
	js(f, e->param);
	fputs(",\"source\":", f);
	js(f, e->src);
	fputc('}', f);
}

void audit_print_json(FILE *f, const struct audit_hop *hops, unsigned n,
		      const struct audit_finding *fs, unsigned nf)
{
	for (unsigned i = 0; i < n; i++) {
		const struct audit_hop *h = &hops[i];

		fprintf(f, "{\"type\":\"hop\",\"index\":%u,\"name\":", i + 1);
		js(f, h->name);
		fputs(",\"version\":", f);
		if (*h->version)
			js(f, h->version);
		else
			fputs("null", f);
		fputs(",\"origin\":", f);
		js(f, h->origin);
		fprintf(f, ",\"kind\":\"%s\"", kind_name[h->kind]);
		jval(f, "client_idle", &h->down);
		jval(f, "upstream_idle", &h->up);
		jval(f, "box_idle", &h->box);
		jval(f, "keepalive_time", &h->ka);
		fprintf(f, ",\"reuses_upstream\":%s,\"keepalive_off\":%s,\"silent\":%s,\"info\":[",
			h->reuse ? "true" : "false", h->ka_off ? "true" : "false", h->silent ? "true" : "false");
		for (unsigned k = 0; k < h->n_info; k++) {
			fputs(k ? ",{\"seconds\":" : "{\"seconds\":", f);
			jnum(f, h->info[k].s);
			fputs(",\"param\":", f);
			js(f, h->info[k].param);
			fputs(",\"source\":", f);
			js(f, h->info[k].src);
			fputc('}', f);
		}
		fputs("],\"note\":", f);
		if (*h->note)
			js(f, h->note);
		else
			fputs("null", f);
		fputs("}\n", f);
	}
	for (unsigned i = 0; i < nf; i++) {
		fprintf(f, "{\"type\":\"finding\",\"id\":\"%s\"", audit_finding_name[fs[i].id]);
		jend(f, "downstream", &fs[i].down, hops);
		jend(f, "upstream", &fs[i].up, hops);
		fputs(",\"evidence\":", f);
		js(f, fs[i].evidence);
		fputs(",\"fix\":", f);
		js(f, fs[i].fix);
		fputs("}\n", f);
	}
	fprintf(f, "{\"type\":\"summary\",\"hops\":%u,\"findings\":%u}\n", n, nf);
}

static void tval(FILE *f, const char *what, const struct audit_val *v, bool reuse_side, bool reuse)
{
	char s[32];

	if (v->s < 0)
		return;
	if (reuse_side && !reuse)
		fmt_buf(s, sizeof(s), "not reused");
	else if (isinf(v->s))
		fmt_buf(s, sizeof(s), "none");
	else if (v->s == 0)
		fmt_buf(s, sizeof(s), "off");
	else
		fmt_buf(s, sizeof(s), "%g s", v->s);
	fprintf(f, "     %-16s %-11s %s%s%s\n", what, s, v->param, *v->param ? "  " : "", v->src);
}

void audit_print_text(FILE *f, const struct audit_hop *hops, unsigned n,
		      const struct audit_finding *fs, unsigned nf)
{
	fprintf(f, "path, client to server: %u hop%s\n", n, n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++) {
		const struct audit_hop *h = &hops[i];
		char l[64];

		label(l, sizeof(l), h);
		fprintf(f, "%2u  %-18s %-7s %s\n", i + 1, l, kind_name[h->kind], h->origin);
		tval(f, "client side", &h->down, false, true);
		tval(f, "upstream idle", &h->up, true, h->reuse);
		tval(f, h->silent ? "box idle (silent)" : "box idle", &h->box, false, true);
		tval(f, "tcp keepalive", &h->ka, false, true);
		for (unsigned k = 0; k < h->n_info; k++)
			tval(f, "also", &h->info[k], false, true);
		if (*h->note)
			fprintf(f, "     note             %s\n", h->note);
	}
	fputc('\n', f);
	for (unsigned i = 0; i < nf; i++) {
		char a[64] = "-", b[64] = "-";

		if (fs[i].down.hop >= 0)
			label(a, sizeof(a), &hops[fs[i].down.hop]);
		if (fs[i].up.hop >= 0)
			label(b, sizeof(b), &hops[fs[i].up.hop]);
		fprintf(f, "%-20s %s -> %s\n  why   %s\n  fix   %s\n", audit_finding_name[fs[i].id], a, b,
			fs[i].evidence, fs[i].fix);
	}
	if (!nf)
		fprintf(f, "sound: every hop closes idle connections before the hop after it does\n");
	else
		fprintf(f, "%u finding%s\n", nf, nf == 1 ? "" : "s");
}
