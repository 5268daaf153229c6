/* join: the kernel's trace events turned into evidence for the engine.
 *
 * A tcp_send_reset or tcp_receive_reset becomes a struct kernel_reset
 * (kernel/kernel.h) with its owning process; the engine's kernel detector
 * matches it with the wire. This file decides only who owns the socket.
 *
 * Ownership: the event's pid is whoever was on the CPU. It is the socket's
 * closer only for resets sent from the close() path, in task context
 * (TCP_ABORT_ON_CLOSE, TCP_STATE from SO_LINGER 0, TCP_ABORT_ON_LINGER, ...);
 * otherwise the owner comes from the socket (sockowner). */
#ifndef RSTSCOPE_JOIN_H
#define RSTSCOPE_JOIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "sources/netns.h"
#include "sources/procctx.h"
#include "sources/sockowner.h"
#include "sources/tracefs.h"

/* Where recently seen processes live (namespace, cgroup, container), read
 * when a task is seen acting on a socket: a process that resets and exits
 * before its event is read is still placed. Bounded (JOIN_CTX_SLOTS). */
#define JOIN_CTX_SLOTS 256
/* And which process each recent task belongs to, kept from its creation
 * (task_newtask: a thread, CLONE_THREAD, is its creator's process; anything
 * else is its own) or read once from its live status. Trace lines name a
 * thread's process only from the kernel's saved-tgid map, global and never
 * cleared: on a host whose pids wrap it can name the process that last had
 * the pid. So a creation seen beats a live status beats the trace's tgid.
 * Indexed by tid modulo the size (pids are handed out in order, so a slot
 * holds one of the last JOIN_TID_SLOTS tasks made); a new task's creation
 * overwrites its pid's earlier owner. */
#define JOIN_TID_SLOTS 16384
struct join_ctx_cache {
	struct { int pid; struct procctx c; } e[JOIN_CTX_SLOTS];
	unsigned next;
	struct join_tid { int tid, tgid; } t[JOIN_TID_SLOTS];
	/* the host's namespaces (may be NULL): a reset of no socket is placed
	 * in the one holding its local address */
	struct netns_set *nets;
	int64_t nets_read_ns;        /* when nets was last read again for a miss */
};

/* Is reason one sent from the close() path (the task is the closer)? */
bool join_closer_reason(const char *reason);

/* Is pid gone from proc_root (NULL: /proc)? False when there is no
 * proc_root to ask. */
bool join_pid_gone(const char *proc_root, int pid);

/* Turn a trace event (send or receive reset) into a kernel reset, with its
 * owner from the closer rule or from so (may be NULL). */
void join_reset_from_trace(const struct tfs_event *ev, int64_t wall_ns, struct sockowner *so,
			   struct join_ctx_cache *cc, struct kernel_reset *out);
/* A set_state event: teach so who acted on a socket (and cc, may be NULL,
 * where it lives). Returns true when a socket-table refresh would find a
 * new connection's owner. */
bool join_on_state(const struct tfs_event *ev, struct sockowner *so, struct join_ctx_cache *cc,
		   int64_t now_ns);

/* A creation event: remember the process of the new task (cc may be NULL). */
void join_on_fork(const struct tfs_event *ev, const struct sockowner *so,
		  struct join_ctx_cache *cc);

/* This host's addresses from getifaddrs() into a[0..max): their number, or
 * -1 with errno set. */
int join_local_addrs(struct ipaddr *a, size_t max);

#endif
