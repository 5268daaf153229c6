/* join: trace events -> kernel resets with their owners. */
#include "watch/join.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

int join_local_addrs(struct ipaddr *a, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		memset(&a[n], 0, sizeof(a[n]));
		if (i->ifa_addr->sa_family == AF_INET) {
			a[n].b[10] = a[n].b[11] = 0xff;
			memcpy(a[n].b + 12, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(a[n].b, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
			n++;
		}
	}
	freeifaddrs(ifa);
	return (int)n;
}

bool join_closer_reason(const char *reason)
{
	static const char *const closers[] = {
		"TCP_ABORT_ON_CLOSE", "TCP_STATE", "TCP_ABORT_ON_LINGER",
		"TCP_DISCONNECT_WITH_DATA", "TCP_ABORT_ON_MEMORY",
	};

	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (!strcmp(reason, closers[i]))
			return true;
	return false;
}

static void make_key(struct sock_key *k, const struct ipaddr *l, uint16_t lp,
		     const struct ipaddr *r, uint16_t rp)
{
	memset(k, 0, sizeof(*k));
	k->laddr = *l, k->lport = lp, k->raddr = *r, k->rport = rp;
}

/* tracefs names a task by the comm saved at its last context switch, which
 * can predate a rename; the live process's own name wins when it is there. */
static void fresh_comm(const struct sockowner *so, int pid, char *comm, size_t size)
{
	if (so)
		sockowner_comm(so, pid, comm, size);
}

void join_reset_from_trace(const struct tfs_event *ev, int64_t wall_ns, struct sockowner *so,
			   struct kernel_reset *out)
{
	struct sock_key k;
	struct sock_owner own;

	memset(out, 0, sizeof(*out));
	out->dir = ev->kind == TFS_SEND_RESET ? KRESET_SENT : KRESET_RECEIVED;
	out->wall_ns = wall_ns;
	out->src = ev->src, out->dst = ev->dst;
	out->sport = ev->sport, out->dport = ev->dport;
	out->ipver = ev->ipver;
	fmt_buf(out->reason, sizeof(out->reason), "%s", ev->reason);
	if (ev->kind == TFS_SEND_RESET)
		fmt_buf(out->state, sizeof(out->state), "%s", ev->state);
	out->pid = -1;
	make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
	/* sent from the close() path: the task on the CPU is the closer; a
	 * kernel without reasons: any send in task context is the task's own */
	if (ev->kind == TFS_SEND_RESET && ev->task_context &&
	    (!ev->reason[0] || join_closer_reason(ev->reason))) {
		out->pid = ev->pid;
		out->by_closer = true;
		fmt_buf(out->comm, sizeof(out->comm), "%s", ev->comm);
		fresh_comm(so, ev->pid, out->comm, sizeof(out->comm));
		if (so)
			sockowner_note(so, &k, ev->pid, ev->comm, wall_ns);
		return;
	}
	if (so && (ev->kind == TFS_RECV_RESET || ev->skaddr || ev->dport == 0) &&
	    sockowner_lookup(so, &k, wall_ns, &own)) {
		out->pid = own.pid;
		fmt_buf(out->comm, sizeof(out->comm), "%s", own.comm);
	}
}

bool join_on_state(const struct tfs_event *ev, struct sockowner *so, int64_t now_ns)
{
	struct sock_key k;

	if (ev->kind != TFS_SET_STATE || !so || !ev->sport || !ev->dport)
		return false;
	if (ev->task_context) {
		/* connect(), close(), shutdown(): the task acts on its socket */
		char comm[17];

		fmt_buf(comm, sizeof(comm), "%s", ev->comm);
		fresh_comm(so, ev->pid, comm, sizeof(comm));
		make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
		sockowner_note(so, &k, ev->pid, comm, now_ns);
		return false;
	}
	/* a passive open completed in softirq: the owner accepts it later */
	return !strcmp(ev->state, "TCP_ESTABLISHED") && !strcmp(ev->oldstate, "TCP_SYN_RECV");
}

