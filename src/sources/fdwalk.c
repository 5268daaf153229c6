/* fdwalk: the processes holding socket inodes, from <root>/PID/fd/. */
#include "sources/fdwalk.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

void fdwalk_comm(const char *root, const char *pid, char *comm, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	fmt_buf(path, sizeof(path), "%s/%s/comm", root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

void fdwalk_run(const char *root, const struct fd_walk *w, unsigned max_procs)
{
	DIR *proc;
	struct dirent *d;
	unsigned procs = 0;

	proc = opendir(root);
	if (!proc)
		return;
	while ((d = readdir(proc)) && w->want_more(w->ctx)) {
		char path[512], link[64], comm[17];
		uint64_t pid;
		DIR *fds;
		struct dirent *f;
		bool have_comm = false;

		if (parse_u64_range(d->d_name, 1, 1u << 30, &pid))
			continue;
		if (max_procs && procs++ >= max_procs)
			break;
		fmt_buf(path, sizeof(path), "%s/%s/fd", root, d->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			char fpath[600];
			ssize_t n;
			uint64_t ino;

			if (f->d_name[0] == '.')
				continue;
			fmt_buf(fpath, sizeof(fpath), "%s/%s", path, f->d_name);
			n = readlink(fpath, link, sizeof(link) - 1);
			if (n < 10 || memcmp(link, "socket:[", 8) || link[n - 1] != ']')
				continue;
			link[n - 1] = '\0';
			if (parse_u64_range(link + 8, 1, UINT64_MAX, &ino) || !w->want(w->ctx, ino))
				continue;
			if (!have_comm) {
				fdwalk_comm(root, d->d_name, comm, sizeof(comm));
				have_comm = true;
			}
			w->give(w->ctx, ino, (int)pid, comm);
		}
		closedir(fds);
	}
	closedir(proc);
}
