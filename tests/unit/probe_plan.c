/* probe_plan: the bracket arithmetic and the schedule, against a simulated
 * path with a drawn hidden timeout: lazy (it forgets the flow and kills it
 * at the next send: an RST at once or silence for the wait) or active (it
 * closes the connection at the timeout, seen while idle). The schedule must
 * bracket the timeout, narrow it to 5 % / 0.2 s when it is below about a
 * third of --max (lazy) or half of it (active), and end within its budget. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "unit.h"

static uint64_t rng_state;
static double draw(double lo, double hi)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

static void test_bracket(void)
{
	struct probe_bracket b = { 0 };

	CHECK(fabs(probe_tolerance(1.0) - 0.2) < 1e-9);
	CHECK(fabs(probe_tolerance(10.0) - 0.5) < 1e-9);
	CHECK(fabs(probe_tolerance(4.0) - 0.2) < 1e-9);
	CHECK(probe_bracket_done(&b));              /* nothing died: nothing to narrow */
	CHECK(probe_bracket_estimate(&b) < 0);
	probe_bracket_add(&b, 2.0, PROBE_ALIVE, -1);
	probe_bracket_add(&b, 1.0, PROBE_ALIVE, -1);
	CHECK(b.survived == 2.0);
	probe_bracket_add(&b, 8.0, PROBE_SILENT, -1);
	probe_bracket_add(&b, 4.0, PROBE_RST, -1);
	CHECK(b.has_died && b.died == 4.0 && b.death == PROBE_RST && !b.died_while_idle);
	CHECK(!probe_bracket_done(&b));
	CHECK(fabs(probe_bracket_estimate(&b) - 3.0) < 1e-9);
	probe_bracket_add(&b, 6.0, PROBE_FIN, 2.1);  /* closed while idle, after 2.1 s */
	CHECK(b.died == 2.1 && b.death == PROBE_FIN && b.died_while_idle);
	CHECK(probe_bracket_done(&b));               /* 2.1 - 2.0 <= 0.2 */
	CHECK(fabs(probe_bracket_estimate(&b) - 2.1) < 1e-9);
	CHECK_EQ_STR(probe_outcome_name(PROBE_SILENT), "silent");
}

static void test_first_round(void)
{
	struct probe_plan p;
	double idle[PROBE_MAX_PARALLEL];
	size_t n;

	probe_plan_init(&p, 120, 16, 1.0);
	n = probe_plan_next(&p, 0, idle);
	CHECK_EQ_INT(n, 16);
	CHECK(fabs(idle[0] - PROBE_MIN_IDLE_S) < 1e-9);
	CHECK(idle[15] == 120);
	for (size_t i = 1; i < n; i++)
		CHECK(fabs(idle[i] / idle[i - 1] - idle[1] / idle[0]) < 1e-6);  /* geometric */
	CHECK(probe_plan_next(&p, 121, idle) == 0);  /* nothing died: over */
	probe_plan_init(&p, 5, 1, 1.0);
	CHECK(probe_plan_next(&p, 0, idle) == 1 && idle[0] == 5);
}

struct pend {
	double idle, end, died_at;
	enum probe_outcome o;
	bool live;
};

/* One simulated run; returns its wall time and the final plan. */
static double simulate(struct probe_plan *p, double max_s, unsigned k, double wait, double T,
		       bool active, enum probe_outcome lazy_death)
{
	double idle[PROBE_MAX_PARALLEL], now = 0, rtt = 0.001;
	struct pend q[PROBE_MAX_PARALLEL];
	size_t n;

	probe_plan_init(p, max_s, k, wait);
	while ((n = probe_plan_next(p, now, idle)) > 0) {
		double start = now;

		CHECK(n <= k);
		for (size_t i = 0; i < n; i++) {
			struct pend *e = &q[i];

			e->idle = idle[i], e->live = true, e->died_at = -1;
			if (active && idle[i] >= T)
				e->end = start + T, e->o = PROBE_FIN, e->died_at = T;
			else if (idle[i] >= T)
				e->o = lazy_death, e->end = start + idle[i] + (lazy_death == PROBE_SILENT ? wait : rtt);
			else
				e->o = PROBE_ALIVE, e->end = start + idle[i] + rtt;
		}
		for (;;) {
			size_t best = n;

			for (size_t i = 0; i < n; i++)
				if (q[i].live && (best == n || q[i].end < q[best].end))
					best = i;
			if (best == n)
				break;
			now = q[best].end;
			q[best].live = false;
			probe_bracket_add(&p->b, q[best].idle, q[best].o, q[best].died_at);
			/* still idle and moot: stopped, as run.c does */
			for (size_t i = 0; i < n; i++)
				if (q[i].live && start + q[i].idle > now && probe_plan_moot(p, q[i].idle))
					q[i].live = false;
		}
	}
	return now;
}

static void test_oracle(void)
{
	static const double maxes[] = { 8, 12, 30, 120 };
	static const unsigned ks[] = { 4, 16, 64 };
	unsigned runs = 0, narrowed = 0;

	for (int rep = 0; rep < 400; rep++) {
		double max_s = maxes[rep % 4], wait = draw(1.0, 2.0);
		unsigned k = ks[(rep / 4) % 3];
		bool active = rep % 2;
		enum probe_outcome lazy = (rep / 2) % 2 ? PROBE_SILENT : PROBE_RST;
		double T = draw(0.3, 1.2 * max_s), wall, est;
		struct probe_plan p;

		wall = simulate(&p, max_s, k, wait, T, active, lazy);
		runs++;
		/* the budget: little more than --max */
		CHECK(wall <= max_s + 2 * wait + 1.0 + 1e-6);
		if (wall > max_s + 2 * wait + 1.0 + 1e-6)
			fprintf(stderr, "  wall %.2f for max %.0f k %u T %.2f %s\n", wall, max_s, k, T,
				active ? "active" : "lazy");
		if (T > max_s) {
			CHECK(!p.b.has_died);
			CHECK(p.b.survived == max_s);
			continue;
		}
		/* the bracket holds the hidden timeout */
		CHECK(p.b.has_died);
		CHECK(p.b.survived < T + 1e-9 && p.b.died >= T - 1e-9);
		est = probe_bracket_estimate(&p.b);
		bool should = k >= 16 && (active ? T <= max_s / 2.2 : T <= (max_s + 1 - wait) / 3.2);
		if (should) {
			CHECK(probe_bracket_done(&p.b));
			CHECK(fabs(est - T) <= probe_tolerance(T));
			if (!probe_bracket_done(&p.b) || fabs(est - T) > probe_tolerance(T))
				fprintf(stderr, "  not narrowed: max %.0f k %u T %.3f %s: [%.3f, %.3f] est %.3f\n",
					max_s, k, T, active ? "active" : "lazy", p.b.survived, p.b.died, est);
		}
		if (probe_bracket_done(&p.b))
			narrowed++;
		if (active)
			CHECK(fabs(est - T) < 1e-9);  /* a direct observation */
	}
	printf("probe_plan: %u simulated runs, %u narrowed to 5 %% / 0.2 s\n", runs, narrowed);
}

int main(void)
{
	const char *s = getenv("PROBE_UNIT_SEED");

	rng_state = s ? strtoull(s, NULL, 10) : 20261201;
	printf("probe_plan: seed %llu (PROBE_UNIT_SEED)\n", (unsigned long long)rng_state);
	test_bracket();
	test_first_round();
	test_oracle();
	return unit_done("probe_plan");
}
