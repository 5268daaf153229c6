/* track: a finding is new the first interval it appears in, ongoing while
 * it appeared in the interval before; the run's summary per finding and
 * place. History findings are accounted apart and never become current. */
#include <string.h>

#include "host/host.h"

static bool same_place(const struct host_track_entry *e, const struct host_finding *f)
{
	return e->id == f->id && e->history == (f->state == HFS_HISTORY) &&
	       e->where.pid == f->where.pid && !strcmp(e->where.cgroup, f->where.cgroup) &&
	       !strcmp(e->where.listener, f->where.listener);
}

void host_track_interval(struct host_track *t, struct host_finding *f, unsigned n)
{
	unsigned now = t->interval++;

	for (unsigned i = 0; i < n; i++) {
		struct host_track_entry *e = NULL;

		for (unsigned j = 0; j < t->n && !e; j++)
			if (same_place(&t->e[j], &f[i]))
				e = &t->e[j];
		if (f[i].state != HFS_HISTORY)
			f[i].state = e && e->last_interval + 1 == now ? HFS_ONGOING : HFS_NEW;
		if (!e) {
			if (t->n == HOST_TRACK_MAX) {
				t->dropped++;
				continue;
			}
			e = &t->e[t->n++];
			memset(e, 0, sizeof(*e));
			e->id = f[i].id;
			e->where = f[i].where;
			e->history = f[i].state == HFS_HISTORY;
			e->first_ns = f[i].ts_ns;
		}
		if (e->last_interval == now && e->intervals)
			continue;   /* one finding per place and interval is counted */
		e->intervals++;
		e->count += f[i].count;
		if (f[i].has_rate && f[i].rate_per_s > e->max_rate)
			e->max_rate = f[i].rate_per_s;
		e->last_ns = f[i].ts_ns;
		e->last_interval = now;
	}
}

unsigned host_track_current(const struct host_track *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->n; i++)
		n += !t->e[i].history;
	return n;
}
