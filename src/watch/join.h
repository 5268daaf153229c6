/* join: kernel reset events <-> RSTs on the wire, and the owning process.
 *
 * A final verdict whose RST claims a local address as its sender is matched
 * with the tcp_send_reset event of the same 4-tuple within a time window
 * (trace time already mapped to wall time). Matched: the verdict gets the
 * kernel's reason and the socket's process, and the cause ranking takes the
 * reason into account. Not matched while no kernel event was lost around
 * that time: the RST was not sent by this host — something in the path
 * forged it. An RST to a local address is matched with tcp_receive_reset:
 * the process whose socket was reset.
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

#include "sources/sockowner.h"
#include "sources/tracefs.h"
#include "verdict/verdict.h"

/* kernel_reason given to a matched RST on a kernel whose tcp_send_reset has
 * no reason field */
#define JOIN_REASON_NONE "UNKNOWN"

struct join_event {
	enum tfs_kind kind;          /* TFS_SEND_RESET or TFS_RECV_RESET */
	int64_t wall_ns;
	struct ipaddr src, dst;      /* src: this host's side */
	uint16_t sport, dport;
	char reason[TFS_NAME_MAX];
	int pid;                     /* owner or closer; -1: unknown */
	char comm[17];
	bool by_closer;              /* pid is the task that closed the socket */
	bool used;
};

struct join_opts {
	double window_s;             /* |event - RST| allowed; 0: 1.0 */
	unsigned cap;                /* events kept; 0: 4096 */
};

enum join_result {
	JOIN_NOT_LOCAL,      /* neither end is local: nothing to look for */
	JOIN_SENT,           /* the kernel's tcp_send_reset found */
	JOIN_NOT_SENT,       /* claims a local sender, no event: forged in the path */
	JOIN_UNSURE,         /* no event, but events were lost around then */
	JOIN_RECEIVED,       /* a local socket took it (tcp_receive_reset) */
	JOIN_NOT_RECEIVED,   /* to a local address, no socket took it */
	JOIN__COUNT
};
extern const char *const join_result_name[JOIN__COUNT];

struct join_stats {
	uint64_t events, evicted, result[JOIN__COUNT], unmatched_sent;
};

struct join;

struct join *join_new(const struct join_opts *o);
void join_free(struct join *j);

/* This host's addresses. 127/8 and ::1 are always local. */
int join_set_local(struct join *j, const struct ipaddr *a, size_t n);
/* Load them from getifaddrs(); 0 or -1. */
int join_load_local(struct join *j);
bool join_is_local(const struct join *j, const struct ipaddr *a);

/* Is reason one sent from the close() path (the task is the closer)? */
bool join_closer_reason(const char *reason);

/* Turn a trace event (send or receive reset) into a join event, with its
 * owner from the closer rule or from so (may be NULL). */
void join_event_from_trace(const struct tfs_event *ev, int64_t wall_ns,
			   struct sockowner *so, struct join_event *out);
/* A set_state event: teach so who acted on a socket. Returns true when a
 * socket-table refresh would find a new connection's owner. */
bool join_on_state(const struct tfs_event *ev, struct sockowner *so, int64_t now_ns);

void join_add(struct join *j, const struct join_event *ev);
/* Kernel events were lost (ring overrun) at about this time. */
void join_note_lost(struct join *j, int64_t wall_ns);

/* Annotate a final verdict: kernel_checked, kernel_reason, pid, comm, and
 * the evidence and cause the kernel's view supports. */
enum join_result join_verdict(struct join *j, struct rst_verdict *v);

/* Drop events older than before_ns; sent resets never matched go to fn. */
typedef void (*join_unmatched_fn)(const struct join_event *ev, void *ctx);
void join_expire(struct join *j, int64_t before_ns, join_unmatched_fn fn, void *ctx);

void join_stats(const struct join *j, struct join_stats *s);

#endif
