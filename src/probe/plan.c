/* probe/plan: the schedule of idle times and the bracket of the timeout.
 * Pure arithmetic: no sockets, no clock (run-relative seconds come in). */
#include "probe/probe.h"

#include <math.h>

const char *probe_outcome_name(enum probe_outcome o)
{
	static const char *const names[PROBE_OUTCOME__COUNT] = {
		[PROBE_ALIVE] = "alive", [PROBE_RST] = "rst",
		[PROBE_FIN] = "fin", [PROBE_SILENT] = "silent",
	};
	return (unsigned)o < PROBE_OUTCOME__COUNT ? names[o] : "?";
}

double probe_tolerance(double d)
{
	double rel = PROBE_TOL_REL * d;

	return rel > PROBE_TOL_ABS_S ? rel : PROBE_TOL_ABS_S;
}

bool probe_bracket_done(const struct probe_bracket *b)
{
	if (!b->has_died)
		return true;
	return b->died - b->survived <= probe_tolerance(b->died) + 1e-9;
}

void probe_bracket_add(struct probe_bracket *b, double idle, enum probe_outcome o, double at)
{
	double x;

	if (o == PROBE_ALIVE) {
		if (idle > b->survived)
			b->survived = idle;
		return;
	}
	x = at >= 0 ? at : idle;
	if (!b->has_died || x < b->died) {
		b->died = x;
		b->has_died = true;
		b->died_while_idle = at >= 0;
		b->death = o;
	}
}

double probe_bracket_estimate(const struct probe_bracket *b)
{
	if (!b->has_died)
		return -1;
	if (b->died_while_idle || b->survived >= b->died)
		return b->died;
	return (b->survived + b->died) / 2;
}

void probe_plan_init(struct probe_plan *p, double max_s, unsigned parallel, double wait_s)
{
	*p = (struct probe_plan){ 0 };
	p->max_s = max_s;
	p->parallel = parallel ? parallel : 1;
	p->wait_s = wait_s;
	/* round 1 ends by max_s plus one wait; later rounds share one more
	 * second of slack, so the run takes little more than max_s */
	p->deadline = max_s + wait_s + 1.0;
}

/* Round 1: geometric from PROBE_MIN_IDLE_S to max_s, max_s always tried. */
static size_t plan_first(const struct probe_plan *p, double *idle)
{
	unsigned k = p->parallel;
	double lo = PROBE_MIN_IDLE_S, ratio;

	if (k == 1 || p->max_s <= lo) {
		idle[0] = p->max_s;
		return 1;
	}
	ratio = pow(p->max_s / lo, 1.0 / (k - 1));
	for (unsigned j = 0; j < k; j++)
		idle[j] = lo * pow(ratio, j);
	idle[k - 1] = p->max_s;
	return k;
}

size_t probe_plan_next(struct probe_plan *p, double now, double *idle)
{
	double s, d, w, step;
	size_t n = 0, want;

	if (p->round == 0) {
		p->round = 1;
		return plan_first(p, idle);
	}
	if (probe_bracket_done(&p->b) || p->round >= PROBE_MAX_ROUNDS)
		return 0;
	s = p->b.survived;
	d = p->b.died;
	w = d - s;
	/* spacing no wider than the goal at the bracket's lower end, so one
	 * round suffices when enough connections are allowed */
	step = probe_tolerance(s > 0 ? s : d);
	want = (size_t)ceil(w / step) - 1;
	if (want < 1)
		want = 1;
	if (want > p->parallel)
		want = p->parallel;
	for (size_t j = 1; j <= want; j++) {
		double x = s + w * (double)j / (double)(want + 1);

		if (now + x + p->wait_s > p->deadline)
			break;
		idle[n++] = x;
	}
	if (n)
		p->round++;
	return n;
}

bool probe_plan_moot(const struct probe_plan *p, double idle)
{
	if (p->b.has_died && idle >= p->b.died)
		return true;
	return idle <= p->b.survived;
}
