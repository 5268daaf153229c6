/* httpd: a small non-blocking HTTP/1.0 server of one document (the metrics
 * exposition), driven by its owner's single-threaded poll loop through one
 * descriptor, an epoll set of the listener and its clients.
 *
 * It holds up against slow and hostile clients: at most HTTPD_CLIENTS at a
 * time, and when a new one finds them all taken it sheds the one that
 * matters least (lingering after its answer, else the oldest still sending
 * its request, else the oldest of those accepted less than HTTPD_GRACE_NS
 * ago that sent nothing yet); a request head must arrive whole within HTTPD_READ_NS of
 * the accept and within the caps of report/httpreq.h; an answer must be
 * taken within HTTPD_WRITE_NS. Answers are rendered whole when the request
 * is complete and written without blocking (partial writes stay buffered,
 * at most HTTPD_OUT_MAX bytes per client). Only GET and HEAD of /metrics
 * and / are served. */
#ifndef RSTSCOPE_HTTPD_H
#define RSTSCOPE_HTTPD_H
#include <stddef.h>
#include <stdint.h>

#define HTTPD_CLIENTS 64
#define HTTPD_READ_NS (3LL * 1000000000)    /* accept to the end of the request head */
#define HTTPD_WRITE_NS (10LL * 1000000000)  /* the answer queued to its last byte sent */
#define HTTPD_GRACE_NS (250LL * 1000000)   /* a new client's first bytes, before it may be shed */
#define HTTPD_LINGER_NS (1LL * 1000000000)  /* after the answer: the client's close */
#define HTTPD_OUT_MAX (256 * 1024)          /* an answer's body, at most */

/* The document: write at most size bytes into buf, return the length. */
typedef size_t (*httpd_body_fn)(void *ctx, char *buf, size_t size);

struct httpd_stats {
	uint64_t accepted, answered;  /* connections; answers of any status */
	uint64_t shed;                /* closed to make room for a new one */
	uint64_t expired;             /* closed at a deadline */
	uint64_t refused;             /* closed at once: every client was answering */
};

struct httpd;

/* NULL on allocation failure. */
struct httpd *httpd_new(httpd_body_fn body, void *ctx);
/* Closes every connection. NULL is fine. */
void httpd_free(struct httpd *h);

/* Listen on "PORT" (127.0.0.1: loopback unless told otherwise) or
 * "ADDR:PORT" / "[V6]:PORT" (numeric). 0, or -1 with a message in err. */
int httpd_listen(struct httpd *h, const char *spec, char *err, size_t errsz);
/* The bound port (after listening on port 0, for tests). */
int httpd_port(const struct httpd *h);
/* The one descriptor to poll for POLLIN; -1 before httpd_listen. */
int httpd_fd(const struct httpd *h);
/* Accept, read, answer and expire without blocking; now_ns is any
 * monotonic-enough clock of the caller's, the same at every call. */
void httpd_serve(struct httpd *h, int64_t now_ns);
void httpd_get_stats(const struct httpd *h, struct httpd_stats *s);

#endif
