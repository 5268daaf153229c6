/* counters: a bounded set of named host counters and gauges read in one
 * sample ("TcpExt.ListenOverflows", "sockstat.TCP.orphan", "vmstat.oom_kill",
 * "conntrack.entries", ...), and the small file reader the host sources
 * share. Names are at most CTR_NAME_MAX - 1 bytes; the set holds at most
 * CTR_MAX entries and counts what did not fit. */
#ifndef RSTSCOPE_COUNTERS_H
#define RSTSCOPE_COUNTERS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTR_NAME_MAX 56
#define CTR_MAX 1536
#define CTR_SLOTS 4096           /* the index: a power of two, over 2 * CTR_MAX */

struct ctr {
	char name[CTR_NAME_MAX];
	uint64_t v;
};

/* c[] keeps the order of first insertion (the reports list it so); slot[]
 * is an open-addressing index of it by name, 1 + the entry's position,
 * 0 empty. A zeroed set is an empty one. */
struct ctrset {
	unsigned n, dropped;
	struct ctr c[CTR_MAX];
	uint16_t slot[CTR_SLOTS];
};

void ctrset_clear(struct ctrset *s);
/* Set name (len bytes, not NUL-terminated) to v, replacing an old value.
 * 0, or -1 when the name is too long or the set is full (counted). */
int ctrset_put(struct ctrset *s, const char *name, size_t len, uint64_t v);
int ctrset_set(struct ctrset *s, const char *name, uint64_t v);
bool ctrset_get(const struct ctrset *s, const char *name, uint64_t *v);

/* Read a whole (small) file into buf, NUL-terminated. Returns its length,
 * or -errno (-ENOENT: missing, -EACCES/-EPERM: no rights). A file longer
 * than size - 1 is cut: that is -EFBIG. */
long ctr_read_file(const char *path, char *buf, size_t size);

#endif
