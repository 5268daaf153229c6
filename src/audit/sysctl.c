/* sysctl: a host's TCP keepalive and conntrack timeouts from sysctl.conf
 * or `sysctl -a` output ("key = value", dots or slashes). A host with
 * nf_conntrack settings is also a box: conntrack forgets an established
 * flow idle for nf_conntrack_tcp_timeout_established, silently.
 * https://docs.kernel.org/networking/nf_conntrack-sysctl.html */
#include "audit/audit.h"

#include <string.h>

#include "util/cursor.h"
#include "util/util.h"

enum { K_TIME, K_INTVL, K_PROBES, K_EST, K_CLOSE_WAIT, K__N };
static const char *const keys[K__N] = {
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
	"net.netfilter.nf_conntrack_tcp_timeout_established",
	"net.netfilter.nf_conntrack_tcp_timeout_close_wait",
};

int audit_parse_sysctl(const char *buf, size_t n, const char *name, struct audit_hop *h,
		       struct audit_err *e)
{
	struct cur c = cur_make(buf, n), l;
	struct audit_val v[K__N];
	unsigned line = 0;

	for (int i = 0; i < K__N; i++)
		v[i].s = -1;
	while (cur_line(&c, &l)) {
		struct cur t = l, key, val;
		char k[96];
		uint64_t x;

		line++;
		cur_skip_blank(&t);
		if (cur_eof(&t) || *t.p == '#' || *t.p == ';')
			continue;
		if (*t.p == '-')   /* "-key = value": ignore errors on this one */
			t.p++;
		key = cur_until(&t, "= \t");
		cur_skip_blank(&t);
		if (!cur_char(&t, '='))
			continue;
		cur_skip_blank(&t);
		val = t;
		while (val.end > val.p && (val.end[-1] == ' ' || val.end[-1] == '\t' || val.end[-1] == '\r'))
			val.end--;
		cur_copy(key, k, sizeof(k));
		for (char *p = k; *p; p++)
			if (*p == '/')
				*p = '.';
		for (int i = 0; i < K__N; i++) {
			char src[224];

			if (strcmp(k, keys[i]))
				continue;
			if (cur_whole_u64(val, 0, 100000000, &x)) {
				fmt_buf(e->file, sizeof(e->file), "%s", name);
				e->line = line;
				fmt_buf(e->msg, sizeof(e->msg), "%s: not a number of seconds: '%.*s'", keys[i],
					(int)(cur_left(&val) > 40 ? 40 : cur_left(&val)), val.p);
				return -1;
			}
			fmt_buf(src, sizeof(src), "%s:%u", name, line);
			audit_val_set(&v[i], (double)x, keys[i], src);
		}
	}
	audit_hop_init(h, "sysctl", AUDIT_HOST, name);
	if (v[K_TIME].s < 0) {
		char src[224];

		fmt_buf(src, sizeof(src), "the default of linux (https://docs.kernel.org/networking/ip-sysctl.html)");
		audit_val_set(&v[K_TIME], 7200, keys[K_TIME], src);
	}
	h->ka = v[K_TIME];
	if (v[K_INTVL].s >= 0)
		h->info[h->n_info++] = v[K_INTVL];
	if (v[K_PROBES].s >= 0) {
		h->info[h->n_info] = v[K_PROBES];
		fmt_buf(h->info[h->n_info++].param, sizeof(h->info[0].param), "%s (a count)", keys[K_PROBES]);
	}
	if (v[K_CLOSE_WAIT].s >= 0)
		h->info[h->n_info++] = v[K_CLOSE_WAIT];
	if (v[K_EST].s >= 0) {
		h->box = v[K_EST];
		h->silent = true;
		fmt_buf(h->silent_fix, sizeof(h->silent_fix),
			"REJECT --reject-with tcp-reset the ctstate INVALID packets, or raise "
			"nf_conntrack_tcp_timeout_established");
		if (h->box.s == 0)
			h->box.s = AUDIT_NONE;
	}
	return 0;
}
