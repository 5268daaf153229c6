/* stats: engine counters of several runs added up (analyze --overall,
 * rstscope merge). */
#ifndef RSTSCOPE_ENGINE_STATS_H
#define RSTSCOPE_ENGINE_STATS_H
#include "engine/engine.h"

/* Add s to into: counts summed; flows_peak and flows_open summed too (the
 * flows of separate runs were separate flows). */
void engine_stats_add(struct engine_stats *into, const struct engine_stats *s);

#endif
