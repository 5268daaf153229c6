/* listeners: TCP listeners with their accept queues, and CLOSE_WAIT
 * sockets per process, from netlink sock_diag (INET_DIAG).
 *
 * In LISTEN state the kernel reports the accept queue's length as
 * idiag_rqueue and the listen() backlog as idiag_wqueue. Owners come from
 * the sockets' inodes through <proc_root>/PID/fd (sockowner's walk). A
 * replay reads the raw dump replies from a file (as ss does with its
 * dump files); the parser takes a length and refuses malformed messages. */
#ifndef RSTSCOPE_LISTENERS_H
#define RSTSCOPE_LISTENERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define LISTEN_MAX 512
#define CW_INODES_MAX 16384
#define CW_PROCS_MAX 256

struct listener {
	struct ipaddr addr;
	uint16_t port;
	uint32_t queue, backlog;     /* accept queue now, its limit */
	uint64_t inode;
	int pid;                     /* -1: unknown */
	char comm[17];
	char cgroup[192];            /* filled by the sampler */
	uint8_t cgroup_version;
};

struct cwproc {
	int pid;                     /* -1: sockets without a known owner */
	char comm[17];
	unsigned count;
	char cgroup[192];            /* filled by the sampler */
	uint8_t cgroup_version;
};

struct socklist {
	unsigned nl, ncw, cw_total, truncated, unowned;
	struct listener l[LISTEN_MAX];
	uint64_t cw_inode[CW_INODES_MAX];   /* CLOSE_WAIT sockets' inodes */
	unsigned ncwp;
	struct cwproc cw[CW_PROCS_MAX];     /* per owner, most first */
};

/* Parse sock_diag replies (several messages). Returns sockets added, -1 on
 * a malformed message, -2 on a netlink error reply. */
int sockdiag_parse(const uint8_t *buf, size_t len, struct socklist *out);
/* The same from /proc/net/tcp or tcp6 text (a replay without netlink
 * replies): LISTEN rows' rx_queue is the accept queue, the backlog is not
 * printed there (0: unknown). Returns sockets added, -1 when not that file. */
int socklist_parse_proc_tcp(const char *buf, size_t len, struct socklist *out);
/* Live dump of LISTEN and CLOSE_WAIT TCP sockets (IPv4, IPv6) of this
 * network namespace; raw replies appended to save (if not NULL). 0 or -errno. */
int sockdiag_dump(struct socklist *out, uint8_t *save, size_t save_size, size_t *saved);
/* Owners of the listeners and CLOSE_WAIT sockets (one walk of proc_root,
 * at most max_procs processes), and the per-process CLOSE_WAIT counts. */
void socklist_owners(struct socklist *sl, const char *proc_root, unsigned max_procs);
/* "addr:port" or "[v6]:port". */
void listener_name(const struct listener *l, char *buf, size_t size);

#endif
