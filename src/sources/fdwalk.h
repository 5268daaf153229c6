/* fdwalk: which processes hold which sockets, read from the links of
 * <root>/PID/fd/ ("socket:[INODE]"), for the socket owner cache and for
 * one-off lookups of a few inodes. Nothing is kept between walks. */
#ifndef RSTSCOPE_FDWALK_H
#define RSTSCOPE_FDWALK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Walk <root>/PID/fd/ once (at most max_procs processes, 0: all) and call
 * give(ctx, inode, pid, comm) for every socket inode want(ctx, inode)
 * accepts; stop early when want_more(ctx) says so. */
struct fd_walk {
	bool (*want)(void *ctx, uint64_t ino);
	void (*give)(void *ctx, uint64_t ino, int pid, const char *comm);
	bool (*want_more)(void *ctx);
	void *ctx;
};
void fdwalk_run(const char *root, const struct fd_walk *w, unsigned max_procs);

/* <root>/<pid>/comm without its newline into comm ("" when unreadable). */
void fdwalk_comm(const char *root, const char *pid, char *comm, size_t size);

#endif
