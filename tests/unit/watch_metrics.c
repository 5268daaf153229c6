/* watch_metrics: the Prometheus exposition and its HTTP server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/metrics.h"
#include "unit.h"

static void test_render(void)
{
	struct metrics *m = metrics_new();
	static char buf[1 << 18];

	metrics_rst(m, "established", "genuine", "unread-close", "TCP_ABORT_ON_CLOSE", NULL);
	metrics_rst(m, "established", "genuine", "unread-close", "TCP_ABORT_ON_CLOSE", NULL);
	metrics_rst(m, "refused", "genuine", "refused", "NO_SOCKET", NULL);
	metrics_rst(m, "established", "forged", "middlebox", "a\"b", NULL);
	metrics_set(m, M_CAPTURE_DROPS, 7);
	metrics_set(m, M_KERNEL_OVERRUN, 3);
	metrics_render(m, buf, sizeof(buf));
	CHECK(strstr(buf, "rstscope_resets_total{kind=\"established\",sender=\"genuine\",cause=\"unread-close\",kernel_reason=\"TCP_ABORT_ON_CLOSE\",container=\"none\"} 2\n") != NULL);
	CHECK(strstr(buf, "kernel_reason=\"NO_SOCKET\",container=\"none\"} 1\n") != NULL);
	CHECK(strstr(buf, "kernel_reason=\"a_b\",container=\"none\"} 1\n") != NULL);
	CHECK(strstr(buf, "rstscope_capture_drops_total 7\n") != NULL);
	CHECK(strstr(buf, "rstscope_kernel_events_lost_total{why=\"overrun\"} 3\n") != NULL);
	CHECK(strstr(buf, "# TYPE rstscope_kernel_events_total counter\n") != NULL);
	/* one TYPE line per metric family */
	const char *p = buf;
	int types = 0;
	while ((p = strstr(p, "# TYPE rstscope_kernel_events_total "))) types++, p++;
	CHECK_EQ_INT(types, 1);
	/* the cap on label sets */
	for (int i = 0; i < 3000; i++) {
		char r[32];
		snprintf(r, sizeof(r), "R%d", i);
		metrics_rst(m, "established", "genuine", "unknown", r, NULL);
	}
	size_t n = metrics_render(m, buf, sizeof(buf));
	CHECK(n < sizeof(buf) - 1);
	CHECK(strstr(buf, "cause=\"other\",kernel_reason=\"other\",container=\"other\"}") != NULL);
	int lines = 0;
	for (p = buf; (p = strstr(p, "rstscope_resets_total{")); p++) lines++;
	CHECK(lines <= 1024);
	/* a small buffer is cut, never overflowed */
	char small[64];
	CHECK(metrics_render(m, small, sizeof(small)) == sizeof(small) - 1);
	metrics_free(m);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* container labels stay bounded: the METRICS_CONTAINERS with most resets
 * at the scrape by name, the rest summed as "other"; a container that
 * starts late but resets most gets its label. Counts are drawn. */
static void test_containers(void)
{
	struct metrics *m = metrics_new();
	static char buf[1 << 18];
	enum { NC = METRICS_CONTAINERS + 12 };
	unsigned count[NC], seed = (unsigned)time(NULL), total = 0, other = 0;
	char c[32];

	printf("watch_metrics: container SEED=%u\n", seed);
	srand(seed);
	for (int i = 0; i < NC; i++) {
		count[i] = 1 + (unsigned)(rand() % 40) * 2 + (unsigned)i % 2;  /* distinct enough */
		count[i] = count[i] * 64 + (unsigned)i;                         /* no ties */
	}
	count[NC - 1] = 100000;   /* the last seen resets most */
	for (int i = 0; i < NC; i++) {
		snprintf(c, sizeof(c), "docker:%012d", i);
		for (unsigned k = 0; k < count[i]; k++)
			metrics_rst(m, "established", "genuine", "unread-close", "TCP_ABORT_ON_CLOSE", c);
		total += count[i];
	}
	metrics_render(m, buf, sizeof(buf));
	for (int i = 0; i < NC; i++) {
		unsigned above = 0;
		char want[96];

		for (int j = 0; j < NC; j++)
			above += count[j] > count[i];
		snprintf(want, sizeof(want), "container=\"docker:%012d\"} %u\n", i, count[i]);
		if (above < METRICS_CONTAINERS)
			CHECK(strstr(buf, want) != NULL);
		else {
			snprintf(want, sizeof(want), "container=\"docker:%012d\"", i);
			CHECK(strstr(buf, want) == NULL);
			other += count[i];
		}
	}
	snprintf(c, sizeof(c), "container=\"other\"} %u\n", other);
	CHECK(strstr(buf, c) != NULL);
	CHECK(other > 0 && other < total);
	metrics_free(m);
}

static void test_http(void)
{
	struct metrics *m = metrics_new();
	char err[128], resp[65536];
	size_t got = 0;
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd;

	CHECK(metrics_listen(m, "nonsense", err, sizeof(err)) < 0);
	CHECK(metrics_listen(m, "127.0.0.1:0", err, sizeof(err)) == 0);
	CHECK(metrics_port(m) > 0);
	metrics_rst(m, "after-fin", "genuine", "deliberate-abort", "TCP_STATE", NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons((uint16_t)metrics_port(m));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 34, 0) == 34);
	int64_t end = now_ns() + 2000000000LL;
	while (now_ns() < end) {
		struct pollfd p[16];
		int n = metrics_pollfds(m, p, 16);
		poll(p, (nfds_t)n, 50);
		metrics_serve(m, now_ns());
		ssize_t r = recv(fd, resp + got, sizeof(resp) - 1 - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
		else if (r == 0)
			break;
	}
	resp[got] = '\0';
	CHECK(strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) == 0);
	CHECK(strstr(resp, "kernel_reason=\"TCP_STATE\",container=\"none\"} 1") != NULL);
	close(fd);
	metrics_free(m);
}

int main(void)
{
	test_render();
	test_containers();
	test_http();
	return unit_done("watch_metrics");
}
