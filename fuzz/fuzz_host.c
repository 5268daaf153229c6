/* fuzz_host: the host sources' parsers of untrusted bytes (kernel log
 * records and messages, ctnetlink and sock_diag replies) and of procfs
 * text, over arbitrary input copied into an exact-size heap buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/cgroupmem.h"
#include "sources/conntrack.h"
#include "sources/kmsg.h"
#include "sources/listeners.h"
#include "sources/procnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctrset s;
	static struct socklist sl;
	static struct kmsg_events ke;
	char *buf = malloc(size ? size : 1);
	size_t start = 0;
	int e;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(&ke, 0, sizeof(ke));
	for (size_t i = 0; i <= size; i++)
		if (i == size || buf[i] == '\n') {
			uint64_t seq, ts;
			const char *msg;
			size_t ml;
			struct kmsg_event ev;

			if (!kmsg_parse_record(buf + start, i - start, &seq, &ts, &msg, &ml) &&
			    kmsg_classify(msg, ml, &ev))
				kmsg_events_add(&ke, &ev);
			if (kmsg_classify(buf + start, i - start, &ev))
				kmsg_events_add(&ke, &ev);
			start = i + 1;
		}
	ctrset_clear(&s);
	(void)conntrack_parse_nl((const uint8_t *)buf, size, &s, &e);
	memset(&sl, 0, offsetof(struct socklist, l));
	(void)sockdiag_parse((const uint8_t *)buf, size, &sl);
	(void)socklist_parse_proc_tcp(buf, size, &sl);
	(void)procnet_parse_pairs(buf, size, &s);
	(void)procnet_parse_snmp6(buf, size, &s);
	(void)procnet_parse_sockstat(buf, size, "sockstat", &s);
	(void)conntrack_parse_stat(buf, size, &s);
	struct cgmem_mounts m;
	char path[192];
	uint8_t v;
	(void)cgmem_parse_mountinfo(buf, size, &m);
	(void)cgmem_parse_pid_cgroup(buf, size, path, sizeof(path), &v);
	free(buf);
	return 0;
}
