/* httpreq: the head of an HTTP/1.x request to the metrics server, judged
 * from the bytes received so far. A pure function over a buffer: no I/O, no
 * allocation, never a read past len. Only GET and HEAD of /metrics and /
 * are served; every other request gets its status here (RFC 9110, 9112). */
#ifndef RSTSCOPE_HTTPREQ_H
#define RSTSCOPE_HTTPREQ_H
#include <stdbool.h>
#include <stddef.h>

/* The request line (through its LF) and the whole head are capped: past
 * them the answer is 414 and 431, without waiting for the rest. */
#define HTTPREQ_LINE_MAX 1024
#define HTTPREQ_HEAD_MAX 4096

struct httpreq {
	int status;   /* 200, 400, 404, 405, 414, 431 or 505 */
	bool head;    /* a HEAD request: the answer carries no body */
};

/* 0: the head may still be valid and is not complete (read on, unless len
 * reached HTTPREQ_HEAD_MAX, which never returns 0); 1: decided, r filled.
 * A bad request is decided as soon as its bytes show it (400 on the first
 * byte that no request could hold). */
int httpreq_parse(const char *buf, size_t len, struct httpreq *r);

/* The reason phrase of a status this module returns ("OK", ...). */
const char *httpreq_reason(int status);

#endif
