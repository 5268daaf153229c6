/* proxy/conn: one proxied connection: accept, upstream connect, bounded
 * forwarding with backpressure, half-close, and the ways it ends. */
#include "proxy/internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/util.h"

static const char *side_name(enum proxy_side s)
{
	return s == PROXY_CLIENT ? "client" : "upstream";
}

static void set_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Close with SO_LINGER {1,0}: the kernel sends an RST and drops queues. */
static void close_rst(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Orderly close: read away what the peer already sent (a close with unread
 * data would send an RST instead of a FIN), bounded, then close. */
static void close_fin(int fd)
{
	unsigned char scratch[16384];

	for (int i = 0; i < 16; i++)
		if (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			break;
	(void)shutdown(fd, SHUT_WR);
	close(fd);
}

size_t proxy_conn_unacked(const struct proxy_conn *c, enum proxy_side s)
{
	int q = 0;

	if (c->fd[s] < 0 || ioctl(c->fd[s], SIOCOUTQ, &q) < 0 || q < 0)
		return 0;
	return (size_t)q;
}

static uint32_t want_mask(const struct proxy *p, const struct proxy_conn *c, enum proxy_side s)
{
	const struct proxy_pipe *in = &c->pipe[s], *out = &c->pipe[!s];
	uint32_t m = 0;

	switch (c->state) {
	case PROXY_DRAINING:
		return 0;
	case PROXY_SILENT:
		return c->quiet_done[s] ? 0 : EPOLLIN;
	case PROXY_CONNECTING:
		if (s == PROXY_UPSTREAM)
			return EPOLLOUT;
		break;
	case PROXY_OPEN:
		break;
	}
	if (!in->eof && in->len < PROXY_BUF_SIZE)
		m |= EPOLLIN;
	if (c->state == PROXY_OPEN && out->len && proxy_fault_budget(p, c, !s))
		m |= EPOLLOUT;
	return m;
}

/* Register what each socket is waiting for. A socket that waits for
 * nothing is removed from epoll, which would otherwise keep reporting
 * EPOLLHUP for it. */
static void update_interest(struct proxy *p, struct proxy_conn *c)
{
	for (int s = 0; s < 2; s++) {
		uint32_t want = c->fd[s] < 0 ? 0 : want_mask(p, c, (enum proxy_side)s);
		struct epoll_event ev = { .events = want };
		int op;

		if (want == c->mask[s])
			continue;
		ev.data.u64 = PROXY_EV_WORD(s == PROXY_CLIENT ? PROXY_EV_CLIENT : PROXY_EV_UPSTREAM,
					    c->slot, c->gen);
		op = !want ? EPOLL_CTL_DEL : c->mask[s] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(p->ep, op, c->fd[s], &ev) < 0 && op != EPOLL_CTL_DEL)
			warnx_("proxy: epoll_ctl on conn %llu: %s", (unsigned long long)c->id,
			       strerror(errno));
		c->mask[s] = want;
	}
}

static void conn_free(struct proxy *p, struct proxy_conn *c)
{
	uint32_t last = p->nactive - 1;

	p->active[c->active_idx] = p->active[last];
	p->active[c->active_idx]->active_idx = c->active_idx;
	p->nactive--;
	p->slots[c->slot] = NULL;
	p->free_slots[p->nfree++] = c->slot;
	free(c);
}

void proxy_conn_end(struct proxy *p, struct proxy_conn *c, char how, const char *reason)
{
	for (int s = 0; s < 2; s++) {
		if (c->fd[s] < 0)
			continue;
		if (c->mask[s])
			(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, c->fd[s], NULL);
		if (how == 'r')
			close_rst(c->fd[s]);
		else
			close_fin(c->fd[s]);
		c->fd[s] = -1;
	}
	p->n.closed++;
	proxy_log(p, "close", c, "how=%s reason=%s up=%llu down=%llu duration=%.3f",
		  how == 'r' ? "rst" : "fin", reason,
		  (unsigned long long)c->pipe[PROXY_UP].bytes,
		  (unsigned long long)c->pipe[PROXY_DOWN].bytes, proxy_now() - c->t_accept);
	conn_free(p, c);
}

void proxy_conn_silence(struct proxy *p, struct proxy_conn *c, double now)
{
	c->state = PROXY_SILENT;
	c->t_deadline = now + p->o->silent_max;
	for (int d = 0; d < 2; d++)
		c->pipe[d].len = c->pipe[d].head = 0;
	update_interest(p, c);
}

void proxy_conn_drain(struct proxy *p, struct proxy_conn *c, double now, const char *reason)
{
	c->fault_done = true;
	c->state = PROXY_DRAINING;
	c->drain_reason = reason;
	c->t_deadline = now + PROXY_DRAIN_MAX;
	c->t_poll = now - PROXY_DRAIN_POLL; /* check at the next sweep */
	update_interest(p, c);
}

/* The peer of side s reset or failed: pass the reset on to the other side,
 * as the network would have. */
static void peer_failed(struct proxy *p, struct proxy_conn *c, enum proxy_side s, int err)
{
	p->n.peer_reset++;
	proxy_log(p, "peer-reset", c, "side=%s error=\"%s\"", side_name(s), strerror(err));
	proxy_conn_end(p, c, 'r', s == PROXY_CLIENT ? "client-reset" : "upstream-reset");
}

/* Fill pipe[s] from fd[s] (one readv). Returns false if c was ended. */
static bool do_read(struct proxy *p, struct proxy_conn *c, enum proxy_side s)
{
	struct proxy_pipe *pp = &c->pipe[s];
	size_t tail = (pp->head + pp->len) % PROXY_BUF_SIZE;
	size_t room = PROXY_BUF_SIZE - pp->len;
	struct iovec iov[2];
	int niov = 1;
	ssize_t n;

	iov[0].iov_base = pp->buf + tail;
	iov[0].iov_len = tail + room <= PROXY_BUF_SIZE ? room : PROXY_BUF_SIZE - tail;
	if (iov[0].iov_len < room) {
		iov[1].iov_base = pp->buf;
		iov[1].iov_len = room - iov[0].iov_len;
		niov = 2;
	}
	n = readv(c->fd[s], iov, niov);
	if (n > 0) {
		pp->len += (size_t)n;
		c->t_last = proxy_now();
	} else if (n == 0) {
		pp->eof = true;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		peer_failed(p, c, s, errno);
		return false;
	}
	return true;
}

/* Silent: read and discard, tell no one. */
static void do_discard(struct proxy *p, struct proxy_conn *c, enum proxy_side s)
{
	unsigned char scratch[16384];
	ssize_t n = recv(c->fd[s], scratch, sizeof(scratch), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		proxy_log(p, "silent-peer-gone", c, "side=%s error=\"%s\"", side_name(s),
			  n == 0 ? "eof" : strerror(errno));
		c->quiet_done[s] = true;
	}
}

/* Deliver pipe[!s] to fd[s] (one sendmsg), within the byte budget. */
static bool do_write(struct proxy *p, struct proxy_conn *c, enum proxy_side s)
{
	int d = !s;
	struct proxy_pipe *pp = &c->pipe[d];
	uint64_t budget = proxy_fault_budget(p, c, d);
	size_t want = pp->len < budget ? pp->len : (size_t)budget;
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 1 };
	ssize_t n;

	if (!want)
		return true;
	iov[0].iov_base = pp->buf + pp->head;
	iov[0].iov_len = pp->head + want <= PROXY_BUF_SIZE ? want : PROXY_BUF_SIZE - pp->head;
	if (iov[0].iov_len < want) {
		iov[1].iov_base = pp->buf;
		iov[1].iov_len = want - iov[0].iov_len;
		mh.msg_iovlen = 2;
	}
	n = sendmsg(c->fd[s], &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0) {
		pp->head = (pp->head + (size_t)n) % PROXY_BUF_SIZE;
		pp->len -= (size_t)n;
		pp->bytes += (uint64_t)n;
		if (d == PROXY_UP)
			p->n.bytes_up += (uint64_t)n;
		else
			p->n.bytes_down += (uint64_t)n;
		c->t_last = proxy_now();
		if (!pp->len)
			pp->head = 0;
	} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		peer_failed(p, c, s, errno);
		return false;
	}
	return true;
}

/* After I/O: propagate half-closes, finish, fire byte faults, re-arm. */
static void settle(struct proxy *p, struct proxy_conn *c)
{
	if (c->state == PROXY_OPEN) {
		if (proxy_fault_bytes_due(p, c)) {
			p->n.rst_bytes++;
			proxy_log(p, "fault", c, "action=rst reason=reset-after-bytes bytes=%llu direction=%s",
				  (unsigned long long)p->o->reset_bytes, proxy_dir_name(p->o->reset_dir));
			proxy_conn_drain(p, c, proxy_now(), "reset-after-bytes");
			return;
		}
		for (int d = 0; d < 2; d++) {
			struct proxy_pipe *pp = &c->pipe[d];

			if (pp->eof && !pp->len && !pp->shut) {
				(void)shutdown(c->fd[!d], SHUT_WR);
				pp->shut = true;
			}
		}
		if (c->pipe[PROXY_UP].shut && c->pipe[PROXY_DOWN].shut) {
			proxy_conn_end(p, c, 'f', "closed");
			return;
		}
	} else if (c->state == PROXY_SILENT && c->quiet_done[0] && c->quiet_done[1]) {
		proxy_conn_end(p, c, 'f', "silent-peers-gone");
		return;
	}
	update_interest(p, c);
}

static void connected(struct proxy *p, struct proxy_conn *c)
{
	char local[PROXY_ADDR_STRLEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	c->state = PROXY_OPEN;
	c->t_last = proxy_now();
	p->n.connected++;
	if (getsockname(c->fd[PROXY_UPSTREAM], (struct sockaddr *)&ss, &sl) == 0)
		proxy_addr_text(&ss, sl, local, sizeof(local));
	else
		local[0] = '\0';
	proxy_log(p, "connect", c, "upstream=%s local=%s", p->o->upstream.text, local);
}

static void upstream_failed(struct proxy *p, struct proxy_conn *c, int err)
{
	p->n.upstream_fail++;
	proxy_log(p, "upstream-fail", c, "upstream=%s error=\"%s\"", p->o->upstream.text, strerror(err));
	proxy_conn_end(p, c, 'r', "upstream-fail");
}

void proxy_conn_event(struct proxy *p, struct proxy_conn *c, enum proxy_side s, uint32_t ev)
{
	int err = 0;
	socklen_t el = sizeof(err);

	if (c->state == PROXY_CONNECTING && s == PROXY_UPSTREAM) {
		if (getsockopt(c->fd[s], SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			upstream_failed(p, c, err);
			return;
		}
		connected(p, c);
		settle(p, c);
		return;
	}
	if (c->state == PROXY_SILENT) {
		do_discard(p, c, s);
		settle(p, c);
		return;
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->mask[s] & EPOLLIN))
		if (!do_read(p, c, s))
			return;
	if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && (c->mask[s] & EPOLLOUT))
		if (!do_write(p, c, s))
			return;
	/* and the other way at once: what was just read may fit there now */
	if (c->state == PROXY_OPEN && c->fd[!s] >= 0 && (c->mask[!s] & EPOLLOUT) == 0 &&
	    c->pipe[s].len)
		if (!do_write(p, c, (enum proxy_side)!s))
			return;
	if ((ev & EPOLLERR) && getsockopt(c->fd[s], SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err) {
		peer_failed(p, c, s, err);
		return;
	}
	settle(p, c);
}

void proxy_conn_accept(struct proxy *p, int cfd, const struct sockaddr_storage *ss, socklen_t sl)
{
	const struct proxy_opts *o = p->o;
	char client[PROXY_ADDR_STRLEN];
	struct proxy_conn *c = NULL;
	double now = proxy_now();
	int ufd, rc;

	proxy_addr_text(ss, sl, client, sizeof(client));
	if (p->nactive >= o->max_conns || !p->nfree || !(c = calloc(1, sizeof(*c)))) {
		p->n.refused++;
		proxy_log(p, "refuse", NULL, "client=%s reason=%s", client,
			  p->nactive >= o->max_conns ? "max-conns" : "no-memory");
		close_rst(cfd);
		return;
	}
	p->n.accepted++;
	c->id = ++p->next_id;
	c->slot = p->free_slots[--p->nfree];
	c->gen = ++p->gens[c->slot];
	c->active_idx = p->nactive;
	p->slots[c->slot] = c;
	p->active[p->nactive++] = c;
	c->fd[PROXY_CLIENT] = cfd;
	c->fd[PROXY_UPSTREAM] = -1;
	c->state = PROXY_CONNECTING;
	c->t_accept = c->t_last = now;
	c->t_deadline = now + o->connect_timeout;
	memcpy(c->client, client, sizeof(client));
	set_nodelay(cfd);
	if (o->has_reset_prob) {
		c->reset_chosen = proxy_rng_chance(&p->rng, o->reset_prob);
		c->t_reset = now + o->reset_delay;
	}
	if (c->reset_chosen)
		proxy_log(p, "accept", c, "client=%s planned=rst in=%.3f", client, o->reset_delay);
	else
		proxy_log(p, "accept", c, "client=%s", client);

	ufd = socket(o->upstream.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ufd < 0) {
		upstream_failed(p, c, errno);
		return;
	}
	c->fd[PROXY_UPSTREAM] = ufd;
	set_nodelay(ufd);
	rc = connect(ufd, (const struct sockaddr *)&o->upstream.sa, o->upstream.len);
	if (rc < 0 && errno != EINPROGRESS) {
		upstream_failed(p, c, errno);
		return;
	}
	if (rc == 0)
		connected(p, c);
	settle(p, c);
}
