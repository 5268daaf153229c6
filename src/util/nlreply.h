/* nlreply: the replies to one netlink request, read until its end. */
#ifndef RSTSCOPE_NLREPLY_H
#define RSTSCOPE_NLREPLY_H
#include <linux/netlink.h>
#include <stdint.h>

/* on(): 0 to go on, 1 to stop (the answer is complete), -1 on error. */
typedef int (*nlreply_fn)(const struct nlmsghdr *h, void *ctx);

/* Read the replies of request seq on netlink socket fd (its receive
 * timeout bounds each wait) and give each message of seq but DONE and
 * ERROR to on(). Returns 0 at NLMSG_DONE or when on() stopped, -2 at an
 * NLMSG_ERROR (a request of one object: it is gone), -1 when recv failed
 * or on() did; bounded to NLREPLY_ROUNDS reads. */
#define NLREPLY_ROUNDS 10000
int nlreply_read(int fd, uint32_t seq, nlreply_fn on, void *ctx);

#endif
