/* initns: sysctls that exist only in the initial network namespace.
 * net.ipv4.tcp_mem and tcp_max_orphans are host-wide (one value, one
 * orphan count for every namespace), so the kernel registers them in the
 * initial namespace alone: /proc/sys/net/ipv4/tcp_max_orphans is absent
 * in any other. rstscope host reading another namespace opens them there
 * once, at the start (root: setns to the namespace of pid 1, or of pid 2,
 * kthreadd, where pid 1 cannot be read, and straight back), and reads the
 * open files every sample. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

int host_initns_open(const char *const *paths, int *fds, unsigned n)
{
	int self, init, opened = 0;

	for (unsigned i = 0; i < n; i++)
		fds[i] = -1;
	if (!n || access(paths[0], F_OK) == 0 || errno != ENOENT)
		return 0;   /* this namespace has them (the initial one) */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	init = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	if (init < 0)   /* kernel threads live in the initial namespaces */
		init = open("/proc/2/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && init >= 0 && !setns(init, CLONE_NEWNET)) {
		for (unsigned i = 0; i < n; i++)
			if ((fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC)) >= 0)
				opened++;
		if (setns(self, CLONE_NEWNET)) {   /* never read the wrong namespace */
			for (unsigned i = 0; i < n; i++)
				if (fds[i] >= 0)
					close(fds[i]), fds[i] = -1;
			opened = -1;
		}
	}
	if (self >= 0)
		close(self);
	if (init >= 0)
		close(init);
	return opened;
}

long host_initns_read(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}
