/* unit.h: the smallest test harness. CHECK records a failure and goes on;
 * unit_done() prints the tally and returns the exit code. */
#ifndef RSTSCOPE_UNIT_H
#define RSTSCOPE_UNIT_H
#include <stdio.h>

static int unit_checks, unit_failures;
#define CHECK(cond) do { unit_checks++; if (!(cond)) { unit_failures++; \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); unit_checks++; \
	if (a_ != b_) { unit_failures++; fprintf(stderr, "%s:%d: %s == %lld, want %lld\n", \
	__FILE__, __LINE__, #a, a_, b_); } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); unit_checks++; \
	if (!a_ || !b_ || strcmp(a_, b_)) { unit_failures++; fprintf(stderr, \
	"%s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)
static inline int unit_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}
#endif
