/* analyze_pipe: read and decode one capture file on a thread of its own
 * while the caller's thread feeds the engine, in file order (the output
 * is the single path's). Only for files whose frames come in generations
 * (pcapfile_generation() != UINT64_MAX). */
#ifndef RSTSCOPE_ANALYZE_PIPE_H
#define RSTSCOPE_ANALYZE_PIPE_H
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "sources/pcapfile.h"

/* Read pf to its end into e. `after` (may be NULL) sees each batch once
 * the engine had it (warnings, progress), on the caller's thread.
 * 0: the end of the file; -1: a read error, message in err (about the
 * frame after pcapfile_frames(); every frame before it was fed); -2: no
 * thread or memory (nothing was read: the caller reads it itself). */
int analyze_pipe(struct pcapfile *pf, struct engine *e, const char *path,
		 void (*after)(const struct engine_batch *b, void *ctx), void *ctx,
		 char *err, size_t errsz);

#endif
