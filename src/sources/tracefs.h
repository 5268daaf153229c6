/* tracefs: the kernel's own view of resets, from a tracefs instance of
 * rstscope's own (tcp:tcp_send_reset, tcp:tcp_receive_reset,
 * sock:inet_sock_set_state, task:task_newtask: a new thread's process, its
 * creator's, known as it is made), or from a recorded directory (replay).
 *
 * Event formats are parsed at run time: the reset reason names come from the
 * running kernel's `print fmt` (__print_symbolic of the reason field), never
 * from a table compiled in; a kernel whose tcp_send_reset has no reason field
 * (before 6.10) still works and gives events with an empty reason.
 *
 * Time: the instance's trace_clock is set to "boot" (CLOCK_BOOTTIME: like
 * CLOCK_MONOTONIC but it keeps counting through suspend, and the same clock
 * on every CPU); tracefs_to_wall() maps it to CLOCK_REALTIME (the clock of
 * capture timestamps) with an offset measured at every read. A replay
 * directory carries the offset measured when it was recorded.
 *
 * A replay directory holds events/<system>/<event>/format, trace (the text of
 * trace_pipe) and clock ("boot <realtime_ns - boottime_ns>"). */
#ifndef RSTSCOPE_TRACEFS_H
#define RSTSCOPE_TRACEFS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

enum tfs_kind { TFS_SEND_RESET, TFS_RECV_RESET, TFS_SET_STATE, TFS_FORK, TFS__COUNT };
extern const char *const tfs_kind_name[TFS__COUNT];   /* "tcp_send_reset", ... */

#define TFS_NAME_MAX 32
#define TFS_MAX_SYMS 64

/* value -> name pairs of one __print_symbolic() */
struct tfs_symtab {
	unsigned n;
	struct { long long val; char name[TFS_NAME_MAX]; } e[TFS_MAX_SYMS];
};

/* One event's format file, as far as rstscope needs it. */
struct tfs_format {
	bool present;            /* the event exists on this kernel */
	int id;
	bool has_reason;         /* a field named "reason" */
	bool has_cookie;         /* a field named "sock_cookie" */
	struct tfs_symtab reasons; /* from the print fmt; n == 0 without reason */
};

/* Parse a format file. 0, or -1 when it is not a format file. */
int tfs_parse_format(const char *text, size_t len, struct tfs_format *f);
/* Parse __print_symbolic(REC-><field>, { v, "NAME" }, ...) out of a print
 * fmt. Returns the number of pairs (0: none for that field), -1 on junk. */
int tfs_parse_symbolic(const char *fmt, size_t len, const char *field,
		       struct tfs_symtab *out);
/* Name of value v in tab, or NULL. */
const char *tfs_sym_name(const struct tfs_symtab *tab, long long v);
bool tfs_sym_has(const struct tfs_symtab *tab, const char *name);

/* One parsed trace line. Addresses are v4-mapped for IPv4. For resets the
 * "src" side is this host's socket (the sender of a sent reset, the receiver
 * of a received one); for set_state it is the socket's local side. */
struct tfs_event {
	enum tfs_kind kind;
	int64_t ts_ns;           /* trace clock */
	int pid;                 /* the task on the CPU (see task_context): a thread id */
	int tgid;                /* its process (options/record-tgid); 0: not printed */
	char comm[17];
	int cpu;
	bool task_context;       /* not in soft/hard irq: the task acted itself */
	struct ipaddr src, dst;
	uint16_t sport, dport;
	uint8_t ipver;           /* 4 or 6 */
	char reason[TFS_NAME_MAX];   /* "" when the kernel gives none */
	char state[TFS_NAME_MAX];    /* send_reset: socket state; set_state: new */
	char oldstate[TFS_NAME_MAX]; /* set_state only */
	uint64_t skaddr;         /* hashed pointer as printed; 0: no socket */
	uint64_t cookie;
	bool has_cookie;
	/* newtask only: the creating task, the new one, and whether the new one
	 * is a thread (of the creator's process: CLONE_THREAD) */
	int parent_pid, child_pid;
	bool thread;
};

enum tfs_line {
	TFS_LINE_EVENT = 0,      /* *ev filled */
	TFS_LINE_OTHER = 1,      /* a comment or another event: not ours */
	TFS_LINE_BAD = -1,       /* one of ours, malformed */
};
/* Parse one trace_pipe line (no newline needed; need not be NUL-terminated).
 * Never reads past len. */
enum tfs_line tfs_parse_line(const char *line, size_t len, struct tfs_event *ev);

/* Parse an address as printed by %pI4, %pI6c or the address part of %pISpc. */
int tfs_parse_addr(const char *s, size_t len, struct ipaddr *a, uint8_t *ipver);

/* ---- the source ---- */

struct tracefs;

struct tracefs_opts {
	const char *replay_dir;  /* non-NULL: read a recorded directory */
	const char *mount;       /* NULL: /sys/kernel/tracing (mounted if absent) */
	unsigned buffer_kb;      /* per-CPU ring size; 0: 1024 */
};

struct tracefs_stats {
	uint64_t lines, events[TFS__COUNT], bad_lines, long_lines;
	uint64_t overrun, dropped;   /* ring buffer losses, summed over CPUs */
};

typedef void (*tracefs_event_fn)(const struct tfs_event *ev, void *ctx);

/* Open the source: create the instance (removing stale ones of dead
 * rstscope processes), set its clock, enable the events, open trace_pipe.
 * NULL on failure with a message in err; *no_rights is set when the failure
 * is a lack of privilege. */
struct tracefs *tracefs_open(const struct tracefs_opts *o, bool *no_rights,
			     char *err, size_t errsz);
/* Remove the instance, close everything. NULL is fine. */
void tracefs_close(struct tracefs *t);

/* The fd to poll for input (trace_pipe, non-blocking). */
int tracefs_fd(const struct tracefs *t);
/* Read what is available and call fn for each event. Returns the number of
 * events, 0 when nothing was ready, -1 on a read error. */
int tracefs_read(struct tracefs *t, tracefs_event_fn fn, void *ctx);
/* Replay only: the whole trace file has been read. */
bool tracefs_eof(const struct tracefs *t);
/* Trace clock -> ns since the epoch. */
int64_t tracefs_to_wall(const struct tracefs *t, int64_t trace_ns);
/* Counters, with the ring buffer's loss counts read now (live). */
void tracefs_stats(struct tracefs *t, struct tracefs_stats *s);
const struct tfs_format *tracefs_format(const struct tracefs *t, enum tfs_kind k);
/* The instance directory ("" in replay). */
const char *tracefs_instance(const struct tracefs *t);

/* Fork a helper that keeps the current (root) rights and removes the
 * instance when this process exits, however it exits; for -Z. 0 or -1. */
int tracefs_guard(struct tracefs *t);

/* Remove instances "rstscope-<pid>" under mount whose owner is dead: no
 * process <pid>, a zombie, one that is no rstscope, or one that started
 * after the instance was made (a reused pid). Says each on stderr. Returns
 * how many were removed. */
int tracefs_remove_stale(const char *mount);

#endif
