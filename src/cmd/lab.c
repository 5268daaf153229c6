/* lab: hand `rstscope lab ...` to the lab scripts (lab/lab.sh), which build
 * the namespaces, drive the scenarios and check the verdicts. This file only
 * checks for root, finds the lab directory and execs bash on lab.sh with
 * RSTSCOPE set to this binary, so the scripts check verdicts with it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/util.h"

/* Is dir/lab.sh a readable file? */
static int lab_dir_ok(const char *dir)
{
	char path[PATH_MAX];

	if (fmt_buf(path, sizeof(path), "%s/lab.sh", dir) >= sizeof(path) - 1)
		return 0;
	return access(path, R_OK) == 0;
}

/* Find the lab directory: $RSTSCOPE_LAB_DIR, else <exe dir>/../lab (the
 * source tree, when run from a build dir), else <exe dir>/../share/rstscope/lab
 * (an installed tree). Returns 0 with dir filled, or -1. */
static int lab_find_dir(const char *exe, char *dir, size_t size)
{
	static const char *const rel[] = { "../lab", "../share/rstscope/lab" };
	const char *env = getenv("RSTSCOPE_LAB_DIR");
	char exedir[PATH_MAX];
	char *slash;

	if (env && *env) {
		if (!lab_dir_ok(env)) {
			warnx_("no lab.sh in '%s' (RSTSCOPE_LAB_DIR)", env);
			return -1;
		}
		fmt_buf(dir, size, "%s", env);
		return 0;
	}
	fmt_buf(exedir, sizeof(exedir), "%s", exe);
	slash = strrchr(exedir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (fmt_buf(dir, size, "%s/%s", exedir, rel[i]) >= size - 1)
			continue;
		if (lab_dir_ok(dir))
			return 0;
	}
	warnx_("cannot find the lab scripts next to '%s' (set RSTSCOPE_LAB_DIR)", exe);
	return -1;
}

int cmd_lab(int argc, char **argv)
{
	char exe[PATH_MAX], dir[PATH_MAX], script[PATH_MAX];
	char **args = NULL;
	ssize_t n;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		; /* help needs no root: lab.sh prints it */
	else if (geteuid() != 0) {
		warnx_("'lab' needs root (network namespaces, iptables, tracefs); run it with sudo");
		return RS_EXIT_RUNTIME;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		warnx_("cannot read '/proc/self/exe': %s", strerror(errno));
		return RS_EXIT_RUNTIME;
	}
	exe[n] = '\0';
	if (lab_find_dir(exe, dir, sizeof(dir)))
		return RS_EXIT_RUNTIME;
	fmt_buf(script, sizeof(script), "%s/lab.sh", dir);
	if (setenv("RSTSCOPE", exe, 1)) {
		warnx_("cannot set 'RSTSCOPE': %s", strerror(errno));
		return RS_EXIT_RUNTIME;
	}
	/* bash lab.sh ARGS... : argv[0] is "lab", the rest are passed on */
	args = calloc((size_t)argc + 3, sizeof(*args));
	if (!args) {
		warnx_("out of memory");
		return RS_EXIT_RUNTIME;
	}
	args[0] = "bash";
	args[1] = script;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execvp("bash", args);
	warnx_("cannot run 'bash': %s", strerror(errno));
	free(args);
	return RS_EXIT_RUNTIME;
}
