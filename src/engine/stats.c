/* stats: engine counters added up. */
#include "engine/stats.h"

void engine_stats_add(struct engine_stats *into, const struct engine_stats *s)
{
	into->frames += s->frames;
	into->bytes += s->bytes;
	for (int r = 0; r < DECODE__COUNT; r++)
		into->result[r] += s->result[r];
	into->rsts += s->rsts;
	into->flows_created += s->flows_created;
	into->flows_evicted += s->flows_evicted;
	into->flows_expired += s->flows_expired;
	into->flows_open += s->flows_open;
	into->flows_peak += s->flows_peak;
	into->time_backwards += s->time_backwards;
	for (int k = 0; k < RK__COUNT; k++)
		into->kernel[k] += s->kernel[k];
	into->kernel_only += s->kernel_only;
}
