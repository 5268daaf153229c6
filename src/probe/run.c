/* probe/run: the poll loop that drives each round's trials and the plan. */
#include "probe/internal.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "decode/decode.h"
#include "util/priv.h"
#include "util/util.h"

#define RUN_TRIALS_MAX (PROBE_MAX_ROUNDS * PROBE_MAX_PARALLEL + 1)

struct run {
	const struct probe_opts *o;
	struct probe_trial_env env;
	struct probe_plan plan;
	struct probe_capture *cap;
	char cap_err[160];
	struct probe_trial trials[RUN_TRIALS_MAX];
	size_t ntrials;
	double t0;
	struct probe_result res;
	double idle_min, idle_max;  /* of deaths seen while idle */
	bool progress;
};

void probe_opts_init(struct probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_s = PROBE_DEFAULT_MAX_S;
	o->parallel = PROBE_DEFAULT_PARALLEL;
}

double probe_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool pending(const struct probe_trial *t)
{
	return t->st == TRIAL_CONNECTING || t->st == TRIAL_FIRST || t->st == TRIAL_IDLE ||
	       t->st == TRIAL_SENT;
}

/* Drive trials[from..to) until none is pending (past the run's hard end
 * the rest are dropped as moot). */
static void drive(struct run *r, size_t from, size_t to)
{
	struct pollfd pfd[PROBE_MAX_PARALLEL + 1];
	size_t idx[PROBE_MAX_PARALLEL + 1];
	double hard_end = r->t0 + r->plan.deadline + r->env.wait_s + 2.0;

	for (;;) {
		size_t n = 0;
		double now = probe_now(), wake = now + 1.0;

		for (size_t i = from; i < to; i++) {
			struct probe_trial *t = &r->trials[i];
			double w;

			if (!pending(t))
				continue;
			pfd[n] = (struct pollfd){ .fd = t->fd, .events = probe_trial_events(t, &r->env) };
			idx[n++] = i;
			w = probe_trial_wake(t, &r->env);
			if (w < wake)
				wake = w;
		}
		if (!n)
			return;
		if (r->cap) {
			pfd[n] = (struct pollfd){ .fd = probe_capture_fd(r->cap), .events = POLLIN };
			idx[n] = (size_t)-1;
		}
		int ms = wake > now ? (int)ceil((wake - now) * 1000.0) : 0;

		if (poll(pfd, n + (r->cap ? 1 : 0), ms) < 0 && errno != EINTR) {
			warnx_("probe: poll: %s", strerror(errno));
			return;
		}
		now = probe_now();
		probe_capture_drain(r->cap);
		for (size_t k = 0; k < n; k++) {
			struct probe_trial *t = &r->trials[idx[k]];

			probe_trial_step(t, &r->env, pfd[k].revents, now);
			if (t->st == TRIAL_FAILED) {
				if (!r->res.failed++)
					warnx_("probe: %s: %s", r->o->target.text, t->why);
				continue;
			}
			if (t->st != TRIAL_DONE)
				continue;
			if (t->outcome == PROBE_RST || t->outcome == PROBE_FIN)
				t->ttl = probe_capture_ttl(r->cap, t->lport, t->outcome == PROBE_RST ? TH_RST : TH_FIN);
			if (t->outcome == PROBE_ALIVE ? (r->plan.b.has_died && t->idle >= r->plan.b.died)
						      : (t->died_at < 0 && t->idle <= r->plan.b.survived))
				r->res.conflicts++;
			probe_bracket_add(&r->plan.b, t->idle, t->outcome, t->died_at);
			if (t->outcome != PROBE_ALIVE && t->died_at >= 0) {
				if (!r->res.deaths_idle++ || t->died_at < r->idle_min)
					r->idle_min = t->died_at;
				if (r->res.deaths_idle == 1 || t->died_at > r->idle_max)
					r->idle_max = t->died_at;
			}
			r->res.trials++;
			probe_report_trial(stdout, r->o, t);
		}
		for (size_t k = 0; k < n; k++) {
			struct probe_trial *t = &r->trials[idx[k]];

			/* the bracket already tells how it would end */
			if ((t->st == TRIAL_IDLE || t->st == TRIAL_CONNECTING || t->st == TRIAL_FIRST) &&
			    (probe_plan_moot(&r->plan, t->idle) || now > hard_end)) {
				probe_trial_close(t);
				t->st = TRIAL_MOOT;
				r->res.moot++;
			}
		}
		fflush(stdout);
	}
}

/* One connection before the rounds: the target answers, and its RTT. */
static int preflight(struct run *r, double *rtt_s)
{
	struct probe_trial t = { .fd = -1, .idle = 1e9 };
	struct probe_tcpinfo ti;
	struct pollfd p;
	double now = probe_now();

	r->env.wait_s = PROBE_WAIT_MAX_S;
	if (probe_trial_start(&t, &r->env, now)) {
		warnx_("probe: cannot connect to '%s': %s", r->o->target.text, t.why);
		return -1;
	}
	for (int i = 0; i < 10000 && (t.st == TRIAL_CONNECTING || t.st == TRIAL_FIRST); i++) {
		p = (struct pollfd){ .fd = t.fd, .events = probe_trial_events(&t, &r->env) };
		poll(&p, 1, 50);
		probe_trial_step(&t, &r->env, p.revents, probe_now());
	}
	if (t.st != TRIAL_IDLE) {
		warnx_("probe: cannot connect to '%s': %s", r->o->target.text,
		       t.st == TRIAL_FAILED ? t.why : "it closed at once");
		probe_trial_close(&t);
		return -1;
	}
	*rtt_s = probe_tcpinfo_read(t.fd, &ti) ? 0 : ti.rtt_us / 1e6;
	probe_trial_close(&t);
	return 0;
}

/* Who sent the deaths' RSTs or FINs: their TTLs against the target's own. */
static void judge_sender(struct run *r)
{
	struct probe_result *res = &r->res;
	bool base[256];
	unsigned nb, in = 0, out = 0, ttl_in = 0, ttl_out = 0;
	char bl[64] = "";
	size_t bn = 0;

	res->sender = "unknown";
	if (!res->b.has_died || (res->b.death != PROBE_RST && res->b.death != PROBE_FIN))
		return;
	if (!r->cap) {
		fmt_buf(res->evidence + strlen(res->evidence), sizeof(res->evidence) - strlen(res->evidence),
			"; sender not judged: %s", r->cap_err);
		return;
	}
	probe_capture_drain(r->cap);
	nb = probe_capture_baseline(r->cap, base);
	for (int v = 0; v < 256 && bn + 5 < sizeof(bl); v++)
		if (base[v])
			bn += fmt_buf(bl + bn, sizeof(bl) - bn, "%s%d", bn ? "," : "", v);
	for (size_t i = 0; i < r->ntrials; i++) {
		struct probe_trial *t = &r->trials[i];

		if (t->st != TRIAL_DONE || t->outcome != res->b.death)
			continue;
		if (t->ttl < 0)
			t->ttl = probe_capture_ttl(r->cap, t->lport, t->outcome == PROBE_RST ? TH_RST : TH_FIN);
		if (t->ttl < 0)
			continue;
		if (nb && base[t->ttl])
			in++, ttl_in = (unsigned)t->ttl;
		else
			out++, ttl_out = (unsigned)t->ttl;
	}
	const char *what = res->b.death == PROBE_RST ? "RST" : "FIN";
	size_t e = strlen(res->evidence);

	if (!in && !out) {
		fmt_buf(res->evidence + e, sizeof(res->evidence) - e, "; no %s was captured", what);
	} else if (!nb) {
		fmt_buf(res->evidence + e, sizeof(res->evidence) - e,
			"; no other segment of the target captured to compare the %s's TTL with", what);
	} else if (out && !in) {
		res->sender = "path";
		fmt_buf(res->evidence + e, sizeof(res->evidence) - e,
			"; the %s had TTL %u, the target's own segments TTL %s: built at another point of the path",
			what, ttl_out, bl);
	} else if (in && !out) {
		res->sender = "peer";
		fmt_buf(res->evidence + e, sizeof(res->evidence) - e,
			"; the %s had TTL %u, as the target's own segments (%s): sent by the target", what, ttl_in, bl);
	} else {
		fmt_buf(res->evidence + e, sizeof(res->evidence) - e,
			"; %u %ss with the target's TTL (%s), %u with another (%u): mixed", in, what, bl, out, ttl_out);
	}
}

static void describe(struct run *r)
{
	struct probe_result *res = &r->res;
	const struct probe_bracket *b = &res->b;

	if (!b->has_died) {
		fmt_buf(res->evidence, sizeof(res->evidence), "every connection survived, up to %.2f s idle",
			b->survived);
		return;
	}
	switch (b->death) {
	case PROBE_RST: case PROBE_FIN:
		if (res->deaths_idle)
			fmt_buf(res->evidence, sizeof(res->evidence),
				"%u connections got a%s while idle, after %.3f-%.3f s; the longest survivor %.2f s",
				res->deaths_idle, b->death == PROBE_RST ? "n RST" : " FIN",
				r->idle_min, r->idle_max, b->survived);
		else
			fmt_buf(res->evidence, sizeof(res->evidence),
				"data after %.2f s idle was answered with a%s; after %.2f s it was %s",
				b->died, b->death == PROBE_RST ? "n RST" : " FIN", b->survived,
				r->o->http ? "answered" : "acknowledged");
		break;
	default:
		fmt_buf(res->evidence, sizeof(res->evidence),
			"data after %.2f s idle was not %s within %.1f s, no RST or FIN; after %.2f s it was",
			b->died, r->o->http ? "answered" : "acknowledged", res->wait_s, b->survived);
		break;
	}
}

int probe_run(const struct probe_opts *o)
{
	static struct run r;  /* large: trials and capture state */
	double idles[PROBE_MAX_PARALLEL], rtt = 0, wait;
	int rc = RS_EXIT_OK;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.env.o = o;
	r.res.o = o;
	r.progress = isatty(2) == 1;
	r.env.reqlen = probe_http_request(r.env.req, sizeof(r.env.req), o->target.host);
	if (preflight(&r, &rtt))
		return RS_EXIT_RUNTIME;
	wait = o->wait_s > 0 ? o->wait_s : 8 * rtt;
	if (!(o->wait_s > 0)) {
		if (wait < PROBE_WAIT_MIN_S)
			wait = PROBE_WAIT_MIN_S;
		if (wait > PROBE_WAIT_MAX_S)
			wait = PROBE_WAIT_MAX_S;
	}
	r.env.wait_s = r.res.wait_s = wait;
	r.cap = probe_capture_open(&o->target, r.cap_err, sizeof(r.cap_err));
	/* the capture was the only thing that needed rights */
	if (o->user && priv_drop("probe", o->user)) {
		rc = RS_EXIT_RUNTIME;
		goto out;
	}
	probe_plan_init(&r.plan, o->max_s, o->parallel, wait);
	r.t0 = probe_now();
	for (;;) {
		size_t n = probe_plan_next(&r.plan, probe_now() - r.t0, idles), from = r.ntrials;

		if (!n || r.ntrials + n > RUN_TRIALS_MAX)
			break;
		if (r.progress)
			fprintf(stderr, "probe: round %u: %zu connections, idle %.2f-%.2f s\n",
				r.plan.round, n, idles[0], idles[n - 1]);
		for (size_t i = 0; i < n; i++) {
			struct probe_trial *t = &r.trials[r.ntrials++];

			*t = (struct probe_trial){ .fd = -1, .round = r.plan.round, .idle = idles[i] };
			if (probe_trial_start(t, &r.env, probe_now()) && !r.res.failed++)
				warnx_("probe: %s: %s", o->target.text, t->why);
		}
		drive(&r, from, r.ntrials);
		if (r.plan.round == 1 && !r.res.trials) {
			warnx_("probe: cannot connect to '%s': every connection of the first round failed",
			       o->target.text);
			rc = RS_EXIT_RUNTIME;
			goto out;
		}
	}
	r.res.b = r.plan.b;
	r.res.rounds = r.plan.round;
	r.res.converged = probe_bracket_done(&r.plan.b);
	r.res.wall_s = probe_now() - r.t0;
	describe(&r);
	judge_sender(&r);
	probe_report_result(stdout, &r.res);
out:
	for (size_t i = 0; i < r.ntrials; i++)
		probe_trial_close(&r.trials[i]);
	probe_capture_free(r.cap);
	return rc;
}
