/* fakeproc.h: files of a made-up /proc (or any tree) for the unit tests
 * that read one through a root of their own. */
#ifndef FAKEPROC_H
#define FAKEPROC_H
#include <stdio.h>

#include "unit.h"

/* Write text to dir/rel (a check fails when it cannot). */
static inline void fp_put(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

#endif
