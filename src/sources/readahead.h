/* readahead: a file read sequentially in large chunks by a thread of its
 * own, so that the copy out of the page cache (read()) runs on another
 * core while the caller parses the chunk before.
 *
 * Chunks come in file order. Each has `headroom` writable bytes before its
 * data, for the caller to carry the unparsed tail of the chunk before into.
 * A chunk stays valid until the second readahead_next() after the one that
 * returned it. The thread starts at the second chunk (the first, with the
 * file's header, is read at once). Without a thread (it could not be
 * started, or readahead_here() came first) the reads happen in
 * readahead_next() itself, with the same results. */
#ifndef RSTSCOPE_READAHEAD_H
#define RSTSCOPE_READAHEAD_H
#include <stddef.h>
#include <stdint.h>

struct readahead;

/* Read fd (not closed here) in chunks of up to `chunk` bytes. NULL: no memory. */
struct readahead *readahead_new(int fd, size_t chunk, size_t headroom);
/* The next chunk into *data, *len: 1; end of file: 0; a read error: -1
 * with errno set (the chunks before it were all delivered). */
int readahead_next(struct readahead *ra, uint8_t **data, size_t *len);
/* From now on the caller's thread reads (before the second chunk: no
 * thread is started): for a caller that is itself a reading thread, where
 * there is no CPU for one more. */
void readahead_here(struct readahead *ra);
/* Stops and joins the thread. NULL is accepted. */
void readahead_free(struct readahead *ra);

#endif
