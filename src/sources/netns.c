/* netns: every network namespace of the host, its addresses, and netlink
 * sockets made inside it. */
#include "sources/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/nlreply.h"
#include "util/util.h"

#define PATH_MAX_NS 300

struct ns {
	uint64_t ino;
	char path[PATH_MAX_NS];   /* a file that names it: PID/ns/net or /run/netns/NAME */
};

struct addr {
	struct ipaddr a;
	uint64_t ino;
};

struct netns_set {
	char root[256];
	uint64_t self;
	struct ns ns[NETNS_MAX];
	unsigned n;
	struct addr addr[NETNS_ADDRS];
	unsigned naddr;
	struct netns_stats st;
};

struct netns_set *netns_new(const char *proc_root)
{
	struct netns_set *s = calloc(1, sizeof(*s));
	char path[300];
	struct stat sb;

	if (!s)
		return NULL;
	fmt_buf(s->root, sizeof(s->root), "%s", proc_root ? proc_root : "/proc");
	fmt_buf(path, sizeof(path), "%s/self/ns/net", s->root);
	if (!stat(path, &sb))
		s->self = (uint64_t)sb.st_ino;
	return s;
}

void netns_free(struct netns_set *s)
{
	free(s);
}

uint64_t netns_self(const struct netns_set *s)
{
	return s ? s->self : 0;
}

unsigned netns_count(const struct netns_set *s)
{
	return s ? s->n : 0;
}

uint64_t netns_ino(const struct netns_set *s, unsigned i)
{
	return s && i < s->n ? s->ns[i].ino : 0;
}

void netns_stats(const struct netns_set *s, struct netns_stats *out)
{
	*out = s->st;
	out->namespaces = s->n;
	out->addresses = s->naddr;
}

static bool known(const struct netns_set *s, uint64_t ino)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->ns[i].ino == ino)
			return true;
	return false;
}

static void add_ns(struct netns_set *s, const char *path)
{
	struct stat sb;

	if (s->n >= NETNS_MAX || stat(path, &sb) || known(s, (uint64_t)sb.st_ino))
		return;
	s->ns[s->n].ino = (uint64_t)sb.st_ino;
	fmt_buf(s->ns[s->n].path, sizeof(s->ns[0].path), "%s", path);
	s->n++;
}

/* Every namespace a process is in, then the named ones no process is in. */
static void find_all(struct netns_set *s)
{
	char path[PATH_MAX_NS];
	struct dirent *d;
	DIR *dir;

	s->n = 0;
	if (s->self) {   /* this one first: entered by not entering */
		s->ns[0].ino = s->self;
		fmt_buf(s->ns[0].path, sizeof(s->ns[0].path), "%s/self/ns/net", s->root);
		s->n = 1;
	}
	if ((dir = opendir(s->root))) {
		while ((d = readdir(dir)) && s->n < NETNS_MAX) {
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			fmt_buf(path, sizeof(path), "%s/%s/ns/net", s->root, d->d_name);
			add_ns(s, path);
		}
		closedir(dir);
	}
	if ((dir = opendir("/run/netns"))) {
		while ((d = readdir(dir)) && s->n < NETNS_MAX) {
			if (d->d_name[0] == '.')
				continue;
			fmt_buf(path, sizeof(path), "/run/netns/%s", d->d_name);
			add_ns(s, path);
		}
		closedir(dir);
	}
}

int netns_socket(struct netns_set *s, unsigned i, int proto)
{
	int fd, nsfd, self, e;
	struct stat sb;

	if (!s || i >= s->n) {
		errno = EINVAL;
		return -1;
	}
	if (s->ns[i].ino == s->self)
		return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	nsfd = open(s->ns[i].path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -1;
	/* the path may name another namespace by now (a reused pid) */
	if (fstat(nsfd, &sb) || (uint64_t)sb.st_ino != s->ns[i].ino) {
		close(nsfd);
		errno = ENOENT;
		return -1;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		close(nsfd);
		return -1;
	}
	if (setns(nsfd, CLONE_NEWNET)) {
		e = errno;
		s->st.enter_failures++;
		close(nsfd);
		close(self);
		errno = e;
		return -1;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	e = errno;
	if (setns(self, CLONE_NEWNET)) {   /* cannot happen: it was ours a moment ago */
		warnx_("cannot return to this process's network namespace: %s", strerror(errno));
		exit(4);
	}
	close(nsfd);
	close(self);
	errno = e;
	return fd;
}

static void add_addr(struct netns_set *s, const struct ipaddr *a, uint64_t ino)
{
	if (s->naddr < NETNS_ADDRS) {
		s->addr[s->naddr].a = *a;
		s->addr[s->naddr].ino = ino;
		s->naddr++;
	}
}

/* One RTM_NEWADDR message's address. */
static bool msg_addr(const struct nlmsghdr *h, struct ipaddr *out)
{
	const struct ifaddrmsg *m = NLMSG_DATA(h);
	const struct rtattr *rta;
	const struct rtattr *local = NULL, *addr = NULL;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return false;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (rta = IFA_RTA(m); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL)
			local = rta;
		else if (rta->rta_type == IFA_ADDRESS)
			addr = rta;
	}
	if (local)     /* a point-to-point link's own end */
		addr = local;
	if (!addr)
		return false;
	memset(out, 0, sizeof(*out));
	if (m->ifa_family == AF_INET && RTA_PAYLOAD(addr) == 4) {
		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, RTA_DATA(addr), 4);
		return true;
	}
	if (m->ifa_family == AF_INET6 && RTA_PAYLOAD(addr) == 16) {
		memcpy(out->b, RTA_DATA(addr), 16);
		return true;
	}
	return false;
}

struct addr_reply {
	struct netns_set *s;
	uint64_t ino;
};

static int on_addr(const struct nlmsghdr *h, void *ctx)
{
	struct addr_reply *r = ctx;
	struct ipaddr a;

	if (h->nlmsg_type == RTM_NEWADDR && msg_addr(h, &a))
		add_addr(r->s, &a, r->ino);
	return 0;
}

/* Dump the addresses of the namespace fd lives in. 0 or -1. */
static int dump_addrs(struct netns_set *s, int fd, uint64_t ino)
{
	struct {
		struct nlmsghdr nlh;
		struct ifaddrmsg ifa;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct addr_reply r = { s, ino };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = RTM_GETADDR;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_UNSPEC;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return nlreply_read(fd, req.nlh.nlmsg_seq, on_addr, &r) ? -1 : 0;
}

int netns_refresh(struct netns_set *s)
{
	int self_ok = -1;

	s->st.refreshes++;
	find_all(s);
	s->naddr = 0;
	for (unsigned i = 0; i < s->n; i++) {
		int fd = netns_socket(s, i, NETLINK_ROUTE);

		if (fd < 0)
			continue;
		if (!dump_addrs(s, fd, s->ns[i].ino) && s->ns[i].ino == s->self)
			self_ok = 0;
		close(fd);
	}
	return self_ok ? -1 : (int)s->n;
}

uint64_t netns_of_addr(const struct netns_set *s, const struct ipaddr *a)
{
	uint64_t found = 0;

	for (unsigned i = 0; s && i < s->naddr; i++) {
		if (memcmp(s->addr[i].a.b, a->b, 16))
			continue;
		if (found && found != s->addr[i].ino)
			return 0;    /* in more than one */
		found = s->addr[i].ino;
	}
	return found;
}

unsigned netns_addrs(const struct netns_set *s, struct ipaddr *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; s && i < s->naddr && n < max; i++) {
		unsigned j = 0;

		while (j < n && memcmp(out[j].b, s->addr[i].a.b, 16))
			j++;
		if (j == n)
			out[n++] = s->addr[i].a;
	}
	return n;
}
