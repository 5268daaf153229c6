/* watch_fixture.h: read the expect.jsonl of a recorded tracefs fixture
 * (one JSON object per line, written by tests/helpers/watch_provoke.py). */
#ifndef WATCH_FIXTURE_H
#define WATCH_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx_case {
	char name[16], src[64], dst[64], comm[17];
	unsigned sport, dport;
	int pid;
	long long wall_ns;
};

static const char *fx_root(void)
{
	const char *r = getenv("ROOT");
	return r && *r ? r : ".";
}

/* Copy the value of "key" (a string or a number) from a JSON line. */
static int fx_field(const char *line, const char *key, char *out, size_t size)
{
	char pat[40];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	if (*p == '"') {
		e = strchr(++p, '"');
	} else {
		e = p + strcspn(p, ",}");
	}
	if (!e || (size_t)(e - p) >= size)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* Sent in softirq: the task on the CPU is not the socket's owner. */
static inline int fx_softirq(const char *name)
{
	return !strcmp(name, "noport") || !strcmp(name, "twdata");
}

/* Load up to max cases; returns how many. */
static int fx_load(const char *dir, struct fx_case *c, int max)
{
	char path[1024], line[1024], num[32];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/expect.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct fx_case *x = &c[n];
		memset(x, 0, sizeof(*x));
		if (fx_field(line, "case", x->name, sizeof(x->name)) ||
		    fx_field(line, "src", x->src, sizeof(x->src)) ||
		    fx_field(line, "dst", x->dst, sizeof(x->dst)) ||
		    fx_field(line, "comm", x->comm, sizeof(x->comm)))
			continue;
		if (fx_field(line, "sport", num, sizeof(num)) == 0) x->sport = (unsigned)strtoul(num, NULL, 10);
		if (fx_field(line, "dport", num, sizeof(num)) == 0) x->dport = (unsigned)strtoul(num, NULL, 10);
		if (fx_field(line, "pid", num, sizeof(num)) == 0) x->pid = (int)strtol(num, NULL, 10);
		if (fx_field(line, "wall_ns", num, sizeof(num)) == 0) x->wall_ns = strtoll(num, NULL, 10);
		n++;
	}
	fclose(f);
	return n;
}

/* The reason the running 6.18 kernel gave for each provoked case. */
static const char *fx_reason(const char *name)
{
	if (!strcmp(name, "noport")) return "NO_SOCKET";
	if (!strcmp(name, "unread")) return "TCP_ABORT_ON_CLOSE";
	if (!strcmp(name, "linger0")) return "TCP_STATE";
	if (!strcmp(name, "linger2")) return "TCP_ABORT_ON_LINGER";
	if (!strcmp(name, "twdata")) return "TCP_TIMEWAIT_SOCKET";
	return "?";
}
#endif
