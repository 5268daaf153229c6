/* cmd/proxy: 'rstscope proxy', a fault-injecting TCP proxy (src/proxy). */
#include <stdio.h>

#include "cmd/cmd.h"
#include "proxy/proxy.h"
#include "util/util.h"

int cmd_proxy(int argc, char **argv)
{
	struct proxy_opts o;
	char err[512];
	int rc = proxy_opts_parse(&o, argc, argv, err, sizeof(err));

	if (rc == 1) {
		proxy_usage(stdout);
		return RS_EXIT_OK;
	}
	if (rc < 0) {
		warnx_("proxy: %s", err);
		return RS_EXIT_USAGE;
	}
	return proxy_run(&o);
}
