/* fuzz_options: the command lines of the subcommands that parse options of
 * their own (proxy through proxy_opts_parse, watch, host and analyze through
 * their parsers, see fuzz/opts/) and the number, duration and address
 * parsers every subcommand uses. The first byte picks the parser, the rest
 * is split at NUL bytes into argv. Only parsing runs, never a command.
 * proxy resolves names with getaddrinfo: the harness runs in a network
 * namespace of its own with nothing in it (root), so no lookup leaves the
 * host; without one, proxy is left out. Their messages go to /dev/null. */
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/proxy.h"
#include "util/util.h"

#define ARGS_MAX 24

int fuzz_opts_watch(int argc, char **argv);
int fuzz_opts_host(int argc, char **argv);
int fuzz_opts_analyze(int argc, char **argv);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool offline;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	offline = unshare(CLONE_NEWNET) == 0;
	devnull = fopen("/dev/null", "w");
	return 0;
}

/* glibc's getopt keeps a pointer into the last argv: start it afresh */
static void getopt_reset(void)
{
	char *none[] = { "x", NULL };

	optind = 0;
	(void)getopt(1, none, "");
	optind = 1;
}

static void util_parsers(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		uint64_t u;
		uint16_t p;
		double d;
		char host[64];

		(void)parse_u64_range(argv[i], 0, UINT64_MAX, &u);
		(void)parse_u64_range(argv[i], 16, 1u << 30, &u);
		(void)parse_u16_range(argv[i], 1, 65535, &p);
		(void)parse_seconds(argv[i], 86400, &d);
		(void)parse_hostport(argv[i], host, sizeof(host), &p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "proxy", "watch", "host", "analyze", "util" };
	char *argv[ARGS_MAX + 2];
	int argc = 1, which;
	FILE *out = stdout, *err = stderr;
	struct proxy_opts po;
	char msg[256];

	if (!size)
		return 0;
	which = data[0] % 5;
	argv[0] = (char *)names[which];
	for (size_t at = 1; at < size && argc <= ARGS_MAX;) {
		const uint8_t *nul = memchr(data + at, '\0', size - at);
		size_t n = nul ? (size_t)(nul - (data + at)) : size - at;

		argv[argc] = malloc(n + 1);   /* exact size: ASan sees any overread */
		if (!argv[argc])
			break;
		memcpy(argv[argc], data + at, n);
		argv[argc++][n] = '\0';
		at += n + 1;
	}
	argv[argc] = NULL;
	if (devnull)
		stdout = stderr = devnull;
	getopt_reset();
	switch (which) {
	case 0:
		if (offline)
			(void)proxy_opts_parse(&po, argc, argv, msg, sizeof(msg));
		break;
	case 1: (void)fuzz_opts_watch(argc, argv); break;
	case 2: (void)fuzz_opts_host(argc, argv); break;
	case 3: (void)fuzz_opts_analyze(argc, argv); break;
	default: util_parsers(argc, argv); break;
	}
	getopt_reset();
	stdout = out;
	stderr = err;
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	return 0;
}
