/* live: frames from the wire through libpcap (immediate mode, small snap
 * length, the same BPF filter syntax as analyze), or from a capture file
 * for replays. Timestamps are ns since the epoch (CLOCK_REALTIME). */
#ifndef RSTSCOPE_LIVE_H
#define RSTSCOPE_LIVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct live;

struct live_opts {
	const char *iface;       /* NULL or "any": every interface */
	const char *filter;      /* BPF; NULL: "tcp" */
	int snaplen;             /* 0: 256 */
	int buffer_kb;           /* kernel buffer; 0: 8192 */
	const char *file;        /* non-NULL: read this capture file instead */
};

struct live_stats {
	uint64_t frames;         /* frames handed to the callback */
	uint64_t received;       /* libpcap ps_recv */
	uint64_t dropped;        /* ps_drop: the buffer was full */
	uint64_t ifdropped;      /* ps_ifdrop: the interface dropped */
};

typedef void (*live_frame_fn)(void *ctx, int link, const uint8_t *data, size_t caplen,
			      int64_t ts_ns);

/* NULL on failure with a message in err; *no_rights when the failure is a
 * lack of privilege (CAP_NET_RAW). */
struct live *live_open(const struct live_opts *o, bool *no_rights, char *err, size_t errsz);
void live_close(struct live *l);
/* The fd to poll, -1 for a file. */
int live_fd(const struct live *l);
int live_link(const struct live *l);
const char *live_name(const struct live *l);
/* Hand up to max frames to fn. Returns frames, 0 when none ready, -1 on
 * error, -2 at the end of a file. */
int live_dispatch(struct live *l, int max, live_frame_fn fn, void *ctx);
void live_stats(struct live *l, struct live_stats *s);

#endif
