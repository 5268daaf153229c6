/* probe/target: the one address a probe may talk to, resolved and checked. */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "util/util.h"

const char *probe_addr_verdict_name(enum probe_addr_verdict v)
{
	switch (v) {
	case PROBE_ADDR_OK: return "ok";
	case PROBE_ADDR_UNSPECIFIED: return "an unspecified address";
	case PROBE_ADDR_MULTICAST: return "a multicast address";
	case PROBE_ADDR_BROADCAST: return "a broadcast address";
	}
	return "?";
}

static enum probe_addr_verdict check_v4(uint32_t a /* host order */)
{
	if ((a >> 24) == 0)
		return PROBE_ADDR_UNSPECIFIED;     /* 0.0.0.0/8, "this network" (RFC 1122 3.2.1.3) */
	if ((a >> 28) == 0xe)
		return PROBE_ADDR_MULTICAST;       /* 224.0.0.0/4 (RFC 5771) */
	if (a == 0xffffffffu)
		return PROBE_ADDR_BROADCAST;       /* limited broadcast (RFC 919) */
	return PROBE_ADDR_OK;
}

enum probe_addr_verdict probe_addr_check(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return check_v4(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		uint32_t v4;

		if (IN6_IS_ADDR_UNSPECIFIED(a))
			return PROBE_ADDR_UNSPECIFIED;
		if (IN6_IS_ADDR_MULTICAST(a))
			return PROBE_ADDR_MULTICAST;       /* ff00::/8 (RFC 4291 2.7) */
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(&v4, a->s6_addr + 12, 4);
			return check_v4(ntohl(v4));
		}
		return PROBE_ADDR_OK;
	}
	return PROBE_ADDR_UNSPECIFIED;
}

/* A directed broadcast is only known from the interfaces: is it one of ours? */
static bool is_local_broadcast(const struct sockaddr *sa)
{
	struct ifaddrs *ifs = NULL, *i;
	bool hit = false;

	if (sa->sa_family != AF_INET || getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !hit; i = i->ifa_next) {
		/* without IFF_BROADCAST the field is a point-to-point peer (lo: 127.0.0.1) */
		if (!(i->ifa_flags & IFF_BROADCAST) || !i->ifa_broadaddr || !i->ifa_addr ||
		    i->ifa_addr->sa_family != AF_INET)
			continue;
		hit = ((const struct sockaddr_in *)i->ifa_broadaddr)->sin_addr.s_addr ==
		      ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	}
	freeifaddrs(ifs);
	return hit;
}

int probe_target_resolve(struct probe_target *t, const char *arg, char *err, size_t errsz)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP }, *res = NULL, *ai;
	enum probe_addr_verdict v = PROBE_ADDR_OK;
	char num[INET6_ADDRSTRLEN];
	uint16_t port;
	int rc;

	memset(t, 0, sizeof(*t));
	if (parse_hostport(arg, t->host, sizeof(t->host), &port)) {
		fmt_buf(err, errsz, "bad target '%s' (want HOST:PORT or [V6]:PORT, port 1-65535)", arg);
		return -2;
	}
	rc = getaddrinfo(t->host, NULL, &hints, &res);
	if (rc) {
		fmt_buf(err, errsz, "cannot resolve '%s': %s", t->host, gai_strerror(rc));
		return -4;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		v = probe_addr_check(ai->ai_addr);
		if (v == PROBE_ADDR_OK && is_local_broadcast(ai->ai_addr))
			v = PROBE_ADDR_BROADCAST;
		if (v != PROBE_ADDR_OK)
			break;  /* a name that may mean a group: refuse it whole */
		memcpy(&t->sa, ai->ai_addr, ai->ai_addrlen);
		t->len = ai->ai_addrlen;
		break;
	}
	freeaddrinfo(res);
	if (v != PROBE_ADDR_OK) {
		fmt_buf(err, errsz, "refusing to probe '%s': %s", arg, probe_addr_verdict_name(v));
		return -2;
	}
	if (!t->len) {
		fmt_buf(err, errsz, "cannot resolve '%s': no IPv4 or IPv6 address", t->host);
		return -4;
	}
	if (t->sa.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&t->sa;

		s4->sin_port = htons(port);
		inet_ntop(AF_INET, &s4->sin_addr, num, sizeof(num));
		fmt_buf(t->text, sizeof(t->text), "%s:%u", num, port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->sa;

		s6->sin6_port = htons(port);
		inet_ntop(AF_INET6, &s6->sin6_addr, num, sizeof(num));
		fmt_buf(t->text, sizeof(t->text), "[%s]:%u", num, port);
	}
	return 0;
}
