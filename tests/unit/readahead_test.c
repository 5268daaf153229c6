/* readahead: a drawn file comes back whole and in order through chunks of
 * drawn sizes, each with its headroom writable and valid until the second
 * call after, whether the caller asks to read on its own thread (drawn:
 * never, before the first chunk, after the first or a later one; before
 * the second, no thread is ever made); a read error is reported after the
 * data before it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sources/readahead.h"
#include "unit.h"

/* Threads of this process (/proc/self/status). */
static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Threads:", 8))
			n = atoi(line + 8);
	if (f)
		fclose(f);
	return n;
}

/* The thread of the seed before is joined, but the kernel may count it
 * a little longer (a join returns when the thread clears its tid, before
 * it has left the thread group): wait, bounded, for this one alone. */
static void settle(void)
{
	for (int i = 0; i < 1000 && threads() != 1; i++)
		usleep(1000);
}

static void one(unsigned seed)
{
	char path[] = "/tmp/rstscope-ra.XXXXXX";
	int fd = mkstemp(path);
	size_t size = (size_t)(seed % 7 ? seed % 300000 : (seed % 3) * 4096), chunk = 1 + seed % 5000;
	uint8_t *want = malloc(size + 1), *prev = NULL, *data;
	size_t got = 0, n, prevlen = 0;
	struct readahead *ra;
	/* readahead_here() before chunk k (-1: never) */
	int here_at = seed % 4 == 0 ? -1 : (int)(seed / 4 % 4), k = 0;
	int rc;

	for (size_t i = 0; i < size; i++)
		want[i] = (uint8_t)(i * 31 + seed);
	CHECK(fd >= 0 && write(fd, want, size) == (ssize_t)size);
	lseek(fd, 0, SEEK_SET);
	settle();
	ra = readahead_new(fd, chunk, 16);
	CHECK(ra != NULL);
	for (;;) {
		if (k == here_at)
			readahead_here(ra);
		if ((rc = readahead_next(ra, &data, &n)) != 1)
			break;
		if (here_at >= 0 && here_at <= 1)   /* before the second chunk */
			CHECK_EQ_INT(threads(), 1);
		k++;
		CHECK(n <= chunk && got + n <= size);
		if (got + n > size)
			break;
		CHECK(!memcmp(data, want + got, n));
		memset(data - 16, 0xaa, 16);        /* the headroom is the caller's */
		if (prev)                           /* the chunk before is still valid */
			CHECK(!memcmp(prev, want + got - prevlen, prevlen));
		prev = data;
		prevlen = n;
		got += n;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(got, size);
	CHECK_EQ_INT(readahead_next(ra, &data, &n), 0);
	readahead_free(ra);
	close(fd);
	unlink(path);
	free(want);
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL);
	struct readahead *ra;
	uint8_t *data;
	size_t n;
	int fd;

	printf("readahead_test: seed %u\n", seed);
	for (unsigned k = 0; k < 40; k++)
		one(seed * 7919u + k);
	/* a directory cannot be read: the error, then the end */
	fd = open("/", O_RDONLY | O_DIRECTORY);
	ra = readahead_new(fd, 4096, 16);
	errno = 0;
	CHECK_EQ_INT(readahead_next(ra, &data, &n), -1);
	CHECK_EQ_INT(errno, EISDIR);
	CHECK_EQ_INT(readahead_next(ra, &data, &n), 0);
	readahead_free(ra);
	close(fd);
	readahead_free(NULL);
	return unit_done("readahead_test");
}
