/* unit: the host parsers' building blocks: the cursor on bytes that are
 * not text (NUL), and the counter set's index (replace, full, long names). */
#include <stdio.h>
#include <string.h>

#include "sources/cgroupmem.h"
#include "sources/counters.h"
#include "sources/kmsg.h"
#include "util/cursor.h"
#include "unit.h"

static void test_cur_until_nul(void)
{
	static const char b[] = { 'a', '\0', 'b', ',', 'c' };
	struct cur c = cur_make(b, sizeof(b)), t;

	t = cur_until(&c, ",");
	CHECK_EQ_INT(cur_left(&t), 3);
	CHECK(cur_char(&c, ','));
	t = cur_until(&c, ",");
	CHECK_EQ_INT(cur_left(&t), 1);
	CHECK(cur_eof(&c));
}

/* comma lists with a NUL inside end (they used to loop for ever) */
static void test_lists_with_nul(void)
{
	static const char oom[] = "oom-kill:task=x\0y,pid=12";
	static const char cg[] = "4:cpu\0,memory:/a\n";
	struct kmsg_event ev;
	char path[64];
	uint8_t v = 0;

	CHECK_EQ_INT(kmsg_classify(oom, sizeof(oom) - 1, &ev), 1);
	CHECK_EQ_INT(ev.pid, 12);
	CHECK(cgmem_parse_pid_cgroup(cg, sizeof(cg) - 1, path, sizeof(path), &v));
	CHECK_EQ_STR(path, "/a");
	CHECK_EQ_INT(v, 1);
}

static void test_ctrset(void)
{
	static struct ctrset s;
	char name[CTR_NAME_MAX + 8];
	uint64_t v = 0;
	unsigned i;

	ctrset_clear(&s);
	CHECK_EQ_INT(ctrset_set(&s, "TcpExt.ListenOverflows", 3), 0);
	CHECK_EQ_INT(ctrset_set(&s, "TcpExt.ListenOverflows", 5), 0);
	CHECK_EQ_INT(s.n, 1);
	CHECK(ctrset_get(&s, "TcpExt.ListenOverflows", &v));
	CHECK_EQ_INT(v, 5);
	CHECK(!ctrset_get(&s, "TcpExt.ListenOverflow", &v));
	CHECK(!ctrset_get(&s, "TcpExt.ListenOverflowsX", &v));
	/* a prefix given with its length is that name, not a longer one */
	CHECK_EQ_INT(ctrset_put(&s, "TcpExt.ListenDropsXYZ", 18, 7), 0);
	CHECK(ctrset_get(&s, "TcpExt.ListenDrops", &v));
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(ctrset_put(&s, "", 0, 1), -1);
	CHECK_EQ_INT(ctrset_put(&s, "a\0b", 3, 1), -1);
	memset(name, 'x', sizeof(name));
	CHECK_EQ_INT(ctrset_put(&s, name, CTR_NAME_MAX, 1), -1);
	CHECK_EQ_INT(ctrset_put(&s, name, CTR_NAME_MAX - 1, 9), 0);
	CHECK_EQ_INT(s.dropped, 3);

	/* fill it: every name stays reachable, the one too many is counted */
	ctrset_clear(&s);
	for (i = 0; i < CTR_MAX; i++) {
		snprintf(name, sizeof(name), "c.%u", i);
		if (ctrset_set(&s, name, i))
			break;
	}
	CHECK_EQ_INT(i, CTR_MAX);
	CHECK_EQ_INT(ctrset_set(&s, "one.more", 1), -1);
	CHECK_EQ_INT(ctrset_set(&s, "c.7", 70), 0);   /* replacing still works when full */
	CHECK_EQ_INT(s.dropped, 1);
	for (i = 0; i < CTR_MAX; i++) {
		snprintf(name, sizeof(name), "c.%u", i);
		if (!ctrset_get(&s, name, &v) || v != (i == 7 ? 70 : i))
			break;
	}
	CHECK_EQ_INT(i, CTR_MAX);
	CHECK(!ctrset_get(&s, "one.more", &v));
	ctrset_clear(&s);
	CHECK(!ctrset_get(&s, "c.1", &v));
	CHECK_EQ_INT(s.n, 0);
}

int main(void)
{
	test_cur_until_nul();
	test_lists_with_nul();
	test_ctrset();
	return unit_done("host_parsers");
}
