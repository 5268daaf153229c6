/* proxy: placeholder until the subcommand lands; refuses clearly. */
#include <stdio.h>
#include "cmd/cmd.h"

int cmd_proxy(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rstscope: 'proxy' is not available in this build\n");
	return RS_EXIT_RUNTIME;
}
