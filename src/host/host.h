/* host: samples of the host's counters and logs, and the findings they
 * support (listen-overflow, conntrack-full, oom-kill, ...).
 *
 * Stages: the sampler reads every source into a host_sample (sources/:
 * procnet, conntrack, cgroupmem, kmsg, fds, listeners), from the live host
 * or from a recorded snapshot directory; the rule table (findings.c)
 * compares two samples and emits findings, plain evidence records
 * (finding.h); the tracker marks them new or ongoing and keeps the
 * run's summary. Reports live in report/host_out.c. */
#ifndef RSTSCOPE_HOST_H
#define RSTSCOPE_HOST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/finding.h"
#include "sources/cgroupmem.h"
#include "sources/counters.h"
#include "sources/fds.h"
#include "sources/kmsg.h"
#include "sources/listeners.h"

/* ---- sources and samples ---- */

enum host_source_id {
	HS_NETSTAT, HS_SNMP, HS_SNMP6, HS_SOCKSTAT, HS_SOCKSTAT6, HS_VMSTAT,
	HS_FILE_NR, HS_TCP_SYSCTL, HS_CONNTRACK_COUNT, HS_CONNTRACK_STAT,
	HS_CGROUP_MEMORY, HS_KMSG, HS_PROCESS_FDS, HS_SOCK_DIAG,
	HS__COUNT
};

enum host_source_state { HSS_OK, HSS_MISSING, HSS_NO_RIGHTS, HSS_PARTIAL, HSS_ERROR };

struct host_source_status {
	enum host_source_state state;
	char where[160];         /* the path or interface read */
	char detail[200];        /* why missing, what was bounded */
};

struct host_sample {
	int64_t ts_ns;           /* wall clock when taken */
	uint64_t netns;          /* inode of the network namespace read */
	struct ctrset ctr;
	struct cgmem_list cg;
	struct kmsg_events km;   /* log events since the sample before */
	struct fds_result fds;
	struct socklist socks;
	struct host_source_status src[HS__COUNT];
};

struct host_sampler_opts {
	const char *replay_dir;  /* DIR/0, DIR/1, ...: recorded snapshots; NULL: live */
	const char *proc_root;   /* live: "/proc" unless set (RSTSCOPE_PROC_ROOT) */
	const char *sys_root;    /* live: "/sys" unless set (RSTSCOPE_SYS_ROOT) */
	unsigned max_procs;      /* processes scanned per sample for fds and owners; 0: 1024 */
	const char *save_dir;    /* write each sample's netlink replies here (recorder) */
};

struct host_sampler;

/* Open the live sources that need rights (the kernel log, netlink); call
 * before dropping privileges. NULL with a message on failure. */
struct host_sampler *host_sampler_new(const struct host_sampler_opts *o, char *err, size_t errsz);
void host_sampler_free(struct host_sampler *s);
/* Take the next sample into out. 0; 1 when a replay has no more
 * snapshots; -1 on failure. */
int host_sampler_take(struct host_sampler *s, struct host_sample *out);
/* Snapshots in a replay (0 live). */
unsigned host_sampler_replay_len(const struct host_sampler *s);

/* Sysctls only the initial network namespace has (tcp_mem,
 * tcp_max_orphans: host-wide): where PATHS[0] is absent here, open each in
 * the initial namespace (setns there and back; root) into FDS (-1: not).
 * Returns how many were opened, -1 when the return to this namespace
 * failed. host_initns_read reads one again from its start (0-terminated):
 * its length or -errno. */
int host_initns_open(const char *const *paths, int *fds, unsigned n);
long host_initns_read(int fd, char *buf, size_t size);

const char *host_source_name(enum host_source_id id);
const char *host_source_state_name(enum host_source_state st);

/* ---- the rule table ---- */

struct host_rule {
	enum host_finding_id id;
	const char *name;          /* the stable id */
	const char *counters;      /* what it reads */
	const char *threshold;     /* when it fires, with the named thresholds */
	const char *kernel_path;   /* where in the kernel, one phrase */
	const char *fix;
	bool has_history;          /* counters that can be history at the start */
	/* Findings of cur against prev (NULL: the first sample, history only)
	 * into out[max]; returns how many. */
	unsigned (*eval)(const struct host_rule *r, const struct host_sample *prev,
			 const struct host_sample *cur, struct host_finding *out, unsigned max);
};

struct host_threshold {
	const char *name;
	double value;
	const char *unit, *meaning;
};

const struct host_rule *host_rules(unsigned *n);
const struct host_rule *host_rule(enum host_finding_id id);
const struct host_threshold *host_thresholds(unsigned *n);
/* The counters every rule reads, for the per-interval counters line. */
const char *const *host_rule_counters(unsigned *n);

/* Every finding of one interval (prev NULL: history of the first sample).
 * Returns how many were written (at most max). */
unsigned host_findings_eval(const struct host_sample *prev, const struct host_sample *cur,
			    struct host_finding *out, unsigned max);

/* ---- new / ongoing, and the run's summary ---- */

#define HOST_TRACK_MAX 512

struct host_track_entry {
	enum host_finding_id id;
	struct hf_where where;
	bool history;
	unsigned intervals;       /* intervals it was current in */
	uint64_t count;
	double max_rate;
	int64_t first_ns, last_ns;
	unsigned last_interval;
};

struct host_track {
	unsigned interval;        /* intervals seen */
	unsigned n, dropped;
	struct host_track_entry e[HOST_TRACK_MAX];
};

/* Mark each finding of this interval new or ongoing (history stays) and
 * account it in the summary. Call once per interval, in order. */
void host_track_interval(struct host_track *t, struct host_finding *f, unsigned n);
/* Findings current (not history) in the run. */
unsigned host_track_current(const struct host_track *t);

#endif
