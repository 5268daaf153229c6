/* hostfind: rstscope host's sampling inside watch. Every interval the
 * host's counters, logs and listeners are sampled (host/), their findings
 * evaluated against the sample before, and each finding given to the
 * engine as evidence: to the diagnosis (a finding that bears on a cause
 * corroborates it), and, for a listener whose queues overflowed, to the
 * kernel store, so that the resets that listener sent in that interval
 * name it. Findings of the first sample (history: counted before watch
 * started) are not evidence. */
#ifndef RSTSCOPE_HOSTFIND_H
#define RSTSCOPE_HOSTFIND_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "host/finding.h"
#include "verdict/verdict.h"

struct hostfind;

/* Open the live sources (before dropping privileges); interval_s > 0.
 * NULL with a message in err. */
struct hostfind *hostfind_open(double interval_s, char *err, size_t errsz);
void hostfind_close(struct hostfind *h);

/* Sample when an interval has passed since the last sample (at wall time
 * now_ns), or soon: a reset a listener may have sent for want of room came
 * in (at most every HOSTFIND_SOON_S), so that its overflow is known before
 * its verdict is final. Give the findings to e; returns how many. */
#define HOSTFIND_SOON_S 0.2
unsigned hostfind_poll(struct hostfind *h, struct engine *e, int64_t now_ns, bool soon);

/* The cause a finding bears on (CAUSE__COUNT: none), for the diagnosis. */
enum rst_cause hostfind_cause(enum host_finding_id id);

/* Give one finding to e (the step hostfind_poll takes for each). */
void hostfind_give(struct engine *e, const struct host_finding *f);

#endif
