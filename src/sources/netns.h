/* netns: the network namespaces of this host, seen from the initial one.
 *
 * A container host runs its services in namespaces of their own: their
 * sockets are invisible to a sock_diag socket of watch's namespace, and a
 * reset sent for no socket (NO_SOCKET) names only an address. This stage
 * finds every namespace (through <proc_root>/PID/ns/net of every process
 * and the bind mounts under /run/netns), makes netlink sockets inside one
 * when asked (setns there and back: CAP_SYS_ADMIN; a namespace that cannot
 * be entered is skipped and counted) and reads each one's interface
 * addresses (RTM_GETADDR), so that
 *   - sockowner dumps the sockets of every namespace, and
 *   - an address names the namespace that holds it (when only one does).
 * Nothing is held open between calls: an open namespace file or a socket
 * inside would keep a namespace (and its interfaces) alive after its
 * container is gone. Bounded: NETNS_MAX namespaces, NETNS_ADDRS addresses
 * in all. */
#ifndef RSTSCOPE_NETNS_H
#define RSTSCOPE_NETNS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define NETNS_MAX 256
#define NETNS_ADDRS 4096

struct netns_set;

struct netns_stats {
	unsigned namespaces;     /* known now, this one included */
	unsigned addresses;      /* known now, in all of them */
	uint64_t refreshes, enter_failures;
};

/* proc_root NULL: /proc. NULL on allocation failure. */
struct netns_set *netns_new(const char *proc_root);
void netns_free(struct netns_set *s);

/* Find the namespaces again and read every one's addresses. Returns the
 * number of namespaces known, -1 when even this one's could not be read. */
int netns_refresh(struct netns_set *s);

/* The inode of this process's own network namespace (0: unknown). */
uint64_t netns_self(const struct netns_set *s);

/* Namespaces known at the last refresh, this one first: i in
 * [0, netns_count). */
unsigned netns_count(const struct netns_set *s);
uint64_t netns_ino(const struct netns_set *s, unsigned i);

/* A new netlink socket of protocol proto (NETLINK_SOCK_DIAG, ...) inside
 * namespace i, close-on-exec, for the caller to close; -1 with errno when
 * the namespace is gone or cannot be entered. */
int netns_socket(struct netns_set *s, unsigned i, int proto);

/* The namespace that holds address a on an interface: its inode, or 0 when
 * none or more than one does (127.0.0.1 is in all of them). */
uint64_t netns_of_addr(const struct netns_set *s, const struct ipaddr *a);

/* Every address of every namespace at the last refresh, each once, into
 * out[0..max): their number. */
unsigned netns_addrs(const struct netns_set *s, struct ipaddr *out, unsigned max);

void netns_stats(const struct netns_set *s, struct netns_stats *out);

#endif
