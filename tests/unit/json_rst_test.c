/* json_rst_test: a verdict's JSON line, written field by field without
 * printf, read back by jansson: every field drawn (numbers at their
 * limits, strings with every byte that needs escaping, negative and
 * sub-microsecond times, the kernel's fields or none) must come back as
 * it went in, in the documented order, and the time, idle gap and rates in
 * printf's own formats (a time before 1970 with one sign: a JSON number). IPv4 addresses are also compared with inet_ntop's.
 * SEED=n replays a run. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "unit.h"
#include "verdict/verdict.h"

static uint64_t draw64(void)
{
	uint64_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 16 ^ (uint64_t)(rand() & 0xffff);
	switch (rand() % 4) {   /* the limits and small values, often */
	case 0: return v & 0xff;
	case 1: return rand() % 2 ? UINT64_MAX : 0;
	default: return v;
	}
}

/* A string of up to max - 1 bytes from the bytes that need care. */
static void draw_str(char *s, size_t max)
{
	static const char pick[] = "ab \"\\\n\t\x01\x1f\x7f/{}:,";
	size_t n = (size_t)rand() % max;

	for (size_t i = 0; i < n; i++)
		s[i] = rand() % 3 ? (char)(' ' + rand() % 95) : pick[rand() % (int)(sizeof(pick) - 1)];
	s[n] = '\0';
	if (n && rand() % 4 == 0)
		s[0] = (char)(0x80 + rand() % 128);   /* not ASCII: \u00XX */
}

static void draw_addr(struct ipaddr *a, bool v4)
{
	for (int i = 0; i < 16; i++)
		a->b[i] = (uint8_t)rand();
	if (v4) {
		memset(a->b, 0, 10);
		a->b[10] = a->b[11] = 0xff;
		if (rand() % 3 == 0)
			for (int i = 12; i < 16; i++)
				a->b[i] = (uint8_t)(rand() % 3 ? rand() % 10 : rand() % 2 ? 99 : 100 + rand() % 156);
	}
}

/* The bytes as JSON would carry them back: every string here is ASCII but
 * for the first byte, which jansson gives back as its code point in UTF-8. */
static void as_utf8(const char *s, char *out)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x80) {
			out[o++] = (char)c;
		} else {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
}

static void check_str(json_t *o, const char *key, const char *want, bool null_when_empty)
{
	json_t *j = json_object_get(o, key);
	char u[1024];

	if (null_when_empty && !want[0]) {
		CHECK(json_is_null(j));
		return;
	}
	as_utf8(want, u);
	CHECK(json_is_string(j));
	if (json_is_string(j))
		CHECK_EQ_STR(json_string_value(j), u);
}

/* The raw text of key's value in line (numbers: their exact digits). */
static void raw_value(const char *line, const char *key, char *out, size_t size)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	while (p[n] && p[n] != ',' && p[n] != '}' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* key's number, the first at or after `scope`, in PRIu64's digits (jansson
 * reads no integer above INT64_MAX: the text is compared) */
static void check_u(const char *scope, const char *key, uint64_t want)
{
	char w[32], got[64];

	snprintf(w, sizeof(w), "%" PRIu64, want);
	raw_value(scope ? scope : "", key, got, sizeof(got));
	CHECK_EQ_STR(got, w);
}

static void one(void)
{
	struct rst_verdict v;
	char *buf = NULL, want[128], got[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t err;
	json_t *o;
	static char file[300];

	memset(&v, 0, sizeof(v));
	draw_str(file, sizeof(file));
	v.file = file;
	v.kernel_only = rand() % 8 == 0;
	v.frame = draw64();
	v.ts_ns = (int64_t)draw64();
	if (rand() % 2)
		v.ts_ns = v.ts_ns / 1000 * 1000;   /* whole microseconds: six digits */
	v.ipver = rand() % 2 ? 4 : 6;
	draw_addr(&v.src, v.ipver == 4);
	draw_addr(&v.dst, v.ipver == 4);
	v.sport = (uint16_t)draw64();
	v.dport = (uint16_t)draw64();
	v.ttl = (uint8_t)draw64();
	v.flags = (uint8_t)rand();
	v.seq = (uint32_t)draw64();
	v.ack = (uint32_t)draw64();
	v.ipid = (uint16_t)draw64();
	v.payload_len = (uint32_t)draw64();
	v.flow_id = draw64();
	v.kind = (enum rst_kind)(rand() % KIND__COUNT);
	v.forged = (enum rst_forged)(rand() % FORGED__COUNT);
	v.cause = (enum rst_cause)(rand() % CAUSE__COUNT);
	v.idle_gap_s = rand() % 3 ? (double)rand() / 1000.0 : -1;
	v.bytes_in_flight = draw64();
	v.cluster_size = (uint32_t)draw64();
	draw_str(v.forged_evidence, sizeof(v.forged_evidence));
	draw_str(v.cause_evidence, sizeof(v.cause_evidence));
	draw_str(v.payload_text, sizeof(v.payload_text));
	if (rand() % 2) {
		snprintf(v.http_method, sizeof(v.http_method), "%s", rand() % 2 ? "GET" : "OPTIONS");
		v.http_prior_requests = (uint32_t)draw64();
		v.http_last_status = (uint16_t)(rand() % 2 ? 0 : 100 + rand() % 500);
		v.http_expect_100 = rand() % 2;
		v.http_request_unanswered = rand() % 2;
	}
	v.kernel_checked = rand() % 2;
	v.pid = rand() % 3 ? rand() : -1;
	draw_str(v.kernel_reason, sizeof(v.kernel_reason));
	draw_str(v.kernel_state, sizeof(v.kernel_state));
	draw_str(v.comm, sizeof(v.comm));
	draw_str(v.cgroup, sizeof(v.cgroup));
	draw_str(v.container, sizeof(v.container));
	v.netns = rand() % 2 ? draw64() : 0;
	v.oom_pid = rand() % 2 ? rand() : 0;
	draw_str(v.oom_comm, sizeof(v.oom_comm));
	draw_str(v.oom_cgroup, sizeof(v.oom_cgroup));
	v.oom_limit = rand() % 2 ? draw64() : 0;
	v.overflow_drops = rand() % 2 ? draw64() : 0;
	v.overflow_rate = (double)rand() / 7.0;
	v.overflow_interval_s = (double)rand() / 100.0;

	report_json_rst(f, &v);
	fclose(f);
	CHECK(len > 0 && buf[len - 1] == '\n' && !memchr(buf, '\n', len - 1));
	o = json_loadb(buf, len, JSON_DECODE_INT_AS_REAL, &err);
	CHECK(o != NULL);
	if (!o) {
		fprintf(stderr, "not JSON (%s): %s", err.text, buf);
		free(buf);
		return;
	}
	CHECK_EQ_STR(json_string_value(json_object_get(o, "type")), v.kernel_only ? "kernel_reset" : "rst");
	if (v.kernel_only) {
		CHECK(json_is_null(json_object_get(o, "file")) && json_is_null(json_object_get(o, "frame")));
	} else {
		check_str(o, "file", file, false);
		check_u(buf, "frame", v.frame);
	}
	{       /* printf's formats, digit for digit */
		uint64_t t = v.ts_ns < 0 ? -(uint64_t)v.ts_ns : (uint64_t)v.ts_ns;
		uint64_t sec = t / 1000000000, frac = t % 1000000000;
		const char *sign = v.ts_ns < 0 ? "-" : "";

		if (frac % 1000)
			snprintf(want, sizeof(want), "%s%" PRIu64 ".%09" PRIu64, sign, sec, frac);
		else
			snprintf(want, sizeof(want), "%s%" PRIu64 ".%06" PRIu64, sign, sec, frac / 1000);
		raw_value(buf, "time", got, sizeof(got));
		CHECK_EQ_STR(got, want);
		if (v.idle_gap_s >= 0)
			snprintf(want, sizeof(want), "%.3f", v.idle_gap_s);
		else
			snprintf(want, sizeof(want), "null");
		raw_value(buf, "idle_gap_s", got, sizeof(got));
		CHECK_EQ_STR(got, want);
	}
	{
		char a[64];
		struct in_addr in;

		ipaddr_str(&v.src, a, sizeof(a));
		check_str(o, "src", a, false);
		if (v.ipver == 4) {    /* the dotted quad as inet_ntop writes it */
			char b[INET_ADDRSTRLEN];

			memcpy(&in, v.src.b + 12, 4);
			inet_ntop(AF_INET, &in, b, sizeof(b));
			CHECK_EQ_STR(a, b);
			memcpy(&in, v.dst.b + 12, 4);
			inet_ntop(AF_INET, &in, b, sizeof(b));
			CHECK_EQ_STR(ipaddr_str(&v.dst, a, sizeof(a)), b);
			/* a buffer too small for some: inet_ntop's answer, or nothing */
			if (!inet_ntop(AF_INET, &in, b, 8))
				b[0] = '\0';
			CHECK_EQ_STR(ipaddr_str(&v.dst, a, 8), b);
		}
	}
	check_u(buf, "sport", v.sport);
	check_u(buf, "dport", v.dport);
	check_u(buf, "ipver", v.ipver);
	check_u(buf, "ttl", v.ttl);
	check_u(buf, "seq", v.seq);
	check_u(buf, "ack", v.ack);
	check_u(buf, "ipid", v.ipid);
	check_u(buf, "payload_len", v.payload_len);
	check_u(buf, "cluster_size", v.cluster_size);
	check_u(buf, "flow_id", v.flow_id);
	check_u(buf, "bytes_in_flight", v.bytes_in_flight);
	CHECK_EQ_STR(json_string_value(json_object_get(o, "kind")), rst_kind_name[v.kind]);
	CHECK_EQ_STR(json_string_value(json_object_get(o, "forged")), rst_forged_name[v.forged]);
	CHECK_EQ_STR(json_string_value(json_object_get(o, "cause")), rst_cause_name[v.cause]);
	check_str(o, "forged_evidence", v.forged_evidence, false);
	check_str(o, "cause_evidence", v.cause_evidence, false);
	check_str(o, "payload_text", v.payload_text, true);
	{
		json_t *h = json_object_get(o, "http");

		if (!v.http_method[0]) {
			CHECK(json_is_null(h));
		} else {
			CHECK_EQ_STR(json_string_value(json_object_get(h, "method")), v.http_method);
			check_u(strstr(buf, "\"http\":"), "prior_requests", v.http_prior_requests);
			CHECK(json_is_true(json_object_get(h, "reused")) == (v.http_prior_requests > 0));
			CHECK(json_is_true(json_object_get(h, "expect_100")) == v.http_expect_100);
			CHECK(json_is_true(json_object_get(h, "unanswered")) == v.http_request_unanswered);
			if (v.http_last_status)
				check_u(strstr(buf, "\"http\":"), "last_status", v.http_last_status);
			else
				CHECK(json_is_null(json_object_get(h, "last_status")));
		}
	}
	CHECK((json_object_get(o, "kernel_reason") != NULL) == v.kernel_checked);
	if (v.kernel_checked) {
		json_t *oom = json_object_get(o, "oom_kill"), *lo = json_object_get(o, "listen_overflow");

		check_str(o, "kernel_reason", v.kernel_reason, true);
		check_str(o, "kernel_state", v.kernel_state, true);
		check_str(o, "cgroup", v.cgroup, true);
		check_str(o, "container", v.container, true);
		if (v.pid >= 0) {
			check_u(buf, "pid", (uint64_t)v.pid);
			check_str(o, "comm", v.comm, false);
		} else {
			CHECK(json_is_null(json_object_get(o, "pid")) && json_is_null(json_object_get(o, "comm")));
		}
		if (v.netns) {
			check_u(buf, "netns", v.netns);
		} else {
			CHECK(json_is_null(json_object_get(o, "netns")));
		}
		CHECK(json_is_null(oom) == (v.oom_pid <= 0));
		if (v.oom_pid > 0) {
			check_u(strstr(buf, "\"oom_kill\":"), "pid", (uint64_t)v.oom_pid);
			check_str(oom, "comm", v.oom_comm, false);
			check_str(oom, "cgroup", v.oom_cgroup, true);
			if (v.oom_limit)
				check_u(strstr(buf, "\"oom_kill\":"), "limit_bytes", v.oom_limit);
			else
				CHECK(json_is_null(json_object_get(oom, "limit_bytes")));
		}
		CHECK(json_is_null(lo) == !v.overflow_drops);
		if (v.overflow_drops) {
			check_u(buf, "drops", v.overflow_drops);
			snprintf(want, sizeof(want), "%.1f", v.overflow_rate);
			raw_value(strstr(buf, "\"listen_overflow\""), "rate", got, sizeof(got));
			CHECK_EQ_STR(got, want);
			snprintf(want, sizeof(want), "%.1f", v.overflow_interval_s);
			raw_value(buf, "interval_s", got, sizeof(got));
			CHECK_EQ_STR(got, want);
		}
	}
	/* the documented order: the first fields and the last */
	CHECK(!strncmp(buf, v.kernel_only ? "{\"type\":\"kernel_reset\",\"file\":null,\"frame\":null,\"time\":"
					 : "{\"type\":\"rst\",\"file\":\"", 20));
	CHECK(strstr(buf, "\"payload_text\":") < strstr(buf, "}\n") &&
	      strstr(buf, "\"cause_evidence\":") < strstr(buf, "\"http\":"));
	json_decref(o);
	free(buf);
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	const char *env = getenv("SEED");

	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	printf("json_rst_test: SEED=%u\n", seed);
	srand(seed);
	for (int i = 0; i < 3000; i++)
		one();
	return unit_done("json_rst_test");
}
