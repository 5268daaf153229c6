/* util: bounded parsing of numbers and text, diagnostics, small helpers.
 * Every parser takes an explicit end and reports failure; nothing here
 * reads past a bound or writes past a size. */
#ifndef RSTSCOPE_UTIL_H
#define RSTSCOPE_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* Parse a whole decimal string into [min,max]. Returns 0, or -1 on junk,
 * overflow or out of range (out is left untouched). */
int parse_u64_range(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_u16_range(const char *s, uint16_t min, uint16_t max, uint16_t *out);
/* Parse a non-negative decimal number of seconds ("1.5", "60"). */
int parse_seconds(const char *s, double max, double *out);
/* Parse "ADDR:PORT" or "[V6]:PORT" into host (NUL-terminated) and port. */
int parse_hostport(const char *s, char *host, size_t hostsz, uint16_t *port);

/* Bounded formatting into a fixed buffer: always NUL-terminates, returns
 * the length written (truncated output is cut, never overflowed). */
size_t fmt_buf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages to stderr, lower case, prefixed with "rstscope: ". */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* This thread's warnx_() messages go to f from now on (NULL: stderr
 * again); other threads are not affected. */
void warnx_to(FILE *f);

/* Is colour wanted on this stream? (a terminal and NO_COLOR unset) */
bool want_colour(int fd);

/* The CPUs this process may run on: its affinity mask (taskset, a
 * container's cpuset), else the online count; at least 1. */
unsigned cpus_usable(void);

#endif
