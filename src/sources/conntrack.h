/* conntrack: the netfilter connection tracker's fill and failures.
 *
 * Counters (names under "conntrack."): entries, entries_limit (from
 * /proc/sys/net/netfilter/nf_conntrack_count and _max, or ctnetlink's
 * global stats), and per-CPU sums stat_found, stat_invalid, stat_insert,
 * stat_insert_failed, stat_drop, stat_early_drop, stat_search_restart, ...
 * from /proc/net/stat/nf_conntrack or, where that file is absent (kernels
 * built without CONFIG_NF_CONNTRACK_PROCFS), from ctnetlink
 * (IPCTNL_MSG_CT_GET_STATS_CPU, which needs CAP_NET_ADMIN).
 *
 * The parsers take a length; the netlink one reads a dump as received
 * (several messages, any alignment junk is refused, never read past). */
#ifndef RSTSCOPE_CONNTRACK_H
#define RSTSCOPE_CONNTRACK_H
#include <stddef.h>
#include <stdint.h>

#include "sources/counters.h"

/* /proc/net/stat/nf_conntrack: a header line of field names, then one line
 * of hex values per CPU. Returns fields summed, -1 on junk. */
int conntrack_parse_stat(const char *buf, size_t len, struct ctrset *out);

/* ctnetlink replies (GET_STATS_CPU dump and/or GET_STATS): adds the sums
 * to out (out's conntrack.stat_* values are added to, so feed a dump once).
 * Returns the CPUs + global messages read, -1 on a malformed message, or
 * -2 when the kernel answered with an error (errno in *nl_errno). */
int conntrack_parse_nl(const uint8_t *buf, size_t len, struct ctrset *out, int *nl_errno);

/* Ask the kernel over ctnetlink and parse the replies into out; the raw
 * replies are also appended to save (when not NULL, up to save_size, the
 * length in *saved) for a replay. 0, or -errno (-EPERM: needs
 * CAP_NET_ADMIN, -EPROTONOSUPPORT/-ENOENT: no ctnetlink). */
int conntrack_query_nl(struct ctrset *out, uint8_t *save, size_t save_size, size_t *saved);

#endif
