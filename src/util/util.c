/* util: bounded number and text parsing, message helpers. */
#include "util/util.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int parse_u64_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !end || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u16_range(const char *s, uint16_t min, uint16_t max, uint16_t *out)
{
	uint64_t v;

	if (parse_u64_range(s, min, max, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int parse_seconds(const char *s, double max, double *out)
{
	char *end = NULL;
	double v;

	if (!s || ((*s < '0' || *s > '9') && *s != '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !end || *end != '\0' || !(v >= 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_hostport(const char *s, char *host, size_t hostsz, uint16_t *port)
{
	const char *colon, *h = s, *hend;

	if (!s || !*s)
		return -1;
	if (*s == '[') {
		hend = strchr(s, ']');
		if (!hend || hend[1] != ':')
			return -1;
		h = s + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hend = colon;
	}
	if ((size_t)(hend - h) + 1 > hostsz || hend == h)
		return -1;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	return parse_u16_range(colon + 1, 1, 65535, port);
}

size_t fmt_buf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n >= size ? size - 1 : (size_t)n;
}

static _Thread_local FILE *warn_out;

void warnx_to(FILE *f)
{
	warn_out = f;
}

void warnx_(const char *fmt, ...)
{
	FILE *f = warn_out ? warn_out : stderr;
	va_list ap;

	fputs("rstscope: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

bool want_colour(int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (nc && *nc)
		return false;
	return isatty(fd) == 1;
}

unsigned cpus_usable(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}
