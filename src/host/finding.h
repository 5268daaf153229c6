/* finding: a host finding as a plain evidence record.
 *
 * What the host's counters and logs say at one interval: which finding
 * (a stable id), when, how fast, the counters behind it and where it is
 * (network namespace, process, cgroup, listener). It knows nothing of how
 * it is printed; the text, JSON and metrics reports, and a diagnosis that
 * weighs it beside wire and kernel evidence, all read the same record. */
#ifndef RSTSCOPE_FINDING_H
#define RSTSCOPE_FINDING_H
#include <stdbool.h>
#include <stdint.h>

enum host_finding_id {
	HF_LISTEN_OVERFLOW,
	HF_SYN_QUEUE_DROP,
	HF_CONNTRACK_FULL,
	HF_OOM_KILL,
	HF_FD_EXHAUSTION,
	HF_ORPHANS,
	HF_TCP_MEMORY,
	HF_CLOSE_WAIT,
	HF_ABORT_ON_CLOSE,
	HF_ABORT_ON_DATA,
	HF_ABORT_ON_LINGER,
	HF_ABORT_ON_TIMEOUT,
	HF_TIME_WAIT,
	HF__COUNT
};

enum host_finding_state {
	HFS_NEW,        /* first seen in this interval */
	HFS_ONGOING,    /* also in the interval before */
	HFS_HISTORY,    /* counted before the run started: not a current rate */
};

#define HF_VALUES_MAX 8
#define HF_NAME_MAX 56

/* A counter or level behind a finding: its value at the end of the
 * interval and, for a counter, its increase over the interval. */
struct hf_value {
	char name[HF_NAME_MAX];
	uint64_t value;
	uint64_t delta;
	bool has_delta;
};

struct hf_where {
	uint64_t netns;          /* network namespace inode; 0: not namespaced (host-wide) */
	int pid;                 /* -1: none */
	char comm[17];
	char cgroup[192];        /* memory cgroup path; "" none */
	uint8_t cgroup_version;  /* 1, 2; 0 none */
	char listener[64];       /* "addr:port"; "" none */
};

struct host_finding {
	enum host_finding_id id;
	enum host_finding_state state;
	int64_t ts_ns;           /* end of the interval, wall clock */
	double interval_s;       /* 0 for history */
	bool has_rate;           /* false for history */
	double rate_per_s;       /* events per second; a level finding: the level's change per second */
	uint64_t count;          /* events in the interval (history: before the run) */
	const char *trigger;     /* which condition held, a fixed phrase */
	char detail[160];        /* optional: what the kernel log said */
	unsigned nvalues;
	struct hf_value v[HF_VALUES_MAX];
	struct hf_where where;
};

/* The stable id ("listen-overflow", ...); NULL for a bad id. */
const char *host_finding_name(enum host_finding_id id);
const char *host_finding_state_name(enum host_finding_state s);

#endif
