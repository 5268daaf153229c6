/* probe/trial: one connection's life: connect, (http) a first request,
 * idle, send, and how it ended. Non-blocking; run.c polls it. */
#include "probe/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

#define TRIAL_ACK_POLL_S 0.005  /* how often an unacknowledged byte is looked at */

static void fail(struct probe_trial *t, int err, const char *what)
{
	t->st = TRIAL_FAILED;
	t->err = err;
	fmt_buf(t->why, sizeof(t->why), "%s: %s", what, strerror(err));
	probe_trial_close(t);
}

static void died(struct probe_trial *t, enum probe_outcome o, int err, double now)
{
	t->outcome = o;
	t->err = err;
	t->died_at = t->st == TRIAL_IDLE ? now - t->t_quiet : -1;
	t->st = TRIAL_DONE;
	probe_trial_close(t);
}

static void alive(struct probe_trial *t)
{
	t->outcome = PROBE_ALIVE;
	t->st = TRIAL_DONE;
	probe_trial_close(t);
}

int probe_trial_start(struct probe_trial *t, const struct probe_trial_env *e, double now)
{
	const struct probe_target *g = &e->o->target;
	int one = 1;

	t->fd = socket(g->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	t->t_begin = now;
	t->died_at = -1;
	t->ttl = -1;
	probe_http_reset(&t->http);
	if (t->fd < 0) {
		fail(t, errno, "socket");
		return -t->err;
	}
	setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(t->fd, (const struct sockaddr *)&g->sa, g->len) && errno != EINPROGRESS) {
		fail(t, errno, "connect");
		return -t->err;
	}
	t->st = TRIAL_CONNECTING;
	return 0;
}

short probe_trial_events(const struct probe_trial *t, const struct probe_trial_env *e)
{
	(void)e;
	switch (t->st) {
	case TRIAL_CONNECTING: return POLLOUT;
	case TRIAL_FIRST: case TRIAL_IDLE: case TRIAL_SENT: return POLLIN;
	default: return 0;
	}
}

double probe_trial_wake(const struct probe_trial *t, const struct probe_trial_env *e)
{
	switch (t->st) {
	case TRIAL_CONNECTING: return t->t_begin + PROBE_CONNECT_TIMEOUT_S;
	case TRIAL_FIRST: return t->t_begin + PROBE_CONNECT_TIMEOUT_S + e->wait_s;
	case TRIAL_IDLE: return t->t_quiet + t->idle;
	case TRIAL_SENT:
		return e->o->http ? t->t_sent + e->wait_s : t->t_sent + TRIAL_ACK_POLL_S;
	default: return 1e300;
	}
}

static void local_port(struct probe_trial *t)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(t->fd, (struct sockaddr *)&ss, &len))
		return;
	t->lport = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						 : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int send_all(int fd, const char *p, size_t n)
{
	ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

	if (w < 0)
		return -errno;
	return (size_t)w == n ? 0 : -EAGAIN;  /* a request this small fits the buffer */
}

/* Reading: data, EOF or an error. Returns 1 when the trial ended. */
static int on_readable(struct probe_trial *t, const struct probe_trial_env *e, double now)
{
	char buf[4096];

	for (int i = 0; i < 16; i++) {
		ssize_t r = recv(t->fd, buf, sizeof(buf), 0);

		if (r == 0) {
			if (t->st == TRIAL_FIRST) {
				fail(t, ECONNABORTED, "closed before answering the first request");
				return 1;
			}
			died(t, PROBE_FIN, 0, now);
			return 1;
		}
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (t->st == TRIAL_FIRST) {
				fail(t, errno, "first request");
				return 1;
			}
			died(t, errno == ETIMEDOUT ? PROBE_SILENT : PROBE_RST, errno, now);
			return 1;
		}
		if (!e->o->http) {
			/* a greeting or an echo: the idle clock runs from the last byte */
			if (t->st == TRIAL_IDLE)
				t->t_quiet = now;
			continue;
		}
		int rc = probe_http_feed(&t->http, buf, (size_t)r);

		if (rc < 0) {
			fail(t, EPROTO, "an HTTP response that cannot be kept alive (no length)");
			return 1;
		}
		if (rc == 1) {
			if (t->st == TRIAL_FIRST) {
				t->st = TRIAL_IDLE;
				t->t_quiet = now;
				probe_http_reset(&t->http);
				continue;
			}
			if (t->st == TRIAL_SENT) {
				alive(t);
				return 1;
			}
			t->t_quiet = now;  /* an answer nobody asked for, while idle */
			probe_http_reset(&t->http);
		}
	}
	return 0;
}

static void send_probe(struct probe_trial *t, const struct probe_trial_env *e, double now)
{
	static const char byte = '\n';
	int rc;

	probe_tcpinfo_user_timeout(t->fd, e->wait_s);
	rc = e->o->http ? send_all(t->fd, e->req, e->reqlen) : send_all(t->fd, &byte, 1);
	if (rc) {
		died(t, rc == -ETIMEDOUT ? PROBE_SILENT : rc == -EPIPE ? PROBE_FIN : PROBE_RST, -rc, now);
		return;
	}
	t->st = TRIAL_SENT;
	t->t_sent = now;
}

void probe_trial_step(struct probe_trial *t, const struct probe_trial_env *e, short revents, double now)
{
	struct probe_tcpinfo ti;
	int err = 0;
	socklen_t len = sizeof(err);

	switch (t->st) {
	case TRIAL_CONNECTING:
		if (revents & (POLLOUT | POLLERR | POLLHUP)) {
			getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err) {
				fail(t, err, "connect");
				return;
			}
			local_port(t);
			if (e->o->http) {
				if ((err = send_all(t->fd, e->req, e->reqlen))) {
					fail(t, -err, "first request");
					return;
				}
				t->st = TRIAL_FIRST;
			} else {
				t->st = TRIAL_IDLE;
				t->t_quiet = now;
			}
		} else if (now >= probe_trial_wake(t, e)) {
			fail(t, ETIMEDOUT, "connect");
		}
		return;
	case TRIAL_FIRST:
		if (revents && on_readable(t, e, now))
			return;
		if (t->st == TRIAL_FIRST && now >= probe_trial_wake(t, e))
			fail(t, ETIMEDOUT, "no answer to the first request");
		return;
	case TRIAL_IDLE:
		if (revents && on_readable(t, e, now))
			return;
		if (now >= probe_trial_wake(t, e))
			send_probe(t, e, now);
		return;
	case TRIAL_SENT:
		/* acknowledged first: a peer may ACK the byte and then close */
		if (!e->o->http && !probe_tcpinfo_read(t->fd, &ti) && ti.unacked == 0 &&
		    (ti.state == TCP_ESTABLISHED || ti.state == TCP_CLOSE_WAIT)) {
			alive(t);  /* our byte was acknowledged: the path still knew us */
			return;
		}
		if (revents && on_readable(t, e, now))
			return;
		if (now >= t->t_sent + e->wait_s)
			died(t, PROBE_SILENT, ETIMEDOUT, now);
		return;
	default:
		return;
	}
}

void probe_trial_close(struct probe_trial *t)
{
	char buf[4096];

	if (t->fd >= 0) {
		/* unread bytes would turn the close into an RST */
		for (int i = 0; i < 16 && recv(t->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
			;
		close(t->fd);
	}
	t->fd = -1;
}
