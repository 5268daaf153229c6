/* cmd: one entry point per subcommand. Each takes argv with argv[0] the
 * subcommand name and returns the process exit code (see docs/exit-codes). */
#ifndef RSTSCOPE_CMD_H
#define RSTSCOPE_CMD_H

/* Exit codes shared by every subcommand; documented in docs/output.md. */
enum rs_exit {
	RS_EXIT_OK = 0,        /* analysed, no resets found / command succeeded */
	RS_EXIT_RESETS = 1,    /* analysed, resets found */
	RS_EXIT_USAGE = 2,     /* bad command line */
	RS_EXIT_INPUT = 3,     /* an input was unreadable, truncated or corrupt;
	                        * results so far were still printed */
	RS_EXIT_RUNTIME = 4,   /* a runtime failure: no rights, no memory, ... */
	RS_EXIT_TESTFAIL = 5,  /* lab: a scenario's verdict did not match */
};

int cmd_analyze(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_proxy(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
