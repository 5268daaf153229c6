/* unit: 'rstscope proxy' option parsing and the reproducible draws. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "proxy/proxy.h"
#include "unit.h"

#define ARGV(...) ((char *[]){ "proxy", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "proxy", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) proxy_opts_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

static unsigned port_of(const struct proxy_addr *a)
{
	if (a->sa.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
}

static void test_defaults(void)
{
	struct proxy_opts o;
	char err[256];

	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:8080", "--upstream", "[::1]:80"), 0);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_INT(o.listen.sa.ss_family, AF_INET);
	CHECK_EQ_INT(port_of(&o.listen), 8080);
	CHECK_EQ_STR(o.listen.text, "127.0.0.1:8080");
	CHECK_EQ_INT(o.upstream.sa.ss_family, AF_INET6);
	CHECK_EQ_INT(port_of(&o.upstream), 80);
	CHECK_EQ_STR(o.upstream.text, "[::1]:80");
	CHECK(!o.has_idle && !o.has_reset_bytes && !o.has_reset_prob && !o.has_duration);
	CHECK_EQ_INT(o.max_conns, PROXY_DEFAULT_MAX_CONNS);
	CHECK(o.connect_timeout == PROXY_DEFAULT_CONNECT_TIMEOUT);
	CHECK(o.silent_max == PROXY_DEFAULT_SILENT_MAX);
	CHECK(!o.json_log);
}

static void test_everything(void)
{
	struct proxy_opts o;
	char err[256];

	CHECK_EQ_INT(PARSE(&o, err, "--listen", "[::]:0", "--upstream", "10.1.2.3:443",
			   "--idle-timeout", "1.5", "--idle-action", "silent", "--silent-max", "9",
			   "--reset-after-bytes", "1000", "--direction", "down",
			   "--reset-probability", ".25", "--reset-delay", "0.2", "--seed", "18446744073709551615",
			   "--max-conns", "7", "--connect-timeout", "0.5", "--duration", "30", "--json-log"), 0);
	CHECK_EQ_STR(err, "");
	CHECK_EQ_INT(port_of(&o.listen), 0);
	CHECK_EQ_STR(o.listen.text, "[::]:0");
	CHECK(o.has_idle && o.idle_timeout == 1.5 && o.idle_action == PROXY_IDLE_SILENT);
	CHECK(o.silent_max == 9.0);
	CHECK(o.has_reset_bytes && o.reset_bytes == 1000 && o.reset_dir == PROXY_DIR_DOWN);
	CHECK(o.has_reset_prob && o.reset_prob == 0.25 && o.reset_delay == 0.2);
	CHECK(o.has_seed && o.seed == UINT64_MAX);
	CHECK_EQ_INT(o.max_conns, 7);
	CHECK(o.connect_timeout == 0.5 && o.has_duration && o.duration == 30.0 && o.json_log);

	/* a delay alone resets every connection */
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--reset-delay", "3"), 0);
	CHECK(o.has_reset_prob && o.reset_prob == 1.0 && o.reset_delay == 3.0);
	/* the idle action defaults to rst */
	CHECK_EQ_INT(PARSE(&o, err, "--upstream", "127.0.0.1:2", "--idle-timeout", "2",
			   "--listen", "127.0.0.1:1"), 0);
	CHECK(o.has_idle && o.idle_action == PROXY_IDLE_RST);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--help"), 1);
}

static void test_bad(void)
{
	struct proxy_opts o;
	char err[256];

	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1"), -1);
	CHECK(strstr(err, "'--upstream'") != NULL);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:70000"), -1);
	CHECK(strstr(err, "'127.0.0.1:70000'") != NULL);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:00", "--upstream", "127.0.0.1:1"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", ":0", "--upstream", "127.0.0.1:1"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "[::1]80"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--reset-probability", "1.5"), -1);
	CHECK(strstr(err, "'--reset-probability'") && strstr(err, "'1.5'"));
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--reset-probability", "0.5x"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--idle-timeout", "1", "--idle-action", "drop"), -1);
	CHECK(strstr(err, "'drop'") != NULL);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--reset-after-bytes", "1e3"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--max-conns", "100001"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--duration", "0"), -1);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2",
			   "--seed", "1"), -1);
	CHECK(strstr(err, "'--seed'") != NULL);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:2", "-x"), -1);
	CHECK(strstr(err, "'-x'") != NULL);
	CHECK_EQ_INT(PARSE(&o, err, "--listen", "127.0.0.1:1", "--upstream"), -1);
	CHECK(strstr(err, "needs a value") != NULL);
}

static void test_rng(void)
{
	struct proxy_rng r;
	int hits = 0;

	/* splitmix64's published first outputs for seed 0 */
	proxy_rng_init(&r, 0);
	CHECK(proxy_rng_next(&r) == 0xe220a8397b1dcdafULL);
	CHECK(proxy_rng_next(&r) == 0x6e789e6aa1b965f4ULL);
	proxy_rng_init(&r, 7);
	for (int i = 0; i < 10000; i++) {
		double u = proxy_rng_unit(&r);

		CHECK(u >= 0 && u < 1);
		hits += proxy_rng_chance(&r, 0.3);
	}
	CHECK(hits > 2700 && hits < 3300);
	proxy_rng_init(&r, 7);
	for (int i = 0; i < 100; i++) {
		CHECK(!proxy_rng_chance(&r, 0));
		CHECK(proxy_rng_chance(&r, 1));
	}
}

int main(void)
{
	test_defaults();
	test_everything();
	test_bad();
	test_rng();
	return unit_done("proxy_opts");
}
