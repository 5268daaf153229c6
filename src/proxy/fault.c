/* proxy/fault: when and how a connection is ended on purpose. The draws,
 * the byte budget of --reset-after-bytes, and the per-connection timers
 * (connect timeout, planned reset, idle timeout, delivery wait, silence). */
#include "proxy/internal.h"

#include <math.h>

void proxy_rng_init(struct proxy_rng *r, uint64_t seed)
{
	r->state = seed;
}

/* splitmix64 (Steele, Lea, Flood 2014): full period, good enough to pick
 * connections, and identical on every platform for a given seed. */
uint64_t proxy_rng_next(struct proxy_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double proxy_rng_unit(struct proxy_rng *r)
{
	return (double)(proxy_rng_next(r) >> 11) * 0x1.0p-53;
}

bool proxy_rng_chance(struct proxy_rng *r, double p)
{
	double u = proxy_rng_unit(r); /* drawn even at 0 and 1: same sequence */

	if (p <= 0)
		return false;
	if (p >= 1)
		return true;
	return u < p;
}

static uint64_t counted(const struct proxy *p, const struct proxy_conn *c)
{
	switch (p->o->reset_dir) {
	case PROXY_DIR_UP: return c->pipe[PROXY_UP].bytes;
	case PROXY_DIR_DOWN: return c->pipe[PROXY_DOWN].bytes;
	case PROXY_DIR_BOTH: break;
	}
	return c->pipe[PROXY_UP].bytes + c->pipe[PROXY_DOWN].bytes;
}

uint64_t proxy_fault_budget(const struct proxy *p, const struct proxy_conn *c, int d)
{
	const struct proxy_opts *o = p->o;
	uint64_t done;

	if (!o->has_reset_bytes || c->fault_done)
		return UINT64_MAX;
	if ((o->reset_dir == PROXY_DIR_UP && d != PROXY_UP) ||
	    (o->reset_dir == PROXY_DIR_DOWN && d != PROXY_DOWN))
		return UINT64_MAX;
	done = counted(p, c);
	return done >= o->reset_bytes ? 0 : o->reset_bytes - done;
}

bool proxy_fault_bytes_due(const struct proxy *p, const struct proxy_conn *c)
{
	return p->o->has_reset_bytes && !c->fault_done && counted(p, c) >= p->o->reset_bytes;
}

double proxy_conn_next(const struct proxy *p, const struct proxy_conn *c)
{
	const struct proxy_opts *o = p->o;
	double t = HUGE_VAL;

	switch (c->state) {
	case PROXY_CONNECTING:
		return c->t_deadline; /* a planned reset waits for the connect */
	case PROXY_OPEN:
		if (c->reset_chosen && !c->fault_done)
			t = c->t_reset;
		if (o->has_idle && !c->fault_done)
			t = fmin(t, c->t_last + o->idle_timeout);
		return t;
	case PROXY_DRAINING:
		return fmin(c->t_deadline, c->t_poll + PROXY_DRAIN_POLL);
	case PROXY_SILENT:
		return c->t_deadline;
	}
	return t;
}

static void fault_idle(struct proxy *p, struct proxy_conn *c, double now)
{
	const struct proxy_opts *o = p->o;
	double idle = now - c->t_last;

	c->fault_done = true;
	proxy_log(p, "fault", c, "action=%s reason=idle-timeout idle=%.3f",
		  proxy_idle_action_name(o->idle_action), idle);
	switch (o->idle_action) {
	case PROXY_IDLE_RST:
		p->n.rst_idle++;
		proxy_conn_end(p, c, 'r', "idle-timeout");
		return;
	case PROXY_IDLE_FIN:
		p->n.fin_idle++;
		proxy_conn_end(p, c, 'f', "idle-timeout");
		return;
	case PROXY_IDLE_SILENT:
		p->n.silenced++;
		proxy_conn_silence(p, c, now);
		return;
	}
}

void proxy_conn_timers(struct proxy *p, struct proxy_conn *c, double now)
{
	const struct proxy_opts *o = p->o;

	switch (c->state) {
	case PROXY_CONNECTING:
		if (now >= c->t_deadline) {
			p->n.upstream_fail++;
			proxy_log(p, "upstream-fail", c, "upstream=%s error=\"connect timeout after %.3fs\"",
				  o->upstream.text, o->connect_timeout);
			proxy_conn_end(p, c, 'r', "upstream-fail");
		}
		return;
	case PROXY_OPEN:
		if (c->reset_chosen && !c->fault_done && now >= c->t_reset) {
			c->fault_done = true;
			p->n.rst_random++;
			proxy_log(p, "fault", c, "action=rst reason=probability p=%g delay=%.3f",
				  o->reset_prob, o->reset_delay);
			proxy_conn_end(p, c, 'r', "probability");
			return;
		}
		if (o->has_idle && !c->fault_done && now >= c->t_last + o->idle_timeout)
			fault_idle(p, c, now);
		return;
	case PROXY_DRAINING:
		if (now >= c->t_deadline ||
		    (!proxy_conn_unacked(c, PROXY_CLIENT) && !proxy_conn_unacked(c, PROXY_UPSTREAM))) {
			proxy_conn_end(p, c, 'r', c->drain_reason);
			return;
		}
		c->t_poll = now;
		return;
	case PROXY_SILENT:
		if (now >= c->t_deadline) {
			p->n.silent_max++;
			proxy_log(p, "fault", c, "action=rst reason=silent-max held=%.3f", o->silent_max);
			proxy_conn_end(p, c, 'r', "silent-max");
		}
		return;
	}
}
