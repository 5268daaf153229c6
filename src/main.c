/* rstscope: parse the subcommand and hand over to it. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#ifndef RSTSCOPE_VERSION
#define RSTSCOPE_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "analyze", cmd_analyze, "every RST in capture files: who sent it, what kind, why" },
	{ "watch", cmd_watch, "live verdicts joined with the kernel's own reset reasons" },
	{ "lab", cmd_lab, "reproduce each reset cause on real kernel networking" },
	{ "proxy", cmd_proxy, "a fault-injecting TCP proxy (resets, idle timeouts)" },
	{ "host", cmd_host, "host counters and logs: listen overflows, conntrack, OOM kills, fds" },
	{ "audit", cmd_audit, "idle timeouts along a path: inversions, unbounded, silent drops" },
	{ "probe", cmd_probe, "measure a path's idle timeout and how it kills idle connections" },
	{ "merge", cmd_merge, "the JSON summaries of separate runs as one diagnosis" },
	{ "rules", cmd_rules, "the rules that decide a reset's cause, in order" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rstscope COMMAND [OPTIONS] [ARGS]\n\n"
		   "Who reset this TCP connection, and why?\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'rstscope COMMAND --help' for a command's options.\n"
		   "EXAMPLES\n"
		   "  rstscope analyze capture.pcap\n"
		   "  rstscope analyze --json capture.pcapng | jq .\n"
		   "  rstscope watch -i eth0 --duration 60\n"
		   "  rstscope lab run conntrack-forget\n"
		   "  rstscope host --interval 5 --json\n"
		   "  rstscope probe --max 60 10.0.0.5:5432\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return RS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("rstscope %s\n", RSTSCOPE_VERSION);
		return RS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "rstscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RS_EXIT_USAGE;
}
