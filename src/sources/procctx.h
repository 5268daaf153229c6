/* procctx: where a process lives on a container host: its network
 * namespace (the inode of <proc_root>/PID/ns/net), its cgroup (the v2 path
 * from <proc_root>/PID/cgroup, or the v1 memory hierarchy's where memory
 * is a v1 controller) and the container that cgroup implies. */
#ifndef RSTSCOPE_PROCCTX_H
#define RSTSCOPE_PROCCTX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROCCTX_CGROUP_MAX 160
#define PROCCTX_CONTAINER_MAX 80

struct procctx {
	uint64_t netns;                          /* 0: unknown */
	char cgroup[PROCCTX_CGROUP_MAX];         /* "" unknown */
	char container[PROCCTX_CONTAINER_MAX];   /* "" none */
};

/* Fill *out for pid from proc_root (NULL: /proc). False when the process
 * is gone (then *out is all unknown). */
bool procctx_of(const char *proc_root, int pid, struct procctx *out);

/* The process (thread group) of task tid, from <proc_root>/TID/status
 * (NULL: /proc): its Tgid, or -1 when the task is gone. */
int procctx_tgid(const char *proc_root, int tid);

/* The cgroup of one /proc/PID/cgroup text: the v1 memory controller's
 * path when there is one (the hierarchy that holds the memory limit),
 * else the v2 ("0::") path. 0, or -1 when neither is there. */
int procctx_parse_cgroup(const char *text, size_t len, char *path, size_t size);

/* The container a cgroup path implies, into out: "pod:<uid>" (Kubernetes,
 * any QoS class, cgroupfs or systemd driver), "docker:<id12>",
 * "containerd:<id12>", "crio:<id12>", "podman:<id12>", or "unit:<name>"
 * (the innermost systemd service). False (out "") for anything else. */
bool procctx_container(const char *cgroup, char *out, size_t size);

#endif
