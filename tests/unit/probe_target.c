/* probe_target: what probe refuses to talk to, and how targets parse. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "probe/probe.h"
#include "unit.h"

static enum probe_addr_verdict v4(const char *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	inet_pton(AF_INET, s, &a.sin_addr);
	return probe_addr_check((struct sockaddr *)&a);
}

static enum probe_addr_verdict v6(const char *s)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, s, &a.sin6_addr);
	return probe_addr_check((struct sockaddr *)&a);
}

int main(void)
{
	struct probe_target t;
	char err[256];

	CHECK_EQ_INT(v4("127.0.0.1"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v4("10.99.2.2"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v4("223.255.255.255"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v4("0.0.0.0"), PROBE_ADDR_UNSPECIFIED);
	CHECK_EQ_INT(v4("0.255.0.1"), PROBE_ADDR_UNSPECIFIED);
	CHECK_EQ_INT(v4("224.0.0.1"), PROBE_ADDR_MULTICAST);
	CHECK_EQ_INT(v4("239.255.255.250"), PROBE_ADDR_MULTICAST);
	CHECK_EQ_INT(v4("240.0.0.1"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v4("255.255.255.255"), PROBE_ADDR_BROADCAST);
	CHECK_EQ_INT(v6("::1"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v6("2001:db8::1"), PROBE_ADDR_OK);
	CHECK_EQ_INT(v6("::"), PROBE_ADDR_UNSPECIFIED);
	CHECK_EQ_INT(v6("ff02::1"), PROBE_ADDR_MULTICAST);
	CHECK_EQ_INT(v6("ff05::1:3"), PROBE_ADDR_MULTICAST);
	CHECK_EQ_INT(v6("::ffff:224.0.0.9"), PROBE_ADDR_MULTICAST);
	CHECK_EQ_INT(v6("::ffff:255.255.255.255"), PROBE_ADDR_BROADCAST);
	CHECK_EQ_INT(v6("::ffff:0.0.0.0"), PROBE_ADDR_UNSPECIFIED);
	CHECK_EQ_INT(v6("::ffff:192.0.2.1"), PROBE_ADDR_OK);

	CHECK_EQ_INT(probe_target_resolve(&t, "127.0.0.1:8080", err, sizeof(err)), 0);
	CHECK_EQ_STR(t.text, "127.0.0.1:8080");
	CHECK_EQ_INT(probe_target_resolve(&t, "[::1]:443", err, sizeof(err)), 0);
	CHECK_EQ_STR(t.text, "[::1]:443");
	CHECK_EQ_STR(t.host, "::1");
	CHECK_EQ_INT(probe_target_resolve(&t, "224.0.0.1:80", err, sizeof(err)), -2);
	CHECK(strstr(err, "multicast") != NULL);
	CHECK_EQ_INT(probe_target_resolve(&t, "[::]:80", err, sizeof(err)), -2);
	CHECK_EQ_INT(probe_target_resolve(&t, "127.0.0.1", err, sizeof(err)), -2);
	CHECK_EQ_INT(probe_target_resolve(&t, "127.0.0.1:0", err, sizeof(err)), -2);
	CHECK_EQ_INT(probe_target_resolve(&t, ":80", err, sizeof(err)), -2);
	CHECK_EQ_INT(probe_target_resolve(&t, "[::1]80", err, sizeof(err)), -2);
	return unit_done("probe_target");
}
