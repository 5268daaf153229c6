/* host: the host's counters and logs, sampled every interval, as findings
 * (listen-overflow, conntrack-full, oom-kill, ...). Sequence: parse
 * options, listen for metrics, enter the network namespace, open the
 * sources that need rights, drop privileges, then sample: the first sample
 * is the baseline (its counters are history), every later one is compared
 * with the one before; a summary at --count or on SIGINT/SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "host/host.h"
#include "report/host_out.h"
#include "report/metrics.h"
#include "util/priv.h"
#include "util/util.h"

#define FINDINGS_MAX 256
#define METRICS_BODY (192 * 1024)

struct host_opts {
	double interval_s;
	uint64_t count;          /* intervals; 0: until a signal (live) or the replay's end */
	const char *netns, *metrics, *user, *replay, *record;
	bool json;
	unsigned max_procs;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rstscope host [--interval S] [--count N] [--netns NAME] [--json]\n"
		"                     [--metrics ADDR:PORT] [-Z USER]\n\n"
		"Samples the host's counters and logs every interval and reports what makes\n"
		"connections reset or fail: accept-queue overflows, SYN queue drops, a full\n"
		"conntrack table, OOM kills, processes out of file descriptors, orphans, TCP\n"
		"memory, CLOSE_WAIT piles, aborts. Each finding when it appears and while it\n"
		"goes on, with its rate, the counters behind it, where it is and the fix;\n"
		"counters that grew before the start are reported once as history.\n\n"
		"  -i, --interval S      seconds between samples (default 5)\n"
		"  -c, --count N         stop after N intervals (default: SIGINT/SIGTERM)\n"
		"  -n, --netns NAME      read network namespace NAME (/run/netns/NAME); the same\n"
		"                        as 'ip netns exec NAME rstscope host'\n"
		"  -j, --json            JSON Lines (schema: docs/output.md)\n"
		"      --metrics ADDR:PORT  serve the counters and findings in Prometheus text\n"
		"                        at /metrics (PORT alone: 127.0.0.1)\n"
		"  -Z, --user USER       drop to USER after opening what needs root\n"
		"      --max-procs N     processes scanned per sample for fds and owners\n"
		"                        (default 1024; a rotating window beyond)\n"
		"      --replay DIR      recorded snapshots DIR/0, DIR/1, ... instead of this\n"
		"                        host (tests; see docs/host.md, scripts/host-snapshot.sh)\n"
		"      --record DIR      write each sample's time and raw netlink replies\n"
		"                        (sock_diag, ctnetlink) to DIR/0, DIR/1, ... for --replay\n"
		"  -h, --help\n\n"
		"exit: 0 no current finding, 1 findings, 2 usage, 4 a runtime failure.\n\n"
		"EXAMPLES\n"
		"  rstscope host --interval 5\n"
		"  rstscope host --count 12 --json | jq 'select(.type==\"finding\") | [.id,.rate_per_s]'\n"
		"  rstscope host --netns blue --count 2 --interval 1\n"
		"  rstscope host --metrics 127.0.0.1:9754 -Z nobody\n");
}

static int parse_opts(int argc, char **argv, struct host_opts *o)
{
	enum { O_METRICS = 256, O_REPLAY, O_MAXPROCS, O_RECORD };
	static const struct option lo[] = {
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "netns", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'Z' }, { "help", no_argument, NULL, 'h' },
		{ "metrics", required_argument, NULL, O_METRICS },
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "max-procs", required_argument, NULL, O_MAXPROCS },
		{ "record", required_argument, NULL, O_RECORD },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int c;

	o->interval_s = 5;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:c:n:jZ:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_seconds(optarg, 86400, &o->interval_s) || o->interval_s < 0.05)
				goto bad;
			break;
		case 'c':
			if (parse_u64_range(optarg, 1, 1u << 30, &o->count))
				goto bad;
			break;
		case 'n':
			if (!*optarg || strchr(optarg, '/') || !strcmp(optarg, ".") || !strcmp(optarg, ".."))
				goto bad;
			o->netns = optarg;
			break;
		case 'j': o->json = true; break;
		case 'Z': o->user = optarg; break;
		case 'h': usage(stdout); return 1;
		case O_METRICS: o->metrics = optarg; break;
		case O_REPLAY: o->replay = optarg; break;
		case O_RECORD: o->record = optarg; break;
		case O_MAXPROCS:
			if (parse_u64_range(optarg, 1, 1u << 20, &n))
				goto bad;
			o->max_procs = (unsigned)n;
			break;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		warnx_("host: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->replay && (o->netns || o->user || o->record)) {
		warnx_("host: --replay reads recorded snapshots: no --netns, -Z or --record with it");
		return -1;
	}
	return 0;
bad:
	warnx_("host: bad value '%s' for option '%s'", optarg, argv[optind - 1]);
	return -1;
}

static int enter_netns(const char *name)
{
	char path[512];
	int fd;

	fmt_buf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warnx_("host: cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		warnx_("host: cannot enter network namespace '%s': %s%s", name, strerror(errno),
		       errno == EPERM ? " (needs root or CAP_SYS_ADMIN)" : "");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait until deadline (or a signal), serving metrics meanwhile. */
static void wait_until(int64_t deadline, struct metrics *met)
{
	for (int i = 0; i < 1000000 && !stop_signal; i++) {
		struct pollfd p[16];
		int n = met ? metrics_pollfds(met, p, 16) : 0;
		int64_t left = deadline - mono_ns();

		if (left <= 0)
			break;
		poll(p, (nfds_t)n, (int)(left / 1000000 + 1 > 200 ? 200 : left / 1000000 + 1));
		if (met)
			metrics_serve(met, mono_ns());
	}
}

static void print_sources(const struct host_sample *cur, const struct host_sample *prev, bool json)
{
	for (int i = 0; i < HS__COUNT; i++)
		if (!prev || prev->src[i].state != cur->src[i].state)
			host_out_source(json ? stdout : stderr, json, (enum host_source_id)i, &cur->src[i]);
}

int cmd_host(int argc, char **argv)
{
	struct host_opts o;
	struct host_sampler *smp = NULL;
	struct host_sample *a = NULL, *b = NULL;
	struct host_finding *f = NULL;
	struct host_track *t = NULL;
	struct metrics *met = NULL;
	char *body = NULL, err[512];
	struct sigaction sa;
	int rc = RS_EXIT_RUNTIME, p;
	int64_t start, next;
	uint64_t done = 0;

	memset(&o, 0, sizeof(o));
	p = parse_opts(argc, argv, &o);
	if (p)
		return p > 0 ? RS_EXIT_OK : RS_EXIT_USAGE;
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	f = calloc(FINDINGS_MAX, sizeof(*f));
	t = calloc(1, sizeof(*t));
	if (!a || !b || !f || !t) {
		warnx_("host: out of memory");
		goto cleanup;
	}
	if (o.metrics) {   /* in the namespace we were started in */
		met = metrics_new();
		body = malloc(METRICS_BODY);
		if (!met || !body || metrics_listen(met, o.metrics, err, sizeof(err))) {
			warnx_("host: metrics: %s", met && body ? err : "out of memory");
			goto cleanup;
		}
	}
	if (o.netns && enter_netns(o.netns))
		goto cleanup;
	struct host_sampler_opts so = {
		.replay_dir = o.replay, .proc_root = getenv("RSTSCOPE_PROC_ROOT"),
		.sys_root = getenv("RSTSCOPE_SYS_ROOT"), .max_procs = o.max_procs,
		.save_dir = o.record,
	};
	if (so.proc_root && !*so.proc_root)
		so.proc_root = NULL;
	if (so.sys_root && !*so.sys_root)
		so.sys_root = NULL;
	smp = host_sampler_new(&so, err, sizeof(err));
	if (!smp) {
		warnx_("host: %s", err);
		goto cleanup;
	}
	if (o.user && priv_drop("host", o.user))
		goto cleanup;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (o.replay && !o.count)
		o.count = host_sampler_replay_len(smp) - 1;
	if (!o.json)
		fprintf(stderr, "rstscope: host: %s, every %.1f s%s%s\n",
			o.replay ? "replaying recorded snapshots" : o.netns ? "network namespace" : "this network namespace",
			o.interval_s, o.netns ? " " : "", o.netns ? o.netns : "");
	if (host_sampler_take(smp, a)) {
		warnx_("host: the first sample could not be taken");
		goto cleanup;
	}
	print_sources(a, NULL, o.json);
	start = mono_ns();
	{
		unsigned n = host_findings_eval(NULL, a, f, FINDINGS_MAX);

		host_track_interval(t, f, n);
		for (unsigned i = 0; i < n; i++)
			host_out_finding(stdout, o.json, &f[i]);
		if (met) {
			metrics_set_body(met, body, host_out_metrics(body, METRICS_BODY, a, f, 0));
			metrics_serve(met, mono_ns());
		}
	}
	fflush(stdout);
	next = start;
	while (!stop_signal && (!o.count || done < o.count)) {
		unsigned n;
		int r;

		next += (int64_t)(o.interval_s * 1e9);
		if (!o.replay)
			wait_until(next, met);
		if (stop_signal)
			break;
		r = host_sampler_take(smp, b);
		if (r)
			break;
		print_sources(b, a, o.json);
		if (o.json)
			host_out_counters(stdout, a, b);
		n = host_findings_eval(a, b, f, FINDINGS_MAX);
		host_track_interval(t, f, n);
		for (unsigned i = 0; i < n; i++)
			host_out_finding(stdout, o.json, &f[i]);
		if (met)
			metrics_set_body(met, body, host_out_metrics(body, METRICS_BODY, b, f, n));
		fflush(stdout);
		struct host_sample *x = a;
		a = b;
		b = x;
		done++;
	}
	host_out_summary(stdout, o.json, t, a->netns, (double)(mono_ns() - start) / 1e9, a);
	rc = host_track_current(t) ? RS_EXIT_RESETS : RS_EXIT_OK;
cleanup:
	host_sampler_free(smp);
	metrics_free(met);
	free(body);
	free(a);
	free(b);
	free(f);
	free(t);
	return rc;
}
