/* httpreq_test: the metrics server's request judge, case by case, and every
 * prefix of a good request read as "not yet". */
#include <stdlib.h>
#include <string.h>

#include "report/httpreq.h"
#include "unit.h"

static int judge(const char *s, struct httpreq *r)
{
	return httpreq_parse(s, strlen(s), r);
}

int main(void)
{
	static const struct { const char *req; int status; bool head; } cases[] = {
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", 200, false },
		{ "GET / HTTP/1.0\r\n\r\n", 200, false },
		{ "GET /metrics HTTP/1.0\n\n", 200, false },
		{ "\r\nGET /metrics HTTP/1.1\r\n\r\n", 200, false },
		{ "GET /metrics?name[]=x HTTP/1.1\r\n\r\n", 200, false },
		{ "GET http://h:9100/metrics HTTP/1.1\r\n\r\n", 200, false },
		{ "GET http://h HTTP/1.1\r\n\r\n", 200, false },
		{ "HEAD /metrics HTTP/1.1\r\nX: \t\xff\r\n\r\n", 200, true },
		{ "POST /metrics HTTP/1.1\r\n\r\n", 405, false },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405, false },
		{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404, false },
		{ "GET /x HTTP/1.1\r\n\r\n", 404, false },
		{ "GET metrics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/2.0\r\n\r\n", 505, false },
		{ "GET /metrics HTTP/1.x\r\n\r\n", 400, false },
		{ "GET /metrics\r\n\r\n", 400, false },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1 \r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\n x\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nX: a\rb\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nX: a\x01\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\n\rX\r\n", 400, false },
		{ "\x16\x03\x01", 400, false },
		{ "VERYLONGMETHODNAMEHERE", 400, false },
	};
	static const char good[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	struct httpreq r;
	char *big;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ_INT(judge(cases[i].req, &r), 1);
		if (r.status != cases[i].status)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].req);
		CHECK_EQ_INT(r.status, cases[i].status);
		CHECK_EQ_INT(r.head, cases[i].head);
	}
	for (size_t n = 0; n < sizeof(good) - 1; n++)
		CHECK_EQ_INT(httpreq_parse(good, n, &r), 0);
	/* the caps: 414 on a request line past its cap, 431 on a head past its */
	big = malloc(HTTPREQ_HEAD_MAX + 100);
	memset(big, 'a', HTTPREQ_HEAD_MAX + 100);
	memcpy(big, "GET /", 5);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_LINE_MAX - 1, &r), 0);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_LINE_MAX, &r), 1);
	CHECK_EQ_INT(r.status, 414);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_HEAD_MAX - 1, &r), 0);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_HEAD_MAX, &r), 1);
	CHECK_EQ_INT(r.status, 431);
	memcpy(big + HTTPREQ_HEAD_MAX - 4, "\r\n\r\n", 4);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_HEAD_MAX, &r), 1);
	CHECK_EQ_INT(r.status, 200);
	memcpy(big + HTTPREQ_HEAD_MAX - 4, "a\r\n\r\n", 5);
	CHECK_EQ_INT(httpreq_parse(big, HTTPREQ_HEAD_MAX + 1, &r), 1);
	CHECK_EQ_INT(r.status, 431);
	free(big);
	return unit_done("httpreq_test");
}
