/* kmsg: host events from the kernel log (/dev/kmsg records).
 *
 * Only records newer than the start are read (the device is opened
 * non-blocking and sought to its end), at most KMSG_PER_SAMPLE per sample;
 * the rest wait for the next sample, and a ring overwritten under us
 * (EPIPE) is counted as lost. A replay reads <snapshot>/kmsg, records in
 * the same "PRI,SEQ,TS_US,FLAGS;message" form, one per line. The record
 * and message parsers take a length: kernel log text is untrusted. */
#ifndef RSTSCOPE_KMSG_H
#define RSTSCOPE_KMSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSG_PER_SAMPLE 512
#define KMSG_EVENTS_MAX 128

enum kmsg_kind {
	KM_OOM_KILL,          /* "Killed process PID (COMM)" */
	KM_OOM_INFO,          /* "oom-kill:...,task_memcg=/x,task=COMM,pid=PID,..." */
	KM_CONNTRACK_FULL,    /* "nf_conntrack: table full, dropping packet" */
	KM_ORPHANS,           /* "too many orphaned sockets" */
	KM_TCP_MEM,           /* "out of memory -- consider tuning tcp_mem" */
	KM_SYN_FLOOD,         /* "Possible SYN flooding on port X" */
	KM__COUNT
};

struct kmsg_event {
	enum kmsg_kind kind;
	uint64_t seq, ts_us;     /* the record's sequence number, µs since boot */
	int pid;                 /* -1: none */
	char comm[17];
	char cgroup[192];        /* task_memcg of an OOM kill */
	char port[64];           /* the listener of a SYN flood, as printed */
};

struct kmsg_events {
	unsigned n, records, lost, dropped;   /* events; records read; lost (EPIPE); events beyond the cap */
	struct kmsg_event e[KMSG_EVENTS_MAX];
};

/* "PRI,SEQ,TS,FLAGS;text": the text part in *msg, its seq and ts. 0 or -1. */
int kmsg_parse_record(const char *buf, size_t len, uint64_t *seq, uint64_t *ts_us,
		      const char **msg, size_t *msglen);
/* Classify one message; 1 with *ev filled, 0 when it is none of ours. */
int kmsg_classify(const char *msg, size_t len, struct kmsg_event *ev);
/* Add a record's event to the list, merging an OOM kill with the oom-kill
 * info line of the same pid (its cgroup). */
void kmsg_events_add(struct kmsg_events *l, const struct kmsg_event *ev);

struct kmsg_src;
/* Live: open /dev/kmsg at its end. NULL with -errno in *err. */
struct kmsg_src *kmsg_open(int *err);
void kmsg_close(struct kmsg_src *k);
/* Read what is new (live), bounded; events appended to out. 0 or -errno. */
int kmsg_read(struct kmsg_src *k, struct kmsg_events *out);
/* A replay's file: every record of it. 0, or -errno. */
int kmsg_read_file(const char *path, struct kmsg_events *out);

#endif
