/* procctx_test: cgroup lines (v1, v2, hybrid) and the container a cgroup
 * path implies, with ids drawn at random in each layout (docker cgroupfs
 * and systemd drivers, containerd, CRI-O, podman, kubepods guaranteed,
 * burstable and besteffort in both drivers, systemd units). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/procctx.h"
#include "unit.h"

static void hex(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = "0123456789abcdef"[rand() % 16];
	out[n] = '\0';
}

static void uuid(char *out, char sep)
{
	hex(out, 36);
	out[8] = out[13] = out[18] = out[23] = sep;
}

static void want(const char *cg, const char *exp)
{
	char got[PROCCTX_CONTAINER_MAX];
	bool ok = procctx_container(cg, got, sizeof(got));

	CHECK(ok == (exp != NULL));
	if (exp)
		CHECK_EQ_STR(got, exp);
	else
		CHECK_EQ_STR(got, "");
}

static void test_cgroup_lines(void)
{
	char p[PROCCTX_CGROUP_MAX];
	const char *v2 = "0::/system.slice/nginx.service\n";
	const char *v1 = "12:pids:/user.slice\n7:memory:/docker/abc\n1:name=systemd:/x\n0::/y\n";
	const char *v1b = "5:cpu,memory:/lxc/one\n";

	CHECK(procctx_parse_cgroup(v2, strlen(v2), p, sizeof(p)) == 0);
	CHECK_EQ_STR(p, "/system.slice/nginx.service");
	/* memory as a v1 controller: its hierarchy holds the limit */
	CHECK(procctx_parse_cgroup(v1, strlen(v1), p, sizeof(p)) == 0);
	CHECK_EQ_STR(p, "/docker/abc");
	CHECK(procctx_parse_cgroup(v1b, strlen(v1b), p, sizeof(p)) == 0);
	CHECK_EQ_STR(p, "/lxc/one");
	CHECK(procctx_parse_cgroup("junk", 4, p, sizeof(p)) == -1);
	CHECK(procctx_parse_cgroup("3:cpu:/a\n", 9, p, sizeof(p)) == -1);
	/* never past len: the same text cut before its newline */
	CHECK(procctx_parse_cgroup(v2, 10, p, sizeof(p)) == 0);
	CHECK_EQ_STR(p, "/system");
}

static void test_containers(void)
{
	char id[65], u[37], us[37], cg[400], exp[80];

	for (int round = 0; round < 50; round++) {
		hex(id, 64);
		uuid(u, '-');
		memcpy(us, u, sizeof(us));
		for (char *c = us; *c; c++)
			if (*c == '-')
				*c = '_';
		snprintf(exp, sizeof(exp), "docker:%.12s", id);
		snprintf(cg, sizeof(cg), "/docker/%s", id);
		want(cg, exp);
		snprintf(cg, sizeof(cg), "/system.slice/docker-%s.scope", id);
		want(cg, exp);
		snprintf(exp, sizeof(exp), "containerd:%.12s", id);
		snprintf(cg, sizeof(cg), "/system.slice/containerd.service/x/cri-containerd-%s.scope", id);
		want(cg, exp);
		snprintf(exp, sizeof(exp), "crio:%.12s", id);
		snprintf(cg, sizeof(cg), "/machine.slice/crio-%s.scope", id);
		want(cg, exp);
		snprintf(exp, sizeof(exp), "podman:%.12s", id);
		snprintf(cg, sizeof(cg), "/machine.slice/libpod-%s.scope/container", id);
		want(cg, exp);
		snprintf(exp, sizeof(exp), "pod:%s", u);
		/* cgroupfs driver: guaranteed, burstable, besteffort */
		snprintf(cg, sizeof(cg), "/kubepods/pod%s/%s", u, id);
		want(cg, exp);
		snprintf(cg, sizeof(cg), "/kubepods/burstable/pod%s/%s", u, id);
		want(cg, exp);
		snprintf(cg, sizeof(cg), "/kubepods/besteffort/pod%s/%s", u, id);
		want(cg, exp);
		/* systemd driver */
		snprintf(cg, sizeof(cg), "/kubepods.slice/kubepods-burstable.slice/"
			 "kubepods-burstable-pod%s.slice/cri-containerd-%s.scope", us, id);
		want(cg, exp);
		snprintf(cg, sizeof(cg), "/kubepods.slice/kubepods-besteffort.slice/"
			 "kubepods-besteffort-pod%s.slice/crio-%s.scope", us, id);
		want(cg, exp);
		snprintf(cg, sizeof(cg), "/kubepods.slice/kubepods-pod%s.slice", us);
		want(cg, exp);
	}
	want("/system.slice/nginx.service", "unit:nginx.service");
	want("/user.slice/user-1000.slice/user@1000.service/app.slice/rs-app.service",
	     "unit:rs-app.service");
	want("/system.slice/nginx.service/worker", "unit:nginx.service");
	want("/user.slice/user-1000.slice/session-3.scope", NULL);
	want("/", NULL);
	want("", NULL);
	want("/docker/short", NULL);
	want("/kubepods.slice/kubepods-besteffort.slice", NULL);
	want("/lab/rstscope-w9", NULL);
}

int main(void)
{
	srand(9);
	test_cgroup_lines();
	test_containers();
	return unit_done("procctx_test");
}
