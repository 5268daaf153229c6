/* readahead: chunks of a file read ahead by a thread (a ring of four). */
#include "sources/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* chunks in the ring: the caller holds two (the one it parses and the one
 * before, whose frames are still valid), the thread fills the others */
#define RA_RING 4

struct ra_chunk {
	uint8_t *mem;          /* headroom + chunk bytes */
	size_t len;
	int err;               /* errno of a failed read after len bytes */
	bool filled;
};

struct readahead {
	int fd;
	size_t chunk, headroom;
	struct ra_chunk c[RA_RING];
	uint64_t taken;        /* chunks the caller took */
	uint64_t made;         /* chunks read (the thread's count) */
	bool eof;              /* the last chunk taken was short: nothing follows */
	int pending_err;       /* a read error after the data of the last chunk */
	bool stop, threaded, inited;
	bool here;             /* the caller reads: no thread is started */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Fill chunk c: whole reads until it is full, the end, or an error. */
static void fill(struct readahead *ra, struct ra_chunk *c)
{
	uint8_t *p = c->mem + ra->headroom;
	ssize_t r;

	c->len = 0;
	c->err = 0;
	while (c->len < ra->chunk) {
		r = read(ra->fd, p + c->len, ra->chunk - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			c->err = errno ? errno : EIO;
			break;
		}
		if (r == 0)
			break;
		c->len += (size_t)r;
	}
}

static void *reader(void *arg)
{
	struct readahead *ra = arg;

	pthread_mutex_lock(&ra->mu);
	for (;;) {
		struct ra_chunk *c = &ra->c[ra->made % RA_RING];
		bool last;

		while (!ra->stop && c->filled)
			pthread_cond_wait(&ra->cv, &ra->mu);
		if (ra->stop)
			break;
		pthread_mutex_unlock(&ra->mu);
		fill(ra, c);
		last = c->err || c->len < ra->chunk;
		pthread_mutex_lock(&ra->mu);
		c->filled = true;
		ra->made++;
		pthread_cond_broadcast(&ra->cv);
		if (last)
			break;
	}
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

struct readahead *readahead_new(int fd, size_t chunk, size_t headroom)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	ra->fd = fd;
	ra->chunk = chunk;
	ra->headroom = headroom;
	for (int i = 0; i < RA_RING; i++)
		if (!(ra->c[i].mem = malloc(headroom + chunk))) {
			readahead_free(ra);
			return NULL;
		}
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	ra->inited = true;
	return ra;
}

void readahead_here(struct readahead *ra)
{
	ra->here = true;
}

/* The thread starts at the second chunk (the first, with the file's
 * header, is read at once), unless readahead_here() came before: the
 * first chunk counts as one it made, still held by the caller. */
static void start(struct readahead *ra)
{
	struct ra_chunk *first = &ra->c[0];

	if (ra->threaded || ra->here || ra->taken != 1 || ra->eof)
		return;
	first->filled = true;
	ra->made = 1;
	ra->threaded = pthread_create(&ra->th, NULL, reader, ra) == 0;
	if (!ra->threaded)
		first->filled = false;
}

int readahead_next(struct readahead *ra, uint8_t **data, size_t *len)
{
	struct ra_chunk *c;

	if (ra->pending_err) {
		errno = ra->pending_err;
		ra->pending_err = 0;
		ra->eof = true;
		return -1;
	}
	if (ra->eof)
		return 0;
	start(ra);
	c = &ra->c[ra->taken % RA_RING];
	if (!ra->threaded) {
		fill(ra, c);
	} else {
		pthread_mutex_lock(&ra->mu);
		/* the chunk two back is the caller's no more */
		if (ra->taken >= 2) {
			ra->c[(ra->taken - 2) % RA_RING].filled = false;
			pthread_cond_broadcast(&ra->cv);
		}
		while (!c->filled)
			pthread_cond_wait(&ra->cv, &ra->mu);
		pthread_mutex_unlock(&ra->mu);
	}
	ra->taken++;
	*data = c->mem + ra->headroom;
	*len = c->len;
	ra->eof = c->len < ra->chunk;
	if (c->err && !c->len) {
		errno = c->err;
		return -1;
	}
	ra->pending_err = c->err;   /* reported by the next call */
	return c->len ? 1 : 0;
}

void readahead_free(struct readahead *ra)
{
	if (!ra)
		return;
	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->th, NULL);
	}
	if (ra->inited) {
		pthread_mutex_destroy(&ra->mu);
		pthread_cond_destroy(&ra->cv);
	}
	for (int i = 0; i < RA_RING; i++)
		free(ra->c[i].mem);
	free(ra);
}
