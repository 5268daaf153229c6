/* fuzz_host: the host sources' parsers of untrusted bytes (kernel log
 * records and messages, ctnetlink and sock_diag replies) and of procfs and
 * cgroupfs text, over arbitrary input copied into an exact-size heap
 * buffer; the readers that parse files only as they read them (a task's
 * status, cgroup and limits; cgroup v1 and v2 memory files) get the input
 * as those files of a replay tree in a directory of the harness's own,
 * removed at exit. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/cgroupmem.h"
#include "sources/conntrack.h"
#include "sources/fds.h"
#include "sources/kmsg.h"
#include "sources/listeners.h"
#include "sources/procctx.h"
#include "sources/procnet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the replay tree: files written from each input */
static const char *const tree_files[] = {
	"proc/1/status", "proc/1/cgroup", "proc/1/limits", "proc/1/comm",
	"sys/fs/cgroup/memory.events", "sys/fs/cgroup/memory.max",
	"sys/v1/memory.oom_control", "sys/v1/memory.failcnt", "sys/v1/memory.limit_in_bytes",
};
static const char *const tree_dirs[] = {
	"proc/1/fd", "proc/1", "proc", "sys/fs/cgroup", "sys/fs", "sys/v1", "sys",
};
static char root[64];

static void tree_path(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", root, rel);
}

static void tree_remove(void)
{
	char p[128];

	for (size_t i = 0; i < sizeof(tree_files) / sizeof(tree_files[0]); i++) {
		tree_path(p, sizeof(p), tree_files[i]);
		unlink(p);
	}
	tree_path(p, sizeof(p), "proc/1/fd/0");
	unlink(p);
	for (size_t i = 0; i < sizeof(tree_dirs) / sizeof(tree_dirs[0]); i++) {
		tree_path(p, sizeof(p), tree_dirs[i]);
		rmdir(p);
	}
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];

	(void)argc;
	(void)argv;
	/* tmpfs when there is one: a disk file system can flush on each truncate */
	snprintf(root, sizeof(root), "%s/fuzz_host.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(root)) {
		root[0] = '\0';
		return 0;
	}
	for (size_t i = sizeof(tree_dirs) / sizeof(tree_dirs[0]); i-- > 0;) {
		tree_path(p, sizeof(p), tree_dirs[i]);
		mkdir(p, 0700);
	}
	tree_path(p, sizeof(p), "proc/1/fd/0");
	(void)symlink("/dev/null", p);
	atexit(tree_remove);
	return 0;
}

static void tree_read(const char *buf, size_t size)
{
	static struct fds_result fr;
	struct fds_scan fs = { 0 };
	struct procctx ctx;
	struct cgmem_mounts m = { .v2 = "/sys/fs/cgroup", .v1 = "/sys/v1" };
	struct cgmem cg;
	char p[128], proc[96], path[192];
	uint8_t v;

	for (size_t i = 0; i < sizeof(tree_files) / sizeof(tree_files[0]); i++) {
		int fd;

		tree_path(p, sizeof(p), tree_files[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return;
		if (write(fd, buf, size) != (ssize_t)size) {
			close(fd);
			return;
		}
		close(fd);
	}
	snprintf(proc, sizeof(proc), "%s/proc", root);
	(void)procctx_tgid(proc, 1);
	(void)procctx_of(proc, 1, &ctx);
	(void)cgmem_of_pid(proc, 1, path, sizeof(path), &v);
	(void)fds_scan_run(&fs, proc, 4, &fr);
	(void)cgmem_read(&m, root, "/", &cg);
	m.v1[0] = '\0';
	(void)cgmem_read(&m, root, "/", &cg);
}

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
	uint64_t soft;
	(void)fds_parse_limits(buf, size, &soft);
	(void)procctx_parse_cgroup(buf, size, path, sizeof(path));
	{
		static const char *const names[] = { "a", NULL, "b", "c" };
		char cgroup[256], container[PROCCTX_CONTAINER_MAX];
		size_t n = size < sizeof(cgroup) - 1 ? size : sizeof(cgroup) - 1;

		(void)procnet_parse_kv(buf, size, "vm", &s);
		(void)procnet_parse_numbers(buf, size, names, 4, &s);
		memcpy(cgroup, buf, n);
		cgroup[n] = '\0';
		(void)procctx_container(cgroup, container, sizeof(container));
	}
	if (root[0] && size <= 8192)
		tree_read(buf, size);
	free(buf);
	return 0;
}
