/* host_out: host findings, sources, counters and the run's summary as
 * text (one block per finding, for a person), JSON Lines (schema in
 * docs/output.md, "rstscope host") and Prometheus text exposition. */
#ifndef RSTSCOPE_HOST_OUT_H
#define RSTSCOPE_HOST_OUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "host/host.h"

void host_out_source(FILE *f, bool json, enum host_source_id id, const struct host_source_status *st);
void host_out_finding(FILE *f, bool json, const struct host_finding *x);
/* The {"type":"counters"} line of an interval (JSON only). */
void host_out_counters(FILE *f, const struct host_sample *prev, const struct host_sample *cur);
void host_out_summary(FILE *f, bool json, const struct host_track *t, uint64_t netns,
		      double duration_s, const struct host_sample *last);
/* The exposition: the sample's counters under node_exporter's names where
 * node_exporter has them, the findings gauge of the last interval, and
 * the sources. Returns the length (cut at size - 1). */
size_t host_out_metrics(char *buf, size_t size, const struct host_sample *cur,
			const struct host_finding *f, unsigned nf);

#endif
