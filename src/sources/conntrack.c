/* conntrack: /proc/net/stat/nf_conntrack and ctnetlink statistics. */
#include "sources/conntrack.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "util/bytes.h"
#include "util/cursor.h"
#include "util/util.h"

#define MAX_FIELDS 32

static void add(struct ctrset *out, const char *name, uint64_t v)
{
	uint64_t old = 0;

	ctrset_get(out, name, &old);
	ctrset_set(out, name, old + v);
}

int conntrack_parse_stat(const char *buf, size_t len, struct ctrset *out)
{
	struct cur c = cur_make(buf, len), line, tok;
	struct cur names[MAX_FIELDS];
	uint64_t sum[MAX_FIELDS], entries = 0;
	unsigned nf = 0, cpus = 0;

	if (!cur_line(&c, &line))
		return -1;
	while (cur_token(&line, &tok)) {
		if (nf == MAX_FIELDS)
			return -1;
		names[nf++] = tok;
	}
	if (!nf)
		return -1;
	memset(sum, 0, sizeof(sum));
	while (cur_line(&c, &line)) {
		unsigned i = 0;
		uint64_t v;

		while (cur_token(&line, &tok)) {
			if (i == nf || cur_hex(&tok, &v) || !cur_eof(&tok))
				return -1;
			if (cur_eq(names[i], "entries"))
				entries = v;           /* global, printed on every line */
			else if (sum[i] <= UINT64_MAX - v)
				sum[i] += v;
			i++;
		}
		if (!i)
			continue;
		if (i != nf)
			return -1;
		cpus++;
	}
	if (!cpus)
		return -1;
	for (unsigned i = 0; i < nf; i++) {
		char name[CTR_NAME_MAX];
		char field[32];

		cur_copy(names[i], field, sizeof(field));
		if (!strcmp(field, "entries"))
			fmt_buf(name, sizeof(name), "conntrack.entries");
		else
			fmt_buf(name, sizeof(name), "conntrack.stat_%s", field);
		ctrset_set(out, name, !strcmp(field, "entries") ? entries : sum[i]);
	}
	return (int)nf;
}

static const char *const cpu_attr[CTA_STATS_MAX + 1] = {
	[CTA_STATS_SEARCHED] = "conntrack.stat_searched",
	[CTA_STATS_FOUND] = "conntrack.stat_found",
	[CTA_STATS_NEW] = "conntrack.stat_new",
	[CTA_STATS_INVALID] = "conntrack.stat_invalid",
	[CTA_STATS_IGNORE] = "conntrack.stat_ignore",
	[CTA_STATS_DELETE] = "conntrack.stat_delete",
	[CTA_STATS_DELETE_LIST] = "conntrack.stat_delete_list",
	[CTA_STATS_INSERT] = "conntrack.stat_insert",
	[CTA_STATS_INSERT_FAILED] = "conntrack.stat_insert_failed",
	[CTA_STATS_DROP] = "conntrack.stat_drop",
	[CTA_STATS_EARLY_DROP] = "conntrack.stat_early_drop",
	[CTA_STATS_ERROR] = "conntrack.stat_icmp_error",
	[CTA_STATS_SEARCH_RESTART] = "conntrack.stat_search_restart",
	[CTA_STATS_CLASH_RESOLVE] = "conntrack.stat_clashres",
	[CTA_STATS_CHAIN_TOOLONG] = "conntrack.stat_chainlength",
};

/* The attributes of one message (after nlmsghdr + nfgenmsg). */
static int parse_attrs(const uint8_t *p, size_t len, bool global, struct ctrset *out)
{
	size_t off = 0;

	while (off + 4 <= len) {
		uint16_t alen = bytes_ne16(p + off), type = bytes_ne16(p + off + 2) & 0x3fff;

		if (alen < 4 || alen > len - off)
			return -1;
		if (alen == 8) {
			uint32_t v = bytes_be32(p + off + 4);

			if (global && type == CTA_STATS_GLOBAL_ENTRIES)
				ctrset_set(out, "conntrack.entries", v);
			else if (global && type == CTA_STATS_GLOBAL_MAX_ENTRIES)
				ctrset_set(out, "conntrack.entries_limit", v);
			else if (!global && type <= CTA_STATS_MAX && cpu_attr[type])
				add(out, cpu_attr[type], v);
		}
		off += (size_t)(alen + 3u) & ~3u;
	}
	return 0;
}

int conntrack_parse_nl(const uint8_t *buf, size_t len, struct ctrset *out, int *nl_errno)
{
	size_t off = 0;
	int msgs = 0;

	*nl_errno = 0;
	while (off + 16 <= len) {
		uint32_t mlen = bytes_ne32(buf + off);
		uint16_t type = bytes_ne16(buf + off + 4);

		if (mlen < 16 || mlen > len - off)
			return -1;
		if (type == NLMSG_ERROR) {
			if (mlen >= 20) {
				int32_t e;
				memcpy(&e, buf + off + 16, 4);
				if (e) {
					/* a negative errno (netlink(7)); INT32_MIN
					 * has no positive and is none */
					*nl_errno = e == INT32_MIN ? EPROTO : e < 0 ? -e : e;
					return -2;
				}
			}
		} else if (type == NLMSG_DONE) {
			break;
		} else if (type >> 8 == NFNL_SUBSYS_CTNETLINK) {
			unsigned m = type & 0xff;

			if ((m == IPCTNL_MSG_CT_GET_STATS_CPU || m == IPCTNL_MSG_CT_GET_STATS) &&
			    mlen >= 16 + sizeof(struct nfgenmsg)) {
				size_t h = 16 + sizeof(struct nfgenmsg);

				if (parse_attrs(buf + off + h, mlen - h, m == IPCTNL_MSG_CT_GET_STATS, out))
					return -1;
				msgs++;
			}
		}
		off += (size_t)(mlen + 3u) & ~3u;
	}
	return msgs;
}

/* One request; every reply datagram goes to the parser and the save area. */
static int ask(struct mnl_socket *nl, unsigned msg, bool dump, struct ctrset *tmp,
	       uint8_t *save, size_t save_size, size_t *saved)
{
	char req[256] __attribute__((aligned(8)));
	static uint8_t buf[65536];
	struct nlmsghdr *h = mnl_nlmsg_put_header(req);
	struct nfgenmsg *g;
	uint32_t seq = (uint32_t)time(NULL);

	h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	h->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	h->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -errno;
	for (int rounds = 0; rounds < 1024; rounds++) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int e, r;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (save && *saved + (size_t)n <= save_size) {
			memcpy(save + *saved, buf, (size_t)n);
			*saved += (size_t)n;
		}
		r = conntrack_parse_nl(buf, (size_t)n, tmp, &e);
		if (r == -2)
			return e == 0 ? 0 : -e;
		if (r < 0)
			return -EPROTO;
		/* a dump ends with NLMSG_DONE; a single GET with its reply (+ ACK) */
		for (size_t off = 0; off + 16 <= (size_t)n;) {
			uint32_t ml = bytes_ne32(buf + off);
			uint16_t t = bytes_ne16(buf + off + 4);

			if (t == NLMSG_DONE || (!dump && t == NLMSG_ERROR))
				return 0;
			if (ml < 16)
				break;
			off += (size_t)(ml + 3u) & ~3u;
		}
	}
	return -ETIMEDOUT;
}

int conntrack_query_nl(struct ctrset *out, uint8_t *save, size_t save_size, size_t *saved)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	int err;

	if (saved)
		*saved = 0;
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* the per-CPU sums are added to: start them from zero */
	for (unsigned i = 0; i <= CTA_STATS_MAX; i++)
		if (cpu_attr[i])
			ctrset_set(out, cpu_attr[i], 0);
	err = ask(nl, IPCTNL_MSG_CT_GET_STATS_CPU, true, out, save, save_size, saved);
	if (!err)
		err = ask(nl, IPCTNL_MSG_CT_GET_STATS, false, out, save, save_size, saved);
out:
	mnl_socket_close(nl);
	return err;
}
