/* probe/tcpinfo: TCP_INFO and TCP_USER_TIMEOUT on one socket. */
#include "probe/internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

int probe_tcpinfo_read(int fd, struct probe_tcpinfo *ti)
{
	struct tcp_info k;
	socklen_t len = sizeof(k);

	memset(&k, 0, sizeof(k));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &k, &len))
		return -errno;
	ti->state = k.tcpi_state;
	ti->unacked = k.tcpi_unacked;
	ti->rtt_us = k.tcpi_rtt;
	return 0;
}

int probe_tcpinfo_user_timeout(int fd, double seconds)
{
	unsigned ms = (unsigned)(seconds * 1000.0);

	if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)))
		return -errno;
	return 0;
}
