/* fds: processes near their open-file limit.
 *
 * For each process: the soft "Max open files" of <proc_root>/PID/limits
 * against the entries of <proc_root>/PID/fd. The scan is bounded: at most
 * max_procs processes per sample, resuming after the last pid scanned, so
 * a large host is covered over several samples (the result says how many
 * were scanned and whether the window wrapped); a process's fd count stops
 * at FDS_COUNT_CAP. Other users' processes need root (counted unreadable). */
#ifndef RSTSCOPE_FDS_H
#define RSTSCOPE_FDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDS_TOP 64
#define FDS_COUNT_CAP (1u << 22)

struct fdproc {
	int pid;
	char comm[17];
	uint64_t fds, limit;     /* limit 0: unlimited or unknown */
	char cgroup[192];        /* filled by the sampler: the memory cgroup */
	uint8_t cgroup_version;
};

struct fds_result {
	unsigned procs, scanned, unreadable;   /* pids seen, scanned this sample, not readable */
	bool partial;                          /* not every process was scanned this sample */
	unsigned n;                            /* the processes nearest their limit, worst first */
	struct fdproc top[FDS_TOP];
};

struct fds_scan {
	int next_pid;            /* resume point of the rotating window */
};

/* Scan up to max_procs processes. 0, or -errno when proc_root is unreadable. */
int fds_scan_run(struct fds_scan *s, const char *proc_root, unsigned max_procs,
		 struct fds_result *out);
/* The soft limit of "Max open files" in a limits text; 0 for unlimited.
 * -1 when absent. */
int fds_parse_limits(const char *buf, size_t len, uint64_t *soft);

#endif
