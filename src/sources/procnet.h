/* procnet: the kernel's network and memory counters as text files:
 * /proc/net/netstat and /proc/net/snmp ("Proto: names" / "Proto: values"
 * line pairs), /proc/net/snmp6 ("Ip6InReceives 12" lines), /proc/net/
 * sockstat and sockstat6 ("TCP: inuse 5 orphan 0 ..."), /proc/vmstat
 * ("oom_kill 3"), and one-line number files (/proc/sys/fs/file-nr,
 * tcp_mem, tcp_max_orphans). Each parser adds what it understood to a
 * counter set under a fixed name scheme (see docs/host.md) and returns how
 * many counters it added, or -1 when the text is not of that format.
 * Parsers take a length and need no NUL. */
#ifndef RSTSCOPE_PROCNET_H
#define RSTSCOPE_PROCNET_H
#include <stddef.h>

#include "sources/counters.h"

/* "TcpExt: A B" + "TcpExt: 1 2" -> TcpExt.A=1, TcpExt.B=2 */
int procnet_parse_pairs(const char *buf, size_t len, struct ctrset *out);
/* "Ip6InReceives 12" -> Ip6.InReceives=12 (Icmp6, Udp6, UdpLite6 too) */
int procnet_parse_snmp6(const char *buf, size_t len, struct ctrset *out);
/* "TCP: inuse 5 orphan 0" -> <prefix>.TCP.inuse=5 ... */
int procnet_parse_sockstat(const char *buf, size_t len, const char *prefix, struct ctrset *out);
/* "name value" lines -> <prefix>.name=value */
int procnet_parse_kv(const char *buf, size_t len, const char *prefix, struct ctrset *out);
/* Blank-separated numbers on the first line -> names[i]=value; names[i]
 * NULL skips a field. Needs all n fields. */
int procnet_parse_numbers(const char *buf, size_t len, const char *const *names,
			  unsigned n, struct ctrset *out);

#endif
