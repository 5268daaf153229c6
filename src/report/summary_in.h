/* summary_in: a JSON summary line (analyze --json, watch --json) read back
 * into the diagnosis and counters it was printed from, for rstscope merge.
 * Exact: confidence sums, idle gaps and survived silences come from the
 * summary's "raw" member, printed to round-trip. Strings it keeps (file
 * names of examples) live in the pool until summary_pool_free. */
#ifndef RSTSCOPE_SUMMARY_IN_H
#define RSTSCOPE_SUMMARY_IN_H
#include <stddef.h>

#include "engine/engine.h"
#include "verdict/verdict.h"

struct summary_pool;
struct summary_pool *summary_pool_new(void);
void summary_pool_free(struct summary_pool *p);

/* Parse one summary object's text (len bytes) into *d (initialised here)
 * and *s (zeroed here). 0; -1 with a message in err (not a summary, junk,
 * a name this version does not know, no "raw"). *files: its "files"
 * (0: a summary of one capture or of a live run). */
int summary_parse(const char *text, size_t len, struct summary_pool *pool,
		  struct diagnosis *d, struct engine_stats *s, unsigned *files,
		  char *file, size_t filesz, char *err, size_t errsz);

#endif
