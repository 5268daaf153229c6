/* hostev: OOM kills from the kernel log, with their cgroup's limit. */
#include "watch/hostev.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/cgroupmem.h"
#include "sources/counters.h"
#include "sources/kmsg.h"
#include "util/util.h"

struct hostev {
	struct kmsg_src *km;         /* live; NULL in a replay */
	char replay[512];            /* "" live */
	bool replayed;
	struct cgmem_mounts mounts;
	bool have_mounts;
	char sys_root[600];
	struct kmsg_event info;      /* an oom-kill: line whose Killed line is not read yet */
	bool have_info;
	uint64_t ooms, lost;
	struct kmsg_events ev;
};

static void load_mounts(struct hostev *h, const char *proc_root)
{
	char path[700], buf[65536];
	long n;

	fmt_buf(path, sizeof(path), "%s/self/mountinfo", proc_root);
	n = ctr_read_file(path, buf, sizeof(buf));
	h->have_mounts = n > 0 && !cgmem_parse_mountinfo(buf, (size_t)n, &h->mounts);
}

struct hostev *hostev_open(const char *replay_dir, int *err)
{
	struct hostev *h = calloc(1, sizeof(*h));
	char proc[600];

	if (!h) {
		*err = -ENOMEM;
		return NULL;
	}
	if (replay_dir) {
		fmt_buf(h->replay, sizeof(h->replay), "%s", replay_dir);
		fmt_buf(proc, sizeof(proc), "%s/proc", replay_dir);
		fmt_buf(h->sys_root, sizeof(h->sys_root), "%s/sys", replay_dir);
		load_mounts(h, proc);
		return h;
	}
	h->km = kmsg_open(err);
	if (!h->km) {
		free(h);
		return NULL;
	}
	fmt_buf(h->sys_root, sizeof(h->sys_root), "/sys");
	load_mounts(h, "/proc");
	return h;
}

void hostev_close(struct hostev *h)
{
	if (!h)
		return;
	kmsg_close(h->km);
	free(h);
}

void hostev_counts(const struct hostev *h, uint64_t *ooms, uint64_t *lost)
{
	*ooms = h ? h->ooms : 0;
	*lost = h ? h->lost : 0;
}

/* A kernel log time (µs since boot, the monotonic clock) as wall time. */
static int64_t kmsg_wall(const struct hostev *h, const struct tracefs *t, uint64_t ts_us)
{
	struct timespec rt, mono;

	if (h->replay[0])   /* recorded with its trace: the trace's clock map */
		return tracefs_to_wall(t, (int64_t)ts_us * 1000);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (int64_t)ts_us * 1000 + (rt.tv_sec - mono.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - mono.tv_nsec);
}

static void give(struct hostev *h, struct engine *e, const struct tracefs *t,
		 const struct kmsg_event *k)
{
	struct khost_event he;
	struct cgmem cg;

	memset(&he, 0, sizeof(he));
	he.kind = KHOST_OOM_KILL;
	he.wall_ns = kmsg_wall(h, t, k->ts_us);
	he.pid = k->pid;
	fmt_buf(he.comm, sizeof(he.comm), "%s", k->comm);
	fmt_buf(he.cgroup, sizeof(he.cgroup), "%s", k->cgroup);
	if (h->have_mounts && he.cgroup[0] && !cgmem_read(&h->mounts, h->sys_root, he.cgroup, &cg))
		he.limit = cg.limit;
	engine_host_event(e, &he);
	h->ooms++;
}

unsigned hostev_poll(struct hostev *h, struct engine *e, const struct tracefs *t)
{
	char path[700];
	uint64_t before;

	if (!h)
		return 0;
	before = h->ooms;
	memset(&h->ev, 0, offsetof(struct kmsg_events, e));
	if (h->have_info)   /* its Killed line may be in this read */
		kmsg_events_add(&h->ev, &h->info);
	h->have_info = false;
	if (h->km) {
		kmsg_read(h->km, &h->ev);
	} else if (!h->replayed) {
		h->replayed = true;
		fmt_buf(path, sizeof(path), "%s/kmsg", h->replay);
		kmsg_read_file(path, &h->ev);
	}
	h->lost += h->ev.lost;
	for (unsigned i = 0; i < h->ev.n; i++) {
		const struct kmsg_event *k = &h->ev.e[i];

		if (k->kind == KM_OOM_KILL && k->pid > 0)
			give(h, e, t, k);
		else if (k->kind == KM_OOM_INFO && i == h->ev.n - 1)
			h->info = *k, h->have_info = true;
	}
	return (unsigned)(h->ooms - before);
}
