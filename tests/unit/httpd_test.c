/* httpd_test: the metrics server never blocks on a slow reader: a client
 * with a tiny receive window that does not read leaves its answer buffered
 * while another is answered whole, every httpd_serve returns at once, and
 * the slow one gets every byte once it reads. The body's size is drawn
 * (seed printed). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/httpd.h"
#include "unit.h"

static size_t body_len;

static size_t body(void *ctx, char *buf, size_t size)
{
	(void)ctx;
	for (size_t i = 0; i < body_len && i < size; i++)
		buf[i] = (char)('a' + i % 26);
	return body_len < size ? body_len : size;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int client(int port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    send(fd, "GET /metrics HTTP/1.1\r\n\r\n", 25, 0) != 25) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The server's listening socket, found by its port: its small send buffer
 * is inherited by the clients it accepts, so an answer cannot leave in one
 * send() to a client that does not read. */
static void shrink_listener_sndbuf(int port)
{
	for (int fd = 3; fd < 64; fd++) {
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		int acc = 0, sz = 4096;
		socklen_t il = sizeof(acc);

		if (getsockname(fd, (struct sockaddr *)&a, &al) || a.sin_family != AF_INET ||
		    ntohs(a.sin_port) != port ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &il) || !acc)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		return;
	}
}

/* Serve and read fd until it closes or 3 s pass; the longest serve call
 * goes to *worst. Returns the bytes read into buf. */
static size_t drain(struct httpd *h, int fd, char *buf, size_t size, int64_t *worst)
{
	size_t got = 0;
	int64_t end = now_ns() + 3000000000LL;

	while (now_ns() < end) {
		struct pollfd p = { .fd = httpd_fd(h), .events = POLLIN };
		int64_t t;
		ssize_t r;

		poll(&p, 1, 5);
		t = now_ns();
		httpd_serve(h, t);
		if (now_ns() - t > *worst)
			*worst = now_ns() - t;
		r = recv(fd, buf + got, size - got, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0)
			got += (size_t)r;
	}
	return got;
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL);
	struct httpd *h = httpd_new(body, NULL);
	struct httpd_stats st;
	char err[128], *fast = malloc(HTTPD_OUT_MAX + 512), *slow = malloc(HTTPD_OUT_MAX + 512);
	int64_t worst = 0;
	size_t nf, ns, hl;
	int sfd, ffd;

	srand(seed);
	body_len = 100000 + (size_t)rand() % (HTTPD_OUT_MAX - 100000);
	printf("httpd_test: seed %u, body %zu bytes\n", seed, body_len);
	CHECK(h && fast && slow);
	CHECK(httpd_listen(h, "127.0.0.1:0", err, sizeof(err)) == 0);
	shrink_listener_sndbuf(httpd_port(h));
	sfd = client(httpd_port(h), 2048);
	CHECK(sfd >= 0);
	/* the slow client's answer goes out as far as its window lets it */
	for (int i = 0; i < 20; i++) {
		struct pollfd p = { .fd = httpd_fd(h), .events = POLLIN };
		int64_t t;

		poll(&p, 1, 5);
		t = now_ns();
		httpd_serve(h, t);
		if (now_ns() - t > worst)
			worst = now_ns() - t;
	}
	ffd = client(httpd_port(h), 0);
	CHECK(ffd >= 0);
	nf = drain(h, ffd, fast, HTTPD_OUT_MAX + 512, &worst);
	hl = nf;
	for (size_t i = 0; i + 3 < nf; i++)
		if (!memcmp(fast + i, "\r\n\r\n", 4)) {
			hl = i + 4;
			break;
		}
	CHECK(nf > hl && nf - hl == body_len);
	CHECK(!strncmp(fast, "HTTP/1.0 200 OK\r\n", 17));
	ns = drain(h, sfd, slow, HTTPD_OUT_MAX + 512, &worst);
	CHECK_EQ_INT(ns, nf);
	CHECK(ns == nf && !memcmp(slow, fast, nf));
	CHECK(worst < 50000000);   /* no serve call waited on a client */
	httpd_get_stats(h, &st);
	CHECK_EQ_INT(st.answered, 2);
	CHECK_EQ_INT(st.shed + st.expired + st.refused, 0);
	close(sfd);
	close(ffd);
	free(fast);
	free(slow);
	httpd_free(h);
	return unit_done("httpd_test");
}
