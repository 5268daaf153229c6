/* fuzz_audit: the audit parsers (nginx without includes, HAProxy, sysctl,
 * Envoy, durations, sniffing) over arbitrary input copied into an
 * exact-size heap buffer, then the finding rules over what they read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct audit_hop h[5];
	static struct audit_finding f[AUDIT_MAX_FINDINGS];
	struct audit_err e;
	char *buf = malloc(size ? size : 1);
	double d;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	(void)audit_sniff(buf, size);
	memset(h, 0, sizeof(h));
	(void)audit_parse_nginx(buf, size, "f", NULL, &h[0], &e);
	(void)audit_parse_haproxy(buf, size, "f", &h[1], &e);
	(void)audit_parse_sysctl(buf, size, "f", &h[2], &e);
	(void)audit_parse_envoy(buf, size, "f", &h[3], &e);
	audit_named_hop("node@20", &h[4]);
	(void)audit_findings(h, 5, f, AUDIT_MAX_FINDINGS);
	for (int s = 0; s < 3; s++)
		(void)audit_duration(buf, size < 64 ? size : 64, (enum audit_dur)s, &d);
	free(buf);
	return 0;
}
