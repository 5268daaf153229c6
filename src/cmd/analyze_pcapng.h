/* analyze_pcapng: the files side of analyze --write-pcapng: where each
 * annotated copy goes, stdin spooled so that it can be read twice, and the
 * copy written beside its final name then renamed into place. */
#ifndef RSTSCOPE_ANALYZE_PCAPNG_H
#define RSTSCOPE_ANALYZE_PCAPNG_H
#include <stdbool.h>
#include <stddef.h>

struct annot;

/* Check OUT against the n inputs before any is read: one input writes OUT
 * (or DIR/NAME.pcapng when OUT is a directory or ends in '/'); several
 * need a directory; no two inputs may map to one output, and no output may
 * be an input. 0, or -1 after a message. */
int apng_check(const char *out, char *const *files, int n);
/* Copy stdin to an unlinked temporary file in TMPDIR (or /tmp); its path
 * for reading (/proc/self/fd/N) goes to path. The fd, or -1 after a
 * message. */
int apng_spool_stdin(char *path, size_t size);
/* Pass 2 for one input: `name` as the user gave it, `path` to read it
 * from, the diagnosis text for the section header. 0; 1 when pass 2 met
 * an input error (the output still holds every whole frame before it);
 * -1 when the output could not be written (message given). */
int apng_write(struct annot *a, const char *out, int n_inputs, const char *name,
	       const char *path, const char *diagnosis, bool verbose);

#endif
