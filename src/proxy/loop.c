/* proxy/loop: the listener, signals, the epoll loop and its timers, and a
 * clean stop that closes every connection. */
#include "proxy/internal.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/util.h"

#define FD_RESERVE 16 /* listener, epoll, signalfd, stdio and slack */

/* Make room for two descriptors per connection, or say why not. */
static int ensure_fds(uint32_t max_conns)
{
	rlim_t need = (rlim_t)max_conns * 2 + FD_RESERVE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need)
		return 0;
	warnx_("proxy: '--max-conns %u' needs %llu file descriptors, the limit is %llu",
	       max_conns, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
	return -1;
}

static int open_listener(struct proxy *p, char *bound, size_t boundsz)
{
	const struct proxy_addr *a = &p->o->listen;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, fd;

	fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 || listen(fd, SOMAXCONN) < 0)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		proxy_addr_text(&ss, sl, bound, boundsz);
	else
		fmt_buf(bound, boundsz, "%s", a->text);
	p->lfd = fd;
	return 0;
fail:
	warnx_("proxy: cannot listen on '%s': %s", a->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_signals(struct proxy *p)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	p->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return p->sigfd < 0 ? -1 : 0;
}

static int epoll_add(int ep, int fd, uint32_t events, uint64_t word)
{
	struct epoll_event ev = { .events = events, .data.u64 = word };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void set_listening(struct proxy *p, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u64 = PROXY_EV_LISTEN };

	(void)epoll_ctl(p->ep, EPOLL_CTL_MOD, p->lfd, &ev);
	p->listen_paused = !on;
}

static void on_listen(struct proxy *p)
{
	for (int i = 0; i < PROXY_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(p->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			proxy_conn_accept(p, fd, &ss, sl);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* the pending connection stays queued; try again shortly */
			proxy_log(p, "accept-fail", NULL, "error=\"%s\" retry=0.1", strerror(errno));
			set_listening(p, false);
			p->t_resume = proxy_now() + 0.1;
		}
		return;
	}
}

static const char *on_signal(struct proxy *p)
{
	struct signalfd_siginfo si;

	if (read(p->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return NULL;
	return si.ssi_signo == SIGINT ? "SIGINT" : si.ssi_signo == SIGTERM ? "SIGTERM" : NULL;
}

static int wait_ms(const struct proxy *p, double now)
{
	double next = now + 1.0; /* wake at least once a second */

	if (p->o->has_duration)
		next = fmin(next, p->t_start + p->o->duration);
	if (p->listen_paused)
		next = fmin(next, p->t_resume);
	for (uint32_t i = 0; i < p->nactive; i++)
		next = fmin(next, proxy_conn_next(p, p->active[i]));
	if (next <= now)
		return 0;
	return (int)ceil((next - now) * 1000.0);
}

static void sweep_timers(struct proxy *p)
{
	double now = proxy_now();

	/* downwards: ending one moves the last entry into its place */
	for (uint32_t i = p->nactive; i-- > 0;) {
		struct proxy_conn *c = p->active[i];

		if (proxy_conn_next(p, c) <= now)
			proxy_conn_timers(p, c, now);
	}
	if (p->listen_paused && now >= p->t_resume)
		set_listening(p, true);
}

static void dispatch(struct proxy *p, const struct epoll_event *ev, const char **stop)
{
	uint64_t w = ev->data.u64;
	uint32_t kind = (uint32_t)(w & 3), slot = (uint32_t)((w >> 2) & 0x3fffffff);
	uint32_t gen = (uint32_t)(w >> 32);
	struct proxy_conn *c;

	switch (kind) {
	case PROXY_EV_LISTEN:
		on_listen(p);
		return;
	case PROXY_EV_SIGNAL:
		if (!*stop)
			*stop = on_signal(p);
		return;
	default:
		if (slot >= p->o->max_conns)
			return;
		c = p->slots[slot];
		if (!c || c->gen != gen)
			return; /* ended earlier in this batch */
		proxy_conn_event(p, c, kind == PROXY_EV_CLIENT ? PROXY_CLIENT : PROXY_UPSTREAM, ev->events);
	}
}

static uint64_t pick_seed(const struct proxy_opts *o)
{
	uint64_t s;

	if (o->has_seed)
		return o->seed;
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	return (uint64_t)proxy_now() * 1000003u ^ (uint64_t)getpid();
}

static void log_listen(struct proxy *p, const char *bound)
{
	const struct proxy_opts *o = p->o;
	char faults[256];
	size_t n = 0;

	faults[0] = '\0';
	if (o->has_idle)
		n += fmt_buf(faults + n, sizeof(faults) - n, " idle_timeout=%.3f idle_action=%s",
			     o->idle_timeout, proxy_idle_action_name(o->idle_action));
	if (o->has_reset_bytes)
		n += fmt_buf(faults + n, sizeof(faults) - n, " reset_after_bytes=%llu direction=%s",
			     (unsigned long long)o->reset_bytes, proxy_dir_name(o->reset_dir));
	if (o->has_reset_prob)
		n += fmt_buf(faults + n, sizeof(faults) - n, " reset_probability=%g reset_delay=%.3f seed=%llu",
			     o->reset_prob, o->reset_delay, (unsigned long long)p->seed);
	proxy_log(p, "listen", NULL, "addr=%s upstream=%s max_conns=%u%s", bound, o->upstream.text,
		  o->max_conns, faults);
}

int proxy_run(const struct proxy_opts *o)
{
	struct proxy px = { .o = o, .ep = -1, .lfd = -1, .sigfd = -1 };
	struct proxy *p = &px;
	struct epoll_event evs[PROXY_EVENTS];
	const char *stop = NULL;
	char bound[PROXY_ADDR_STRLEN];
	int rc = RS_EXIT_RUNTIME;

	p->t_start = proxy_now();
	p->seed = pick_seed(o);
	proxy_rng_init(&p->rng, p->seed);
	p->slots = calloc(o->max_conns, sizeof(*p->slots));
	p->gens = calloc(o->max_conns, sizeof(*p->gens));
	p->free_slots = calloc(o->max_conns, sizeof(*p->free_slots));
	p->active = calloc(o->max_conns, sizeof(*p->active));
	if (!p->slots || !p->gens || !p->free_slots || !p->active) {
		warnx_("proxy: out of memory for %u connections", o->max_conns);
		goto cleanup;
	}
	for (uint32_t i = 0; i < o->max_conns; i++)
		p->free_slots[i] = o->max_conns - 1 - i;
	p->nfree = o->max_conns;
	if (ensure_fds(o->max_conns) || open_signals(p) < 0 || open_listener(p, bound, sizeof(bound)))
		goto cleanup;
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	if (p->ep < 0 || epoll_add(p->ep, p->lfd, EPOLLIN, PROXY_EV_LISTEN) < 0 ||
	    epoll_add(p->ep, p->sigfd, EPOLLIN, PROXY_EV_SIGNAL) < 0) {
		warnx_("proxy: epoll: %s", strerror(errno));
		goto cleanup;
	}
	log_listen(p, bound);

	while (!stop) {
		double now = proxy_now();
		int n;

		if (o->has_duration && now >= p->t_start + o->duration) {
			stop = "duration";
			break;
		}
		n = epoll_wait(p->ep, evs, PROXY_EVENTS, wait_ms(p, now));
		if (n < 0 && errno != EINTR) {
			warnx_("proxy: epoll_wait: %s", strerror(errno));
			goto cleanup;
		}
		for (int i = 0; i < n; i++)
			dispatch(p, &evs[i], &stop);
		sweep_timers(p);
	}
	proxy_log(p, "stop", NULL, "reason=%s active=%u", stop, p->nactive);
	rc = RS_EXIT_OK;
cleanup:
	while (p->nactive)
		proxy_conn_end(p, p->active[p->nactive - 1], 'f', "proxy-exit");
	if (rc == RS_EXIT_OK)
		proxy_log_summary(p);
	if (p->ep >= 0)
		close(p->ep);
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->sigfd >= 0)
		close(p->sigfd);
	free(p->slots);
	free(p->gens);
	free(p->free_slots);
	free(p->active);
	return rc;
}
