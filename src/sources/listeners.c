/* listeners: LISTEN and CLOSE_WAIT TCP sockets from sock_diag, with owners. */
#include "sources/listeners.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sources/sockowner.h"
#include "util/bytes.h"
#include "util/cursor.h"
#include "util/util.h"

#define ST_LISTEN 10
#define ST_CLOSE_WAIT 8

static void one_socket(const struct inet_diag_msg *m, struct socklist *out)
{
	if (m->idiag_state == ST_LISTEN) {
		struct listener *l;

		if (out->nl >= LISTEN_MAX) {
			out->truncated++;
			return;
		}
		l = &out->l[out->nl++];
		memset(l, 0, sizeof(*l));
		if (m->idiag_family == AF_INET) {
			l->addr.b[10] = l->addr.b[11] = 0xff;
			memcpy(l->addr.b + 12, m->id.idiag_src, 4);
		} else {
			memcpy(l->addr.b, m->id.idiag_src, 16);
		}
		l->port = ntohs(m->id.idiag_sport);
		l->queue = m->idiag_rqueue;
		l->backlog = m->idiag_wqueue;
		l->inode = m->idiag_inode;
		l->pid = -1;
	} else if (m->idiag_state == ST_CLOSE_WAIT) {
		out->cw_total++;
		if (out->ncw >= CW_INODES_MAX) {
			out->truncated++;
			return;
		}
		out->cw_inode[out->ncw++] = m->idiag_inode;
	}
}

int sockdiag_parse(const uint8_t *buf, size_t len, struct socklist *out)
{
	size_t off = 0;
	int added = 0;

	while (off + NLMSG_HDRLEN <= len) {
		uint32_t mlen = bytes_ne32(buf + off);
		uint16_t type = bytes_ne16(buf + off + 4);

		if (mlen < NLMSG_HDRLEN || mlen > len - off)
			return -1;
		if (type == NLMSG_ERROR) {
			int32_t e = 0;

			if (mlen >= NLMSG_HDRLEN + 4)
				memcpy(&e, buf + off + NLMSG_HDRLEN, 4);
			if (e)
				return -2;
		} else if (type == SOCK_DIAG_BY_FAMILY) {
			struct inet_diag_msg m;

			if (mlen < NLMSG_HDRLEN + sizeof(m))
				return -1;
			memcpy(&m, buf + off + NLMSG_HDRLEN, sizeof(m));
			if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
				return -1;
			one_socket(&m, out);
			added++;
		}
		off += NLMSG_ALIGN(mlen);
	}
	return added;
}

int socklist_parse_proc_tcp(const char *buf, size_t len, struct socklist *out)
{
	struct cur c = cur_make(buf, len), line;
	int added = 0, lines = 0;

	while (cur_line(&c, &line)) {
		char text[512];
		struct sock_key k;
		uint32_t uid;
		uint64_t ino, rx = 0;
		unsigned st;
		struct cur l = line, t;

		lines++;
		cur_copy(line, text, sizeof(text));
		if (sockowner_parse_proc_line(text, &k, &uid, &ino, &st))
			continue;
		/* fields: sl local rem st tx_queue:rx_queue ... */
		for (int i = 0; i < 5 && cur_token(&l, &t); i++)
			if (i == 4) {
				if (!cur_skip_past(&t, ":") || cur_hex(&t, &rx))
					rx = 0;
			}
		struct inet_diag_msg m;
		memset(&m, 0, sizeof(m));
		m.idiag_state = (uint8_t)st;
		if (ipaddr_is_v4(&k.laddr)) {
			m.idiag_family = AF_INET;
			memcpy(m.id.idiag_src, k.laddr.b + 12, 4);
		} else {
			m.idiag_family = AF_INET6;
			memcpy(m.id.idiag_src, k.laddr.b, 16);
		}
		m.id.idiag_sport = htons(k.lport);
		m.idiag_rqueue = (uint32_t)rx;
		m.idiag_inode = (uint32_t)ino;
		one_socket(&m, out);
		added++;
	}
	return lines ? added : -1;
}

static int dump_family(int fd, int fam, struct socklist *out, uint8_t *save, size_t save_size,
		       size_t *saved)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	static uint8_t buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = (uint32_t)time(NULL) ^ (uint32_t)fam;
	req.r.sdiag_family = (uint8_t)fam;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1u << ST_LISTEN | 1u << ST_CLOSE_WAIT;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int rounds = 0; rounds < 100000; rounds++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		bool done = false;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -EPROTO;
		for (size_t off = 0; off + NLMSG_HDRLEN <= (size_t)n;) {
			uint32_t ml = bytes_ne32(buf + off);

			if (ml < NLMSG_HDRLEN)
				break;
			if (bytes_ne16(buf + off + 4) == NLMSG_DONE) {
				done = true;
				n = (ssize_t)off;   /* keep the replay file to the replies */
				break;
			}
			off += NLMSG_ALIGN(ml);
		}
		if (save && *saved + (size_t)n <= save_size) {
			memcpy(save + *saved, buf, (size_t)n);
			*saved += (size_t)n;
		}
		if (sockdiag_parse(buf, (size_t)n, out) < 0)
			return -EPROTO;
		if (done)
			return 0;
	}
	return -ETIMEDOUT;
}

int sockdiag_dump(struct socklist *out, uint8_t *save, size_t save_size, size_t *saved)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 500000 };
	int err;

	if (saved)
		*saved = 0;
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = dump_family(fd, AF_INET, out, save, save_size, saved);
	if (!err)
		err = dump_family(fd, AF_INET6, out, save, save_size, saved);
	close(fd);
	return err;
}

static int cw_most(const void *a, const void *b)
{
	const struct cwproc *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : x->pid - y->pid;
}

void socklist_owners(struct socklist *sl, const char *proc_root, unsigned max_procs)
{
	unsigned n = sl->nl + sl->ncw;
	uint64_t *ino = malloc((n ? n : 1) * sizeof(*ino));
	int *pid = malloc((n ? n : 1) * sizeof(*pid));
	char (*comm)[17] = malloc((n ? n : 1) * sizeof(*comm));

	sl->ncwp = 0;
	sl->unowned = 0;
	if (!ino || !pid || !comm)
		goto out;
	for (unsigned i = 0; i < sl->nl; i++)
		ino[i] = sl->l[i].inode;
	memcpy(ino + sl->nl, sl->cw_inode, sl->ncw * sizeof(*ino));
	sockowner_find_inodes(proc_root, ino, n, pid, comm, max_procs);
	for (unsigned i = 0; i < sl->nl; i++) {
		sl->l[i].pid = pid[i];
		fmt_buf(sl->l[i].comm, sizeof(sl->l[i].comm), "%s", comm[i]);
	}
	for (unsigned i = sl->nl; i < n; i++) {
		unsigned j;

		if (pid[i] < 0)
			sl->unowned++;
		for (j = 0; j < sl->ncwp && sl->cw[j].pid != pid[i]; j++)
			;
		if (j == sl->ncwp) {
			if (sl->ncwp == CW_PROCS_MAX)
				continue;
			memset(&sl->cw[j], 0, sizeof(sl->cw[j]));
			sl->cw[j].pid = pid[i];
			fmt_buf(sl->cw[j].comm, sizeof(sl->cw[j].comm), "%s", comm[i]);
			sl->ncwp++;
		}
		sl->cw[j].count++;
	}
	qsort(sl->cw, sl->ncwp, sizeof(sl->cw[0]), cw_most);
out:
	free(ino);
	free(pid);
	free(comm);
}

void listener_name(const struct listener *l, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (ipaddr_is_v4(&l->addr)) {
		inet_ntop(AF_INET, l->addr.b + 12, a, sizeof(a));
		fmt_buf(buf, size, "%s:%u", a, l->port);
	} else {
		inet_ntop(AF_INET6, l->addr.b, a, sizeof(a));
		fmt_buf(buf, size, "[%s]:%u", a, l->port);
	}
}
