/* nlreply: netlink replies until NLMSG_DONE. */
#include "util/nlreply.h"

#include <errno.h>
#include <sys/socket.h>

int nlreply_read(int fd, uint32_t seq, nlreply_fn on, void *ctx)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (int rounds = 0; rounds < NLREPLY_ROUNDS; rounds++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			int rc;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -2;
			if ((rc = on(h, ctx)))
				return rc > 0 ? 0 : -1;
		}
	}
	return 0;
}
