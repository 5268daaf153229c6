/* envoy: placeholder until the YAML subset parser lands. */
#include "audit/audit.h"

#include "util/util.h"

int audit_parse_envoy(const char *buf, size_t n, const char *name, struct audit_hop *h,
		      struct audit_err *e)
{
	(void)buf;
	(void)n;
	(void)h;
	fmt_buf(e->file, sizeof(e->file), "%s", name);
	e->line = 0;
	fmt_buf(e->msg, sizeof(e->msg), "Envoy configurations are not read yet");
	return -1;
}
