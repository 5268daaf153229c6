/* audit: parse the options, build the path from files and named hops in
 * the order given, run the finding rules and print. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "util/util.h"

#define AUDIT_MAX_IDLE_OPTS 32

static void usage(FILE *f)
{
	fprintf(f, "usage: rstscope audit [--client-idle S] [--hop NAME[@VERSION]]... [--hop-idle NAME=S]...\n"
		   "                      [--json] [FILE...]\n"
		   "       rstscope audit --list-hops\n\n"
		   "The idle timeouts along one path, client first: files (nginx, HAProxy, Envoy,\n"
		   "sysctl; recognised by content) and named hops, in the order given. Reports\n"
		   "timeout-inversion, keepalive-above-idle, unbounded and silent-drop, each with\n"
		   "both hops, both values, where they came from, and the fix.\n\n"
		   "  --client-idle S       the client pool's idle timeout: a first hop 'client'\n"
		   "  --hop NAME[@VERSION]  a named hop with its documented defaults (--list-hops)\n"
		   "  --hop-idle NAME=S     set a hop's idle timeouts (S seconds, or 'none')\n"
		   "  --json                JSON Lines (docs/output.md)\n"
		   "  --list-hops           the named hops, their defaults and sources\n\n"
		   "Exit: 0 sound, 1 findings, 2 usage, 3 a file that cannot be read or parsed.\n\n"
		   "EXAMPLES\n"
		   "  rstscope audit --client-idle 90 --hop aws-alb --hop node@20\n"
		   "  rstscope audit --hop go-http-client /etc/nginx/nginx.conf --hop gunicorn\n"
		   "  rstscope audit --json haproxy.cfg sysctl.conf --hop aws-nlb --hop tomcat\n");
}

static int parse_idle(const char *s, double *out)
{
	if (!strcmp(s, "none")) {
		*out = AUDIT_NONE;
		return 0;
	}
	return parse_seconds(s, 1e9, out);
}

static int add_hop(unsigned *n)
{
	if (*n >= AUDIT_MAX_HOPS) {
		warnx_("audit: more than %d hops", AUDIT_MAX_HOPS);
		return -1;
	}
	(*n)++;
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	struct audit_hop *hops = calloc(AUDIT_MAX_HOPS, sizeof(*hops));
	struct audit_finding *fs = calloc(AUDIT_MAX_FINDINGS, sizeof(*fs));
	const char *idle_opt[AUDIT_MAX_IDLE_OPTS];
	unsigned n = 0, nidle = 0, nf;
	bool json = false, opts = true;
	double client = -1;
	int rc = RS_EXIT_USAGE;

	if (!hops || !fs) {
		warnx_("audit: out of memory");
		rc = RS_EXIT_RUNTIME;
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			usage(stdout);
			rc = RS_EXIT_OK;
			goto out;
		} else if (opts && !strcmp(a, "--list-hops")) {
			audit_print_hops_table(stdout);
			rc = ferror(stdout) ? RS_EXIT_RUNTIME : RS_EXIT_OK;
			goto out;
		} else if (opts && !strcmp(a, "--json")) {
			json = true;
		} else if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "--client-idle") || !strcmp(a, "--hop") ||
				    !strcmp(a, "--hop-idle"))) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;

			if (!v) {
				warnx_("audit: %s needs a value", a);
				goto usage;
			}
			if (!strcmp(a, "--client-idle")) {
				if (parse_idle(v, &client) || client < 0) {
					warnx_("audit: --client-idle '%s': not a number of seconds", v);
					goto usage;
				}
			} else if (!strcmp(a, "--hop")) {
				if (add_hop(&n))
					goto usage;
				if (audit_named_hop(v, &hops[n - 1])) {
					warnx_("audit: unknown hop '%s' (rstscope audit --list-hops)", v);
					goto usage;
				}
			} else {
				const char *eq = strchr(v, '=');
				double s;

				if (!eq || eq == v || parse_idle(eq + 1, &s) || nidle >= AUDIT_MAX_IDLE_OPTS) {
					warnx_("audit: --hop-idle '%s': want NAME=SECONDS or NAME=none", v);
					goto usage;
				}
				idle_opt[nidle++] = v;
			}
		} else if (opts && a[0] == '-' && a[1]) {
			warnx_("audit: unknown option '%s'", a);
			goto usage;
		} else {
			struct audit_err e;

			if (add_hop(&n))
				goto usage;
			if (audit_parse_file(a, &hops[n - 1], &e)) {
				if (e.line)
					warnx_("audit: '%s:%u': %s", e.file, e.line, e.msg);
				else
					warnx_("audit: '%s': %s", e.file, e.msg);
				rc = RS_EXIT_INPUT;
				goto out;
			}
		}
	}
	if (client >= 0) {
		char src[64];

		if (n >= AUDIT_MAX_HOPS) {
			warnx_("audit: more than %d hops", AUDIT_MAX_HOPS);
			goto usage;
		}
		memmove(&hops[1], &hops[0], n * sizeof(hops[0]));
		n++;
		audit_hop_init(&hops[0], "client", AUDIT_CLIENT, "--client-idle");
		fmt_buf(src, sizeof(src), "--client-idle");
		audit_val_set(&hops[0].up, client, "pool idle timeout", src);
		hops[0].reuse = client > 0;
	}
	if (!n) {
		warnx_("audit: no hops: name files, --hop or --client-idle");
		goto usage;
	}
	for (unsigned k = 0; k < nidle; k++) {
		const char *v = idle_opt[k], *eq = strchr(v, '=');
		size_t nl = (size_t)(eq - v);
		double s;
		char src[96];
		bool hit = false;

		parse_idle(eq + 1, &s);
		fmt_buf(src, sizeof(src), "--hop-idle %s", v);
		for (unsigned i = 0; i < n; i++) {
			char l[64];

			fmt_buf(l, sizeof(l), "%s%s%s", hops[i].name, *hops[i].version ? "@" : "", hops[i].version);
			if ((strlen(hops[i].name) == nl && !strncmp(hops[i].name, v, nl)) ||
			    (strlen(l) == nl && !strncmp(l, v, nl))) {
				audit_hop_set_idle(&hops[i], s, src);
				hit = true;
			}
		}
		if (!hit) {
			warnx_("audit: --hop-idle '%s': no hop of that name in the path", v);
			goto usage;
		}
	}
	nf = audit_findings(hops, n, fs, AUDIT_MAX_FINDINGS);
	if (json)
		audit_print_json(stdout, hops, n, fs, nf);
	else
		audit_print_text(stdout, hops, n, fs, nf);
	fflush(stdout);
	rc = ferror(stdout) ? RS_EXIT_RUNTIME : nf ? RS_EXIT_RESETS : RS_EXIT_OK;
	goto out;
usage:
	usage(stderr);
	rc = RS_EXIT_USAGE;
out:
	free(hops);
	free(fs);
	return rc;
}
