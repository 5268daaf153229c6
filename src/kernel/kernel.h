/* kernel: this host's kernel's own resets as evidence, kept in a bounded
 * time-window store until the diagnosis has weighed them.
 *
 * A source (watch's tracefs reader) turns each tcp_send_reset and
 * tcp_receive_reset into a struct kernel_reset and gives it to the engine;
 * the kernel detector claims the one that matches a wire RST (same 4-tuple,
 * within the window); the resets nobody claimed leave the store as resets
 * of their own (kstore_pop). Times are wall time, the captures' clock.
 *
 * A listener's reset (INVALID_SYN) is printed by the kernel with the
 * listener's address and no peer (dport 0): it matches on the local side. */
#ifndef RSTSCOPE_KERNEL_H
#define RSTSCOPE_KERNEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

/* kernel_reason of a matched RST on a kernel whose tcp_send_reset has no
 * reason field */
#define KERNEL_REASON_NONE "UNKNOWN"

enum kernel_dir { KRESET_SENT, KRESET_RECEIVED };

struct kernel_reset {
	enum kernel_dir dir;
	int64_t wall_ns;
	struct ipaddr src, dst;      /* src: this host's side (sender or receiver) */
	uint16_t sport, dport;
	uint8_t ipver;               /* 4 or 6 */
	char reason[32];             /* "" when the kernel gives none */
	char state[16];              /* socket state at a send ("" or "UNKNOWN": none) */
	int pid;                     /* owner or closer; -1: unknown */
	char comm[17];
	bool by_closer;              /* pid is the task that closed the socket */
	/* where the owner lives: namespace inode (0 unknown), cgroup path and
	 * the container it implies ("": unknown, none) */
	uint64_t netns;
	char cgroup[160];
	char container[80];
	bool owner_gone;             /* the owner's /proc entry was gone at the join */
};

/* A host event that can explain a burst of resets: a process OOM-killed
 * (kernel log, its cgroup's memory limit from the cgroup tree), or a
 * listener whose queues overflowed (the host's counters, sampled). Kept in
 * a small ring (KHOST_MAX) and looked up near a reset: by pid or cgroup,
 * or by the listener that sent it. */
#define KHOST_MAX 64
#define KHOST_BEFORE_S 10.0          /* an event this long before a reset explains it */
enum khost_kind { KHOST_OOM_KILL, KHOST_LISTEN_OVERFLOW };

struct khost_event {
	enum khost_kind kind;
	int64_t wall_ns;             /* overflow: the end of the sampled interval */
	int pid;
	char comm[17];
	char cgroup[160];            /* the memory cgroup ("" unknown) */
	uint64_t limit;              /* its memory limit in bytes; 0: none or unknown */
	/* overflow: the listener, its namespace (0: unknown), drops in the
	 * interval of interval_s ending at wall_ns, and their rate */
	struct ipaddr laddr;         /* all-zero: any address */
	uint16_t lport;
	uint64_t netns;
	uint64_t drops;
	double interval_s, rate;
};

struct kstore_opts {
	double window_s;             /* |event - RST| allowed; 0: 1.0 */
	unsigned cap;                /* resets kept; 0: 4096 */
};

struct kstore_stats {
	uint64_t added, claimed, popped, paired, losses;
};

struct kstore;

/* NULL on allocation failure. */
struct kstore *kstore_new(const struct kstore_opts *o);
void kstore_free(struct kstore *ks);
int64_t kstore_window_ns(const struct kstore *ks);

/* This host's addresses, of every namespace (capped at 4352). 127/8 and
 * ::1 are always local. */
void kstore_set_local(struct kstore *ks, const struct ipaddr *a, size_t n);
bool kstore_is_local(const struct kstore *ks, const struct ipaddr *a);

/* Keep r. False when the store is full: pop the oldest first. */
bool kstore_add(struct kstore *ks, const struct kernel_reset *r);
/* Kernel events were lost (ring overrun) at about this time. */
void kstore_note_lost(struct kstore *ks, int64_t wall_ns);
/* Were events lost near t (losses are noticed late, at a stats read)? */
bool kstore_lost_near(const struct kstore *ks, int64_t t);

/* The unclaimed reset of direction d nearest t within the window, for the
 * RST a:ap -> b:bp (a is the reset's src side), claimed; NULL: none. The
 * pointer is valid until the next add or pop. */
const struct kernel_reset *kstore_claim(struct kstore *ks, enum kernel_dir d, int64_t t,
					const struct ipaddr *a, uint16_t ap,
					const struct ipaddr *b, uint16_t bp);

/* Take the oldest reset if it is older than before_ns (INT64_MAX: any):
 * -1 when there is none that old, 0 when it had been claimed, 1 when it
 * was never claimed (in *out). A received reset whose sender is this host
 * too (loopback: the twin of a sent one, before or after it) is claimed by
 * that twin, never returned. */
int kstore_pop(struct kstore *ks, int64_t before_ns, struct kernel_reset *out);
bool kstore_full(const struct kstore *ks);

void kstore_stats(const struct kstore *ks, struct kstore_stats *s);

/* Keep a host event (the oldest is overwritten beyond KHOST_MAX). */
void kstore_add_host(struct kstore *ks, const struct khost_event *ev);
/* The latest host event of process pid (or, pid unknown or not found, of
 * cgroup when it is not "" or "/") from KHOST_BEFORE_S before t to one
 * window after it; NULL: none. */
const struct khost_event *kstore_host_near(const struct kstore *ks, int pid, const char *cgroup,
					   int64_t t);
/* The listen overflow (drops > 0) of the listener a:port (one on any
 * address too) in namespace netns (0 on either side: any) whose interval
 * holds t; failing that, the one whose interval lies nearest t, at most
 * one window away; of two as near, the later. NULL: none. */
const struct khost_event *kstore_overflow_near(const struct kstore *ks, uint64_t netns,
					       const struct ipaddr *a, uint16_t port, int64_t t);

#endif
