/* hostev: host events that name what happened behind a burst of resets,
 * sampled inside watch: the kernel log's OOM kills ("Killed process PID
 * (COMM)" merged with its "oom-kill:...task_memcg=" line, src/sources/kmsg)
 * with the killed cgroup's memory limit (src/sources/cgroupmem, the
 * hierarchies found in mountinfo), given to the engine as evidence
 * (engine_host_event). A replay reads <DIR>/kmsg, <DIR>/proc/self/mountinfo
 * and <DIR>/sys instead. */
#ifndef RSTSCOPE_HOSTEV_H
#define RSTSCOPE_HOSTEV_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "sources/tracefs.h"

struct hostev;

/* Live (replay_dir NULL): the kernel log from its end. NULL with -errno in
 * *err when it cannot be opened (watch goes on without host events). */
struct hostev *hostev_open(const char *replay_dir, int *err);
void hostev_close(struct hostev *h);
/* What is new into e: live, what the log has; a replay, every record of
 * its file once (times through t's clock). Returns OOM kills given. */
unsigned hostev_poll(struct hostev *h, struct engine *e, const struct tracefs *t);
/* OOM kills given so far, kernel log records lost. */
void hostev_counts(const struct hostev *h, uint64_t *ooms, uint64_t *lost);

#endif
