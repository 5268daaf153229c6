/* haproxy: the idle timeouts of an HAProxy configuration. A frontend (or
 * listen) keeps an idle client connection for timeout http-keep-alive,
 * which falls back to timeout http-request, then to timeout client; a
 * backend keeps its idle server connections (unless option
 * http-server-close or httpclose) for at most timeout server. Sections
 * start from the last defaults section (or the one named by "from").
 * Values without a unit are milliseconds. In mode tcp the proxy is a box
 * that closes a flow idle for timeout client or timeout server.
 * https://docs.haproxy.org/2.8/configuration.html#4.2-timeout%20http-keep-alive */
#include "audit/audit.h"

#include <string.h>

#include "util/cursor.h"
#include "util/util.h"

#define HAP_MAX_DEFAULTS 8

enum { T_CLIENT, T_KEEPALIVE, T_REQUEST, T_SERVER, T__N };
static const char *const tname[T__N] = { "client", "http-keep-alive", "http-request", "server" };

struct sect {
	char name[48];
	struct audit_val t[T__N];
	bool tcp, server_close, reuse_never;
};

enum stype { S_NONE, S_DEFAULTS, S_FRONTEND, S_BACKEND, S_LISTEN, S_OTHER };

struct hap {
	struct sect defs[HAP_MAX_DEFAULTS];
	unsigned ndefs;
	struct sect last_def, cur;
	enum stype type;
	struct audit_val down, up, tcp_box;
	bool any_front, any_back, any_front_ka, any_back_reuse, any_tcp;
};

static void sect_start(struct hap *x, enum stype type, struct cur name, struct cur from)
{
	const struct sect *base = &x->last_def;

	if (from.p && !cur_eof(&from))
		for (unsigned i = 0; i < x->ndefs; i++)
			if (cur_eq(from, x->defs[i].name))
				base = &x->defs[i];
	x->cur = *base;
	x->cur.name[0] = '\0';
	if (name.p)   /* an unnamed section has no cursor at all */
		cur_copy(name, x->cur.name, sizeof(x->cur.name));
	x->type = type;
}

static void keep_min(struct audit_val *acc, const struct audit_val *v)
{
	if (acc->s < 0 || v->s < acc->s)
		*acc = *v;
}

static void keep_max(struct audit_val *acc, const struct audit_val *v)
{
	if (acc->s < 0 || v->s > acc->s)
		*acc = *v;
}

static void none(struct audit_val *v, const char *what, const char *sect)
{
	char src[224];

	fmt_buf(src, sizeof(src), "HAProxy has no default for timeout %s (section %s)", what, sect);
	audit_val_set(v, AUDIT_NONE, NULL, src);
}

/* Fold the section just ended into the hop. */
static void sect_end(struct hap *x)
{
	struct sect *s = &x->cur;

	if (x->type == S_DEFAULTS) {
		x->last_def = *s;
		if (s->name[0] && x->ndefs < HAP_MAX_DEFAULTS)
			x->defs[x->ndefs++] = *s;
	}
	if (x->type != S_FRONTEND && x->type != S_BACKEND && x->type != S_LISTEN)
		goto out;
	if (s->t[T_CLIENT].s < 0)
		none(&s->t[T_CLIENT], "client", s->name);
	if (s->t[T_SERVER].s < 0)
		none(&s->t[T_SERVER], "server", s->name);
	if (s->tcp) {
		struct audit_val v = s->t[T_CLIENT];

		if (x->type != S_FRONTEND && s->t[T_SERVER].s < v.s)
			v = s->t[T_SERVER];
		x->any_tcp = true;
		keep_min(&x->tcp_box, &v);
		goto out;
	}
	if (x->type == S_FRONTEND || x->type == S_LISTEN) {
		struct audit_val v;

		x->any_front = true;
		if (s->t[T_KEEPALIVE].s >= 0) {
			v = s->t[T_KEEPALIVE];
		} else if (s->t[T_REQUEST].s >= 0) {
			v = s->t[T_REQUEST];
			fmt_buf(v.param, sizeof(v.param), "timeout http-request (no http-keep-alive)");
		} else {
			v = s->t[T_CLIENT];
			fmt_buf(v.param, sizeof(v.param), "timeout client (no http-keep-alive, http-request)");
		}
		/* http-server-close keeps the client side alive */
		x->any_front_ka = true;
		keep_min(&x->down, &v);
	}
	if (x->type == S_BACKEND || x->type == S_LISTEN) {
		x->any_back = true;
		if (!s->server_close) {
			x->any_back_reuse = true;
			keep_max(&x->up, &s->t[T_SERVER]);
		}
	}
out:
	x->type = S_NONE;
}

static int bad(struct audit_err *e, const char *name, unsigned line, const char *msg, struct cur t)
{
	fmt_buf(e->file, sizeof(e->file), "%s", name);
	e->line = line;
	fmt_buf(e->msg, sizeof(e->msg), "%s '%.*s'", msg, (int)(cur_left(&t) > 60 ? 60 : cur_left(&t)), t.p);
	return -1;
}

static int line_kw(struct hap *x, struct cur l, const char *name, unsigned line, struct audit_err *e)
{
	struct cur w[4] = { { 0 } };
	unsigned nw = 0;
	struct cur k = l;

	while (nw < 4 && cur_token(&k, &w[nw]))
		nw++;
	if (!nw || *w[0].p == '#')
		return 0;
	if (cur_eq(w[0], "timeout")) {
		char src[224], param[64];
		double v;

		if (nw < 3 || *w[2].p == '#')
			return bad(e, name, line, "timeout without a value:", l);
		for (int i = 0; i < T__N; i++) {
			if (!cur_eq(w[1], tname[i]))
				continue;
			if (audit_duration(w[2].p, cur_left(&w[2]), AUDIT_DUR_HAPROXY, &v))
				return bad(e, name, line, "invalid time", w[2]);
			fmt_buf(src, sizeof(src), "%s:%u", name, line);
			fmt_buf(param, sizeof(param), "timeout %s", tname[i]);
			audit_val_set(&x->cur.t[i], v == 0 ? AUDIT_NONE : v, param, src);
		}
		return 0;
	}
	if (cur_eq(w[0], "mode") && nw >= 2)
		x->cur.tcp = cur_eq(w[1], "tcp");
	else if (cur_eq(w[0], "option") && nw >= 2 &&
		 (cur_eq(w[1], "http-server-close") || cur_eq(w[1], "httpclose") ||
		  cur_eq(w[1], "forceclose")))
		x->cur.server_close = true;
	else if (cur_eq(w[0], "no") && nw >= 3 && cur_eq(w[1], "option") &&
		 (cur_eq(w[2], "http-server-close") || cur_eq(w[2], "httpclose")))
		x->cur.server_close = false;
	else if (cur_eq(w[0], "http-reuse") && nw >= 2)
		x->cur.reuse_never = cur_eq(w[1], "never");
	return 0;
}

int audit_parse_haproxy(const char *buf, size_t n, const char *name, struct audit_hop *h,
			struct audit_err *e)
{
	static const struct { const char *kw; enum stype t; } sects[] = {
		{ "defaults", S_DEFAULTS }, { "frontend", S_FRONTEND }, { "backend", S_BACKEND },
		{ "listen", S_LISTEN }, { "global", S_OTHER }, { "peers", S_OTHER },
		{ "resolvers", S_OTHER }, { "userlist", S_OTHER }, { "cache", S_OTHER },
		{ "program", S_OTHER }, { "http-errors", S_OTHER }, { "ring", S_OTHER },
		{ "mailers", S_OTHER }, { "crt-store", S_OTHER }, { "traces", S_OTHER },
	};
	struct hap x;
	struct cur c = cur_make(buf, n), l;
	unsigned line = 0;

	memset(&x, 0, sizeof(x));
	for (int i = 0; i < T__N; i++)
		x.last_def.t[i].s = -1;
	x.down.s = x.up.s = x.tcp_box.s = -1;
	while (cur_line(&c, &l)) {
		struct cur t = l, w, nm = { 0 }, from = { 0 }, kw;
		enum stype st = S_NONE;

		line++;
		if (!cur_token(&t, &w))
			continue;
		for (unsigned i = 0; i < sizeof(sects) / sizeof(sects[0]); i++)
			if (cur_eq(w, sects[i].kw))
				st = sects[i].t;
		if (st != S_NONE) {
			sect_end(&x);
			if (cur_token(&t, &nm) && *nm.p == '#')
				nm = (struct cur){ 0 };
			if (cur_token(&t, &kw) && cur_eq(kw, "from"))
				cur_token(&t, &from);
			sect_start(&x, st, nm, from);
			continue;
		}
		if (line_kw(&x, l, name, line, e))
			return -1;
	}
	sect_end(&x);
	if (x.any_tcp && !x.any_front && !x.any_back) {
		audit_hop_init(h, "haproxy", AUDIT_BOX, name);
		h->box = x.tcp_box;
		fmt_buf(h->note, sizeof(h->note), "mode tcp: one flow per client connection");
		return 0;
	}
	if (!x.any_front && !x.any_back) {
		fmt_buf(e->file, sizeof(e->file), "%s", name);
		e->line = 0;
		fmt_buf(e->msg, sizeof(e->msg), "no frontend, backend or listen section");
		return -1;
	}
	audit_hop_init(h, "haproxy", AUDIT_PROXY, name);
	if (x.any_front_ka)
		h->down = x.down;
	if (x.any_back_reuse) {
		h->up = x.up;
		h->reuse = true;
	} else if (x.any_back) {
		audit_val_set(&h->up, 0, "option http-server-close", name);
		fmt_buf(h->note, sizeof(h->note), "option http-server-close: no idle server connection is kept");
	}
	return 0;
}
