/* metrics: Prometheus text exposition (format 0.0.4) of watch's counters,
 * served by report/httpd.h (GET or HEAD of /metrics or /).
 *
 * Labels are low-cardinality only: names from fixed tables (kind, sender,
 * cause) and the running kernel's reason names — never addresses or ports.
 * The number of label sets is capped; beyond the cap, resets are counted
 * under cause="other". */
#ifndef RSTSCOPE_METRICS_H
#define RSTSCOPE_METRICS_H
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

enum metric_id {
	M_CAPTURE_FRAMES,        /* frames read from the capture */
	M_CAPTURE_DROPS,         /* libpcap ps_drop */
	M_CAPTURE_IFDROPS,       /* libpcap ps_ifdrop */
	M_KERNEL_SEND_RESET,     /* tcp_send_reset events */
	M_KERNEL_RECV_RESET,     /* tcp_receive_reset events */
	M_KERNEL_SET_STATE,      /* inet_sock_set_state events */
	M_KERNEL_OVERRUN,        /* ring buffer overrun (events lost) */
	M_KERNEL_DROPPED,        /* ring buffer dropped events */
	M_KERNEL_UNMATCHED,      /* sent resets never seen on the wire */
	M_NOT_SENT,              /* local-claimed RSTs this kernel never sent */
	M_SOURCE_CAPTURE,        /* gauge: 1 when capturing */
	M_SOURCE_KERNEL,         /* gauge: 1 when reading kernel events */
	M__COUNT
};

struct metrics;

/* NULL on allocation failure. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Listen on "PORT" (127.0.0.1, loopback) or "ADDR:PORT" / "[V6]:PORT". 0, or -1 with
 * a message in err. */
int metrics_listen(struct metrics *m, const char *spec, char *err, size_t errsz);
/* The bound port (after listening on port 0, for tests). */
int metrics_port(const struct metrics *m);

/* Fill up to max pollfds; returns how many (one, or none before listening:
 * the server's clients share one descriptor). */
int metrics_pollfds(const struct metrics *m, struct pollfd *p, int max);
/* Accept, read, answer and expire clients without blocking (the deadlines
 * and caps of report/httpd.h); now_ns the same clock at every call. */
void metrics_serve(struct metrics *m, int64_t now_ns);

void metrics_set(struct metrics *m, enum metric_id id, uint64_t v);
/* Count one reset. container: "" or NULL for none. The label is bounded:
 * the METRICS_CONTAINERS containers with most resets at each scrape get one
 * of their own, the rest are summed as "other". */
#define METRICS_CONTAINERS 16
void metrics_rst(struct metrics *m, const char *kind, const char *sender,
		 const char *cause, const char *kernel_reason, const char *container);

/* Serve text (len bytes, copied) instead of the counters above: for a
 * command with an exposition of its own (host). NULL restores them. */
int metrics_set_body(struct metrics *m, const char *text, size_t len);

/* The exposition text into buf; returns its length (cut at size - 1). */
size_t metrics_render(const struct metrics *m, char *buf, size_t size);

#endif
