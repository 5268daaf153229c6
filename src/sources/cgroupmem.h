/* cgroupmem: per-cgroup OOM kills and memory limits.
 *
 * The memory hierarchies are found in mountinfo, never assumed: cgroup v2
 * (a "cgroup2" mount; only cgroups whose memory controller is enabled have
 * memory.events) and cgroup v1 (a "cgroup" mount with the "memory" option:
 * memory.oom_control's oom_kill, memory.failcnt, memory.limit_in_bytes).
 * Both can be mounted at once (v1 memory with an empty v2 tree beside it).
 * Mount points under /sys are mapped below sys_root for a replay. The walk
 * is bounded in depth and in cgroups (CGMEM_MAX; beyond it, truncated). */
#ifndef RSTSCOPE_CGROUPMEM_H
#define RSTSCOPE_CGROUPMEM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGMEM_MAX 2048
#define CGMEM_PATH 192
#define CGMEM_DEPTH 24

struct cgmem {
	char path[CGMEM_PATH];   /* "/" or "/system.slice/x.service": in its hierarchy */
	uint8_t version;         /* 1 or 2 */
	uint64_t oom_kill;       /* v2 memory.events oom_kill, v1 memory.oom_control oom_kill */
	uint64_t failcnt;        /* v1 memory.failcnt; v2 memory.events max */
	uint64_t limit;          /* bytes; 0: no limit */
};

struct cgmem_mounts {
	char v2[256], v1[256];   /* mount points as mounted ("" when none) */
};

struct cgmem_list {
	unsigned n, truncated;
	bool v1, v2;             /* hierarchies found */
	struct cgmem c[CGMEM_MAX];
};

/* The memory hierarchies in a mountinfo text. 0, or -1 when neither. */
int cgmem_parse_mountinfo(const char *buf, size_t len, struct cgmem_mounts *m);
/* Read every cgroup of the hierarchies (sorted by version, path).
 * Returns cgroups read, -1 when no hierarchy could be opened. */
int cgmem_scan(const struct cgmem_mounts *m, const char *sys_root, struct cgmem_list *out);
/* One cgroup by its path in the memory hierarchy (v1 first, then v2),
 * without a walk: 0 with *out filled, -1 when neither has it. */
int cgmem_read(const struct cgmem_mounts *m, const char *sys_root, const char *path,
	       struct cgmem *out);
/* The cgroup of path (version v) in l, or NULL. */
const struct cgmem *cgmem_find(const struct cgmem_list *l, uint8_t v, const char *path);
/* The memory cgroup of process pid from <proc_root>/PID/cgroup: the v1
 * memory line's path, else the v2 "0::" path. False when unreadable. */
bool cgmem_of_pid(const char *proc_root, int pid, char *path, size_t size, uint8_t *version);
/* Parse one /proc/PID/cgroup text (exposed for tests). */
bool cgmem_parse_pid_cgroup(const char *buf, size_t len, char *path, size_t size, uint8_t *version);

#endif
