/* analyze_many: many capture files at once, each on a worker thread of its
 * own, with the output of one file after the other. A worker writes a
 * file's results and warnings into a log of its own (what went to which
 * stream, in the order written); the calling thread writes the logs out to
 * stdout and stderr in the order of the files as soon as a file and every
 * one before it are done. So the output is, byte for byte on each stream,
 * that of analysing the files one after the other. A log grows to 16 MiB
 * at most: a file with more to say then waits for its turn (every file
 * before it written out), writes its log out and the rest straight to the
 * streams, so memory stays bounded whatever a file reports. */
#ifndef RSTSCOPE_ANALYZE_MANY_H
#define RSTSCOPE_ANALYZE_MANY_H
#include <stdio.h>

/* job(i, out, ctx) analyses file i, its results to `out`, its warnings
 * (warnx_) to the log too; it is called on a worker thread, at most once
 * at a time for each i, and must touch only what belongs to i. done(i, rc,
 * ctx) follows on the calling thread, in order of i, after file i's log
 * was written out; rc is job's return. When a log could not be kept (out
 * of memory), job(i, stdout, ctx) runs again on the calling thread, its
 * warnings to stderr: nothing is lost. Returns 0, or -1 when no worker
 * could start (then nothing ran: the caller runs the files itself). */
int many_run(unsigned n, unsigned workers, int (*job)(unsigned i, FILE *out, void *ctx),
	     void (*done)(unsigned i, int rc, void *ctx), void *ctx);

/* Files at most this far ahead of the one being written out run: job i
 * starts only after done(i - many_window(workers)) returned, so state kept
 * per file from job to done can live in many_window() slots (i modulo). */
unsigned many_window(unsigned workers);

#endif
