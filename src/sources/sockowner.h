/* sockowner: which process owns a local TCP socket, by 4-tuple.
 *
 * The socket table comes from netlink sock_diag (INET_DIAG, live) or from
 * <proc_root>/net/tcp and tcp6 (replay, or when netlink is refused); the
 * owner is the process holding "socket:[inode]" among <proc_root>/PID/fd.
 * Sockets are often gone by the time their reset is looked at, so a bounded
 * cache keeps recent owners: filled by refreshes and by owners learned
 * elsewhere (a task seen acting on the socket, sockowner_note).
 *
 * proc_root works like ss's PROC_ROOT: a saved copy of /proc (PID/comm,
 * PID/fd/N symlinks, net/tcp, net/tcp6) answers instead of the live one. */
#ifndef RSTSCOPE_SOCKOWNER_H
#define RSTSCOPE_SOCKOWNER_H
#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

/* A socket by its local and remote ends. */
struct sock_key {
	struct ipaddr laddr, raddr;
	uint16_t lport, rport;
};

struct sock_owner {
	int pid;             /* -1: unknown */
	char comm[17];
	uint32_t uid;
	uint64_t inode;      /* 0: none (time-wait, orphaned, or learned from an event) */
	uint64_t netns;      /* the namespace whose table listed it; 0: unknown */
};

struct sockowner_opts {
	const char *proc_root;   /* NULL: "/proc" */
	bool netlink;            /* use sock_diag (ignored with a proc_root) */
	unsigned cap;            /* cache entries; 0: 8192 */
	unsigned scans_per_s;    /* /proc scans allowed per second; 0: 20 */
};

struct sockowner_stats {
	uint64_t refreshes, lookups, hits, misses, proc_scans, netlink_errors;
};

/* NULL on allocation failure. */
struct sockowner *sockowner_new(const struct sockowner_opts *o);

/* Ask sock_diag in every namespace of ns too (live, netlink only): the
 * sockets of services in namespaces of their own (containers). ns stays
 * the caller's; NULL: this namespace only. A 4-tuple found in two
 * namespaces is the last one read. */
struct netns_set;
void sockowner_set_netns(struct sockowner *so, struct netns_set *ns);
void sockowner_free(struct sockowner *so);

/* Re-read the socket table and find the owners of sockets not known yet.
 * Returns the number of sockets seen, -1 when no table could be read. */
int sockowner_refresh(struct sockowner *so, int64_t now_ns);

/* Remember that pid/comm acted on socket k (e.g. closed it). */
void sockowner_note(struct sockowner *so, const struct sock_key *k, int pid,
		    const char *comm, int64_t now_ns);

/* The owner of local socket k: the cache, then (live) a sock_diag query for
 * that socket and a /proc scan for its inode. A key whose raddr is all-zero
 * and rport 0 matches a listener. True when an owner was found. */
bool sockowner_lookup(struct sockowner *so, const struct sock_key *k, int64_t now_ns,
		      struct sock_owner *out);

/* The /proc this answers from ("/proc" or the proc_root given). */
const char *sockowner_proc_root(const struct sockowner *so);

/* The name of process pid from <proc_root>/PID/comm; false when gone. */
bool sockowner_comm(const struct sockowner *so, int pid, char *comm, size_t size);

void sockowner_stats(const struct sockowner *so, struct sockowner_stats *s);

/* Owners of sockets by inode, without a cache: one walk of
 * <proc_root>/PID/fd over at most max_procs processes (0: all) gives each
 * inodes[i] its owner in pids[i] and comms[i] (pid -1: none found).
 * Returns the number of inodes given an owner. */
int sockowner_find_inodes(const char *proc_root, const uint64_t *inodes, unsigned n,
			  int *pids, char (*comms)[17], unsigned max_procs);

/* Parse one line of /proc/net/tcp or tcp6 into a key, uid and inode.
 * 0, or -1 for the header or junk. Exposed for tests. */
int sockowner_parse_proc_line(const char *line, struct sock_key *k, uint32_t *uid,
			      uint64_t *inode, unsigned *state);

#endif
