/* sockowner: socket -> owning process, through sock_diag or /proc/net/tcp*,
 * and /proc/PID/fd; with a bounded cache of recent owners. */
#include "sources/sockowner.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sources/fdwalk.h"
#include "sources/netns.h"
#include "util/nlreply.h"
#include "util/util.h"

#define WAYS 4
#define MAX_PENDING 4096

struct entry {
	struct sock_key key;
	struct sock_owner own;
	int64_t seen_ns;
	bool used;
};

struct sockowner {
	char root[256];
	bool netlink;
	int nl_fd;
	unsigned nbuckets;           /* entries = nbuckets * WAYS */
	struct entry *e;
	unsigned scans_per_s, scans_this_s;
	int64_t scan_window_ns;
	struct sockowner_stats st;
	uint64_t pending[MAX_PENDING];   /* inodes to resolve in a refresh */
	unsigned npending;
	struct netns_set *ns;            /* other namespaces to ask; may be NULL */
};

static uint32_t key_hash(const struct sock_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool key_eq(const struct sock_key *a, const struct sock_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Keys are compared bytewise: build them zeroed, field by field. */
static void key_make(struct sock_key *k, const struct ipaddr *l, uint16_t lp,
		     const struct ipaddr *r, uint16_t rp)
{
	memset(k, 0, sizeof(*k));
	k->laddr = *l, k->lport = lp, k->raddr = *r, k->rport = rp;
}

static struct entry *slot(struct sockowner *so, const struct sock_key *k, bool create, int64_t now)
{
	struct entry *b = so->e + (size_t)(key_hash(k) % so->nbuckets) * WAYS, *victim = b;

	for (int i = 0; i < WAYS; i++) {
		if (b[i].used && key_eq(&b[i].key, k))
			return &b[i];
		if (!b[i].used || (victim->used && b[i].seen_ns < victim->seen_ns))
			victim = &b[i];
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->key = *k;
	victim->own.pid = -1;
	victim->seen_ns = now;
	return victim;
}

struct sockowner *sockowner_new(const struct sockowner_opts *o)
{
	struct sockowner *so = calloc(1, sizeof(*so));
	unsigned cap = o->cap ? o->cap : 8192;

	if (!so)
		return NULL;
	fmt_buf(so->root, sizeof(so->root), "%s", o->proc_root ? o->proc_root : "/proc");
	so->netlink = o->netlink && !o->proc_root;
	so->nl_fd = -1;
	so->nbuckets = cap / WAYS ? cap / WAYS : 1;
	so->scans_per_s = o->scans_per_s ? o->scans_per_s : 20;
	so->e = calloc(so->nbuckets * WAYS, sizeof(*so->e));
	if (!so->e) {
		free(so);
		return NULL;
	}
	return so;
}

void sockowner_free(struct sockowner *so)
{
	if (!so)
		return;
	if (so->nl_fd >= 0)
		close(so->nl_fd);
	free(so->e);
	free(so);
}

void sockowner_stats(const struct sockowner *so, struct sockowner_stats *s)
{
	*s = so->st;
}

/* ---- the process side: inode -> pid ---- */

const char *sockowner_proc_root(const struct sockowner *so)
{
	return so->root;
}

bool sockowner_comm(const struct sockowner *so, int pid, char *comm, size_t size)
{
	char name[24], buf[17];

	fmt_buf(name, sizeof(name), "%d", pid);
	fdwalk_comm(so->root, name, buf, sizeof(buf));
	if (!buf[0])
		return false;
	fmt_buf(comm, size, "%s", buf);
	return true;
}

static bool want_inode(const uint64_t *set, unsigned n, uint64_t ino)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i] == ino)
			return true;
	return false;
}

static void give_owner(struct sockowner *so, uint64_t ino, int pid, const char *comm)
{
	for (size_t i = 0; i < (size_t)so->nbuckets * WAYS; i++) {
		struct entry *x = &so->e[i];

		if (x->used && x->own.inode == ino && x->own.pid < 0) {
			x->own.pid = pid;
			fmt_buf(x->own.comm, sizeof(x->own.comm), "%s", comm);
		}
	}
}

static bool so_want(void *ctx, uint64_t ino)
{
	struct sockowner *so = ctx;

	return want_inode(so->pending, so->npending, ino);
}

static void so_give(void *ctx, uint64_t ino, int pid, const char *comm)
{
	give_owner(ctx, ino, pid, comm);
}

static bool so_more(void *ctx)
{
	return ((struct sockowner *)ctx)->npending > 0;
}

/* Give owners to the inodes in so->pending. */
static void scan_proc(struct sockowner *so)
{
	struct fd_walk w = { so_want, so_give, so_more, so };

	if (!so->npending)
		return;
	so->st.proc_scans++;
	fdwalk_run(so->root, &w, 0);
	so->npending = 0;
}

/* ---- owners by inode, without the cache ---- */

struct inode_find {
	const uint64_t *inodes;
	unsigned n, *order, found;   /* order: indexes of inodes, sorted by inode */
	int *pids;
	char (*comms)[17];
};

/* qsort_r's comparator; ctx is the inodes the indexes point into */
static int by_inode(const void *a, const void *b, void *ctx)
{
	const uint64_t *inodes = ctx;
	uint64_t x = inodes[*(const unsigned *)a], y = inodes[*(const unsigned *)b];

	return x < y ? -1 : x > y;
}

/* the first position in order whose inode is >= ino */
static unsigned lower(const struct inode_find *f, uint64_t ino)
{
	unsigned lo = 0, hi = f->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (f->inodes[f->order[mid]] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool if_want(void *ctx, uint64_t ino)
{
	struct inode_find *f = ctx;
	unsigned i = lower(f, ino);

	return i < f->n && f->inodes[f->order[i]] == ino;
}

static void if_give(void *ctx, uint64_t ino, int pid, const char *comm)
{
	struct inode_find *f = ctx;

	for (unsigned i = lower(f, ino); i < f->n && f->inodes[f->order[i]] == ino; i++) {
		unsigned k = f->order[i];

		if (f->pids[k] < 0) {
			f->pids[k] = pid;
			fmt_buf(f->comms[k], sizeof(f->comms[k]), "%s", comm);
			f->found++;
		}
	}
}

static bool if_more(void *ctx)
{
	struct inode_find *f = ctx;

	return f->found < f->n;
}

int sockowner_find_inodes(const char *proc_root, const uint64_t *inodes, unsigned n,
			  int *pids, char (*comms)[17], unsigned max_procs)
{
	struct inode_find f = { inodes, n, NULL, 0, pids, comms };
	struct fd_walk w = { if_want, if_give, if_more, &f };

	for (unsigned i = 0; i < n; i++) {
		pids[i] = -1;
		comms[i][0] = '\0';
	}
	if (!n)
		return 0;
	f.order = malloc(n * sizeof(*f.order));
	if (!f.order)
		return 0;
	for (unsigned i = 0; i < n; i++)
		f.order[i] = i;
	qsort_r(f.order, n, sizeof(*f.order), by_inode, (void *)inodes);
	fdwalk_run(proc_root ? proc_root : "/proc", &w, max_procs);
	free(f.order);
	return (int)f.found;
}

static bool scan_allowed(struct sockowner *so, int64_t now)
{
	if (now - so->scan_window_ns >= 1000000000) {
		so->scan_window_ns = now;
		so->scans_this_s = 0;
	}
	if (so->scans_this_s >= so->scans_per_s)
		return false;
	so->scans_this_s++;
	return true;
}

/* A socket seen in the table: cache it, queue its inode if unowned. */
static void seen_socket(struct sockowner *so, const struct sock_key *k, uint32_t uid,
			uint64_t ino, uint64_t netns, int64_t now)
{
	struct entry *x = slot(so, k, true, now);

	x->seen_ns = now;
	x->own.uid = uid;
	if (netns)
		x->own.netns = netns;
	if (ino && x->own.inode != ino) {
		x->own.inode = ino;
		x->own.pid = -1;
		x->own.comm[0] = '\0';
	}
	if (ino && x->own.pid < 0 && so->npending < MAX_PENDING &&
	    !want_inode(so->pending, so->npending, ino))
		so->pending[so->npending++] = ino;
}

/* ---- the socket side: /proc/net/tcp* ---- */

static int hex_u32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n != 8)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16u;
		if (d > 15)
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* "0100007F:0016" (IPv4) or 32 hex digits ":" port (IPv6); the address words
 * are printed in host byte order of the network-order value. */
static int parse_hexaddr(const char *s, size_t n, struct ipaddr *a, uint16_t *port)
{
	const char *colon = memchr(s, ':', n);
	uint32_t w, p;
	size_t alen;

	if (!colon)
		return -1;
	alen = (size_t)(colon - s);
	memset(a, 0, sizeof(*a));
	if (alen == 8) {
		if (hex_u32(s, 8, &w))
			return -1;
		a->b[10] = a->b[11] = 0xff;
		memcpy(a->b + 12, &w, 4);
	} else if (alen == 32) {
		for (int i = 0; i < 4; i++) {
			if (hex_u32(s + 8 * i, 8, &w))
				return -1;
			memcpy(a->b + 4 * i, &w, 4);
		}
	} else {
		return -1;
	}
	if (n - alen - 1 != 4)
		return -1;
	char pbuf[9] = "0000";
	memcpy(pbuf + 4, colon + 1, 4);
	if (hex_u32(pbuf, 8, &p))
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int sockowner_parse_proc_line(const char *line, struct sock_key *k, uint32_t *uid,
			      uint64_t *inode, unsigned *state)
{
	/* fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
	const char *f[10];
	size_t fl[10], i = 0, nf = 0;
	struct ipaddr l, r;
	uint16_t lp, rp;
	char num[24];
	uint64_t v;
	uint32_t st;

	while (nf < 10) {
		while (line[i] == ' ')
			i++;
		if (!line[i] || line[i] == '\n')
			break;
		f[nf] = line + i;
		while (line[i] && line[i] != ' ' && line[i] != '\n')
			i++;
		fl[nf] = (size_t)(line + i - f[nf]);
		nf++;
	}
	if (nf < 10 || f[0][fl[0] - 1] != ':')
		return -1;
	if (parse_hexaddr(f[1], fl[1], &l, &lp) || parse_hexaddr(f[2], fl[2], &r, &rp))
		return -1;
	char sbuf[9] = "000000";
	if (fl[3] != 2)
		return -1;
	memcpy(sbuf + 6, f[3], 2);
	if (hex_u32(sbuf, 8, &st))
		return -1;
	if (fl[7] >= sizeof(num) || fl[9] >= sizeof(num))
		return -1;
	memcpy(num, f[7], fl[7]);
	num[fl[7]] = '\0';
	if (parse_u64_range(num, 0, UINT32_MAX, &v))
		return -1;
	*uid = (uint32_t)v;
	memcpy(num, f[9], fl[9]);
	num[fl[9]] = '\0';
	if (parse_u64_range(num, 0, UINT64_MAX, inode))
		return -1;
	*state = st;
	key_make(k, &l, lp, &r, rp);
	return 0;
}

static int refresh_procfs(struct sockowner *so, int64_t now)
{
	static const char *const files[] = { "net/tcp", "net/tcp6" };
	int seen = -1;

	for (size_t i = 0; i < 2; i++) {
		char path[512], line[512];
		FILE *f;

		fmt_buf(path, sizeof(path), "%s/%s", so->root, files[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (seen < 0)
			seen = 0;
		while (fgets(line, sizeof(line), f)) {
			struct sock_key k;
			uint32_t uid;
			uint64_t ino;
			unsigned st;

			if (sockowner_parse_proc_line(line, &k, &uid, &ino, &st))
				continue;
			seen_socket(so, &k, uid, ino, 0, now);
			seen++;
		}
		fclose(f);
	}
	return seen;
}

/* ---- the socket side: sock_diag ---- */

static void diag_key(const struct inet_diag_msg *m, struct sock_key *k)
{
	struct ipaddr l, r;

	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (m->idiag_family == AF_INET) {
		l.b[10] = l.b[11] = r.b[10] = r.b[11] = 0xff;
		memcpy(l.b + 12, m->id.idiag_src, 4);
		memcpy(r.b + 12, m->id.idiag_dst, 4);
	} else {
		memcpy(l.b, m->id.idiag_src, 16);
		memcpy(r.b, m->id.idiag_dst, 16);
	}
	key_make(k, &l, ntohs(m->id.idiag_sport), &r, ntohs(m->id.idiag_dport));
}

static int nl_open(struct sockowner *so)
{
	if (so->nl_fd >= 0)
		return 0;
	so->nl_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (so->nl_fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	setsockopt(so->nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

struct diag_reply {
	struct sockowner *so;
	uint64_t netns;
	int64_t now;
	bool one;        /* a request of one socket */
	int seen;
};

static int on_diag(const struct nlmsghdr *h, void *ctx)
{
	struct diag_reply *r = ctx;
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct sock_key k;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return 0;
	diag_key(m, &k);
	seen_socket(r->so, &k, m->idiag_uid, m->idiag_inode, r->netns, r->now);
	r->seen++;
	return r->one;
}

/* Send one INET_DIAG request on fd (a socket of namespace netns); feed
 * every reply to seen_socket(). With id NULL, a dump of all TCP sockets of
 * family fam. Returns sockets or -1. */
static int nl_query_on(struct sockowner *so, int fd, uint64_t netns, int fam,
		       const struct inet_diag_sockid *id, int64_t now)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | (id ? 0 : NLM_F_DUMP);
	req.nlh.nlmsg_seq = (uint32_t)now;
	req.r.sdiag_family = (uint8_t)fam;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0u;
	if (id)
		req.r.id = *id;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct diag_reply r = { so, netns, now, id != NULL, 0 };
	int rc;

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	rc = nlreply_read(fd, req.nlh.nlmsg_seq, on_diag, &r);
	if (rc == -2)   /* ENOENT for a gone socket */
		return id ? r.seen : -1;
	return rc ? -1 : r.seen;
}

/* The same on this namespace's socket. */
static int nl_query(struct sockowner *so, int fam, const struct inet_diag_sockid *id, int64_t now)
{
	if (nl_open(so))
		return -1;
	return nl_query_on(so, so->nl_fd, netns_self(so->ns), fam, id, now);
}

/* Namespace i of so->ns (not this one): a socket inside it, or -1. */
static int ns_diag_fd(struct sockowner *so, unsigned i)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	int fd = netns_socket(so->ns, i, NETLINK_SOCK_DIAG);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Dump the other namespaces' tables. Sockets seen, or 0. */
static int refresh_other_ns(struct sockowner *so, int64_t now)
{
	int seen = 0;

	for (unsigned i = 0; i < netns_count(so->ns); i++) {
		uint64_t ino = netns_ino(so->ns, i);
		int fd, a, b;

		if (ino == netns_self(so->ns) || (fd = ns_diag_fd(so, i)) < 0)
			continue;
		a = nl_query_on(so, fd, ino, AF_INET, NULL, now);
		b = nl_query_on(so, fd, ino, AF_INET6, NULL, now);
		if (a < 0 || b < 0)
			so->st.netlink_errors++;
		seen += (a > 0 ? a : 0) + (b > 0 ? b : 0);
		close(fd);
	}
	return seen;
}

void sockowner_set_netns(struct sockowner *so, struct netns_set *ns)
{
	so->ns = so->netlink ? ns : NULL;
}

int sockowner_refresh(struct sockowner *so, int64_t now_ns)
{
	int seen = -1;

	so->st.refreshes++;
	if (so->netlink) {
		int a = nl_query(so, AF_INET, NULL, now_ns), b = nl_query(so, AF_INET6, NULL, now_ns);

		if (a < 0 || b < 0) {
			so->st.netlink_errors++;
			if (so->nl_fd >= 0)
				close(so->nl_fd);
			so->nl_fd = -1;
		}
		seen = a < 0 && b < 0 ? -1 : (a > 0 ? a : 0) + (b > 0 ? b : 0);
		if (so->ns)
			seen = (seen > 0 ? seen : 0) + refresh_other_ns(so, now_ns);
	}
	if (seen < 0)
		seen = refresh_procfs(so, now_ns);
	if (so->npending && scan_allowed(so, now_ns))
		scan_proc(so);
	so->npending = 0;
	return seen;
}

void sockowner_note(struct sockowner *so, const struct sock_key *k, int pid,
		    const char *comm, int64_t now_ns)
{
	struct entry *x = slot(so, k, true, now_ns);

	x->seen_ns = now_ns;
	x->own.pid = pid;
	fmt_buf(x->own.comm, sizeof(x->own.comm), "%s", comm);
}

static bool take(struct entry *x, struct sock_owner *out)
{
	if (!x || x->own.pid < 0)
		return false;
	*out = x->own;
	return true;
}

bool sockowner_lookup(struct sockowner *so, const struct sock_key *k, int64_t now_ns,
		      struct sock_owner *out)
{
	struct sock_key kk;
	struct entry *x;

	so->st.lookups++;
	key_make(&kk, &k->laddr, k->lport, &k->raddr, k->rport);
	x = slot(so, &kk, false, now_ns);
	if (take(x, out)) {
		so->st.hits++;
		return true;
	}
	if (so->netlink) {      /* the socket may still exist: ask for it alone */
		struct inet_diag_sockid id;
		bool v4 = ipaddr_is_v4(&kk.laddr);

		memset(&id, 0, sizeof(id));
		id.idiag_sport = htons(kk.lport);
		id.idiag_dport = htons(kk.rport);
		memcpy(id.idiag_src, v4 ? kk.laddr.b + 12 : kk.laddr.b, v4 ? 4 : 16);
		memcpy(id.idiag_dst, v4 ? kk.raddr.b + 12 : kk.raddr.b, v4 ? 4 : 16);
		id.idiag_cookie[0] = id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
		/* in the namespace that holds the local address, if not this one */
		uint64_t ino = so->ns ? netns_of_addr(so->ns, &kk.laddr) : 0;
		int rc = 0, fd = -1;

		for (unsigned i = 0; ino && ino != netns_self(so->ns) && i < netns_count(so->ns); i++)
			if (netns_ino(so->ns, i) == ino && (fd = ns_diag_fd(so, i)) >= 0) {
				rc = nl_query_on(so, fd, ino, v4 ? AF_INET : AF_INET6, &id, now_ns);
				close(fd);
			}
		if (fd < 0)
			rc = nl_query(so, v4 ? AF_INET : AF_INET6, &id, now_ns);
		if (rc < 0)
			so->st.netlink_errors++;
	} else if (!x && scan_allowed(so, now_ns)) {
		refresh_procfs(so, now_ns);
	}
	x = slot(so, &kk, false, now_ns);
	if (x && x->own.pid < 0 && x->own.inode && scan_allowed(so, now_ns)) {
		so->pending[0] = x->own.inode;
		so->npending = 1;
		scan_proc(so);
	}
	so->npending = 0;
	if (take(slot(so, &kk, false, now_ns), out)) {
		so->st.hits++;
		return true;
	}
	so->st.misses++;
	out->pid = -1;
	out->comm[0] = '\0';
	return false;
}
