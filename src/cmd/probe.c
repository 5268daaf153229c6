/* cmd/probe: 'rstscope probe', the idle timeout of a path (src/probe). */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "probe/probe.h"
#include "util/util.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: rstscope probe [--max S] [--parallel N] [--http] [--wait S] [--json] [-Z USER]\n"
"                      HOST:PORT\n"
"\n"
"Measure how long the path to HOST:PORT keeps an idle TCP connection and how\n"
"it ends one: connections in parallel, each on its own ports and idle for a\n"
"different time, then each sends; rounds narrow the timeout to 5 %% or 0.2 s.\n"
"It talks only to HOST:PORT, with at most --parallel connections open.\n"
"\n"
"  --max S        longest idle tried and the run's time budget (default %.0f,\n"
"                 %.0f-%.0f); a path that closes idle connections itself is\n"
"                 narrowed up to about --max/2, one that kills them only when\n"
"                 data comes (a conntrack box) up to about --max/3\n"
"  --parallel N   connections open at once (default %u, at most %u)\n"
"  --http         HOST:PORT is an HTTP server: a keep-alive GET first, another\n"
"                 after the idle; a response means alive (default: one byte,\n"
"                 alive when acknowledged: any listening port works)\n"
"  --wait S       how long data may go unanswered before the death is 'silent'\n"
"                 (default 8 handshake RTTs, %.0f-%.0f s)\n"
"  --json         JSON lines: one per trial, a final 'probe' line\n"
"  -Z, --user USER  become USER once the capture is open (it needs root or\n"
"                 CAP_NET_RAW; the probe itself needs no rights)\n"
"  -h, --help     this text\n"
"\n"
"Deaths: rst (sender: peer or path, by the RST's TTL against the target's own\n"
"segments; unknown without CAP_NET_RAW), fin (the other end closed), silent\n"
"(no answer), none (every connection survived --max).\n"
"Exit status: 0 measured or none, 2 bad arguments or a refused target\n"
"(broadcast, multicast, unspecified), 4 cannot resolve or connect.\n"
"\n"
"EXAMPLES\n"
"  rstscope probe 10.0.0.5:5432\n"
"  rstscope probe --http --max 300 --json lb.example.net:80 | jq 'select(.type==\"probe\")'\n"
"  rstscope probe --max 20 --parallel 32 [2001:db8::7]:6379\n",
		PROBE_DEFAULT_MAX_S, PROBE_MIN_MAX_S, PROBE_MAX_MAX_S, PROBE_DEFAULT_PARALLEL,
		PROBE_MAX_PARALLEL, PROBE_WAIT_MIN_S, PROBE_WAIT_MAX_S);
}

int cmd_probe(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "max", required_argument, NULL, 'm' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "http", no_argument, NULL, 'H' },
		{ "wait", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_opts o;
	char err[256];
	uint64_t n;
	int c, rc;

	probe_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+hZ:", longs, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_seconds(optarg, PROBE_MAX_MAX_S, &o.max_s) || o.max_s < PROBE_MIN_MAX_S) {
				warnx_("probe: bad --max '%s' (seconds, %.0f-%.0f)", optarg, PROBE_MIN_MAX_S,
				       PROBE_MAX_MAX_S);
				return RS_EXIT_USAGE;
			}
			break;
		case 'p':
			if (parse_u64_range(optarg, 1, PROBE_MAX_PARALLEL, &n)) {
				warnx_("probe: bad --parallel '%s' (1-%u)", optarg, PROBE_MAX_PARALLEL);
				return RS_EXIT_USAGE;
			}
			o.parallel = (unsigned)n;
			break;
		case 'w':
			if (parse_seconds(optarg, PROBE_WAIT_MAX_S, &o.wait_s) || o.wait_s < 0.05) {
				warnx_("probe: bad --wait '%s' (seconds, 0.05-%.0f)", optarg, PROBE_WAIT_MAX_S);
				return RS_EXIT_USAGE;
			}
			break;
		case 'H': o.http = true; break;
		case 'j': o.json = true; break;
		case 'Z': o.user = optarg; break;
		case 'h': usage(stdout); return RS_EXIT_OK;
		default:
			warnx_("probe: unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return RS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		warnx_("probe: %s", optind >= argc ? "which HOST:PORT?" : "one HOST:PORT only");
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	/* refused before any connection is made, as after the capture opens */
	if (o.user && !getpwnam(o.user)) {
		warnx_("probe: unknown user '%s'", o.user);
		return RS_EXIT_RUNTIME;
	}
	rc = probe_target_resolve(&o.target, argv[optind], err, sizeof(err));
	if (rc) {
		warnx_("probe: %s", err);
		return rc == -2 ? RS_EXIT_USAGE : RS_EXIT_RUNTIME;
	}
	return probe_run(&o);
}
