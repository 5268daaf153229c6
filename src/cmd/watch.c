/* watch: live verdicts joined with the kernel's own reset reasons.
 * Sequence: parse options, open the sources (capture, kernel events), drop
 * privileges, loop (poll, read events, feed frames, finalise verdicts,
 * serve metrics) until a signal or --duration, final diagnosis, cleanup. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/priv.h"
#include "util/util.h"
#include "watch/watcher.h"

struct watch_opts {
	const char *iface, *filter, *metrics, *user, *read_file, *trace_replay;
	bool no_capture, no_kernel, json;
	double duration_s, summary_s, window_s, host_s;
	int snaplen;
	struct engine_opts eng;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rstscope watch [OPTIONS]\n\n"
		"Live verdicts on every TCP RST, joined with the kernel's own reason for the\n"
		"resets this host sends (tracefs tcp:tcp_send_reset) and the process that owns\n"
		"the socket. An RST that claims this host as sender but that this kernel never\n"
		"sent was forged in the path.\n\n"
		"sources (both by default; root or CAP_NET_RAW + tracefs rights):\n"
		"  -i, --interface IFACE   capture on IFACE (default: any)\n"
		"  -f, --filter EXPR       tcpdump filter for the capture (default: tcp; none\n"
		"                          with -r)\n"
		"  -s, --snaplen N         bytes kept per frame (default 256)\n"
		"      --no-capture        kernel events only\n"
		"      --no-kernel         capture only\n"
		"      --host-every S      sample the host's counters and listeners every S\n"
		"                          seconds (rstscope host's findings) as evidence\n"
		"                          (default 2; 0: never; live kernel events only)\n"
		"output:\n"
		"  -j, --json              JSON Lines (schema: docs/output.md) plus kernel_reason,\n"
		"                          pid, comm; {\"type\":\"kernel_reset\"} without capture\n"
		"      --summary-every S   print the diagnosis so far every S seconds (default 60;\n"
		"                          0: only at the end)\n"
		"      --metrics ADDR:PORT serve Prometheus metrics at /metrics (PORT alone:\n"
		"                          127.0.0.1)\n"
		"run:\n"
		"  -d, --duration S        stop after S seconds (default: until SIGINT, SIGTERM\n"
		"                          or SIGHUP; SIGHUP not under nohup)\n"
		"  -Z, --user USER         drop to USER after opening the sources\n"
		"      --window S          kernel event <-> wire RST time window (default 1.0)\n"
		"      --horizon S         how long an RST's verdict stays open (default 2.0)\n"
		"replay (tests):\n"
		"  -r, --read FILE         frames from a capture file instead of the wire\n"
		"      --trace-replay DIR  kernel events from a recorded directory\n"
		"                          (also: RSTSCOPE_TRACE_REPLAY; /proc from RSTSCOPE_PROC_ROOT)\n"
		"  -h, --help\n\n"
		"exit: 0 no resets, 1 resets seen, 2 usage, 4 a source could not be opened\n"
		"(no rights: run as root, or drop a source with --no-kernel / --no-capture).\n\n"
		"EXAMPLES\n"
		"  rstscope watch -i eth0 --duration 60\n"
		"  rstscope watch -f 'port 443' --metrics 127.0.0.1:9717 -Z nobody\n"
		"  rstscope watch --no-capture --json | jq 'select(.kernel_reason==\"NO_SOCKET\")'\n");
}

static int parse_opts(int argc, char **argv, struct watch_opts *o)
{
	enum { O_NOCAP = 256, O_NOKERN, O_SUMMARY, O_METRICS, O_WINDOW, O_HORIZON, O_REPLAY,
	       O_HOST };
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' }, { "filter", required_argument, NULL, 'f' },
		{ "snaplen", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' }, { "user", required_argument, NULL, 'Z' },
		{ "read", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ "no-capture", no_argument, NULL, O_NOCAP }, { "no-kernel", no_argument, NULL, O_NOKERN },
		{ "summary-every", required_argument, NULL, O_SUMMARY },
		{ "metrics", required_argument, NULL, O_METRICS },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "horizon", required_argument, NULL, O_HORIZON },
		{ "trace-replay", required_argument, NULL, O_REPLAY },
		{ "host-every", required_argument, NULL, O_HOST },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int c;

	o->summary_s = 60;
	o->host_s = 2;
	o->trace_replay = getenv("RSTSCOPE_TRACE_REPLAY");
	if (o->trace_replay && !*o->trace_replay)
		o->trace_replay = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:f:s:jd:Z:r:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'f': o->filter = optarg; break;
		case 's':
			if (parse_u64_range(optarg, 64, 262144, &n))
				goto bad;
			o->snaplen = (int)n;
			break;
		case 'j': o->json = true; break;
		case 'd':
			if (parse_seconds(optarg, 1e7, &o->duration_s) || o->duration_s <= 0)
				goto bad;
			break;
		case 'Z': o->user = optarg; break;
		case 'r': o->read_file = optarg; break;
		case 'h': usage(stdout); return 1;
		case O_NOCAP: o->no_capture = true; break;
		case O_NOKERN: o->no_kernel = true; break;
		case O_SUMMARY:
			if (parse_seconds(optarg, 1e7, &o->summary_s))
				goto bad;
			break;
		case O_METRICS: o->metrics = optarg; break;
		case O_WINDOW:
			if (parse_seconds(optarg, 60, &o->window_s) || o->window_s <= 0)
				goto bad;
			break;
		case O_HORIZON:
			if (parse_seconds(optarg, 3600, &o->eng.horizon_s) || o->eng.horizon_s <= 0)
				goto bad;
			break;
		case O_REPLAY: o->trace_replay = optarg; break;
		case O_HOST:
			if (parse_seconds(optarg, 3600, &o->host_s))
				goto bad;
			break;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		warnx_("watch: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->no_capture && o->no_kernel) {
		warnx_("watch: --no-capture and --no-kernel leave nothing to watch");
		return -1;
	}
	return 0;
bad:
	warnx_("watch: bad value '%s' for option '%s'", optarg, argv[optind - 1]);
	return -1;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The capture filter: -f, else none for a file, "tcp" on the wire. */
static const char *watch_filter(const struct watch_opts *o)
{
	return o->filter ? o->filter : o->read_file ? "" : "tcp";
}

static void say_sources(const struct watcher *w, const struct watch_opts *o)
{
	if (w->cap)
		fprintf(stderr, "rstscope: watching: capture on '%s' (filter '%s')", live_name(w->cap),
			watch_filter(o));
	else
		fprintf(stderr, "rstscope: watching: no capture");
	if (w->kern) {
		const struct tfs_format *f = tracefs_format(w->kern, TFS_SEND_RESET);

		fprintf(stderr, ", kernel events from %s'%s' (%s%s%s)",
			o->trace_replay ? "replay " : "tracefs instance ",
			o->trace_replay ? o->trace_replay : tracefs_instance(w->kern),
			f->has_reason ? "reset reasons" : "no reset reasons on this kernel",
			tracefs_format(w->kern, TFS_RECV_RESET)->present ? ", received resets" : "",
			tracefs_format(w->kern, TFS_SET_STATE)->present ? ", socket states" : "");
		if (w->host)
			fprintf(stderr, ", OOM kills from the kernel log");
		if (w->hostf)
			fprintf(stderr, ", host counters every %g s", o->host_s);
	} else {
		fprintf(stderr, ", no kernel events");
	}
	if (w->met)
		fprintf(stderr, ", metrics on port %d", metrics_port(w->met));
	fputc('\n', stderr);
}

static int open_sources(struct watcher *w, const struct watch_opts *o)
{
	char err[512];
	bool no_rights = false;

	if (!o->no_kernel) {
		struct tracefs_opts to = { .replay_dir = o->trace_replay };
		struct sockowner_opts so = { .proc_root = getenv("RSTSCOPE_PROC_ROOT"), .netlink = true };

		char replay_proc[512];

		if (so.proc_root && !*so.proc_root)
			so.proc_root = NULL;
		/* a replay never asks this host's /proc about recorded pids */
		if (!so.proc_root && o->trace_replay) {
			fmt_buf(replay_proc, sizeof(replay_proc), "%s/proc", o->trace_replay);
			so.proc_root = replay_proc;
		}
		w->kern = tracefs_open(&to, &no_rights, err, sizeof(err));
		if (!w->kern) {
			warnx_("watch: kernel events: %s%s", err, no_rights ?
			       " (needs root; or run with --no-kernel)" : "");
			return -1;
		}
		/* the kernel log names OOM kills; without it watch goes on */
		{
			int herr = 0;

			w->host = hostev_open(o->trace_replay, &herr);
			if (!w->host)
				warnx_("watch: kernel log: %s (OOM kills will not be named)",
				       strerror(-herr));
		}
		/* the host's counters, as rstscope host reads them (live only) */
		if (!o->trace_replay && !o->read_file && o->host_s > 0) {
			char herr[256];

			w->hostf = hostfind_open(o->host_s, herr, sizeof(herr));
			if (!w->hostf)
				warnx_("watch: host counters: %s (no host findings)", herr);
		}
		w->owners = sockowner_new(&so);
		w->places = calloc(1, sizeof(*w->places));
		if (!w->owners || !w->places) {
			warnx_("watch: cannot set up socket ownership: %s", strerror(errno));
			return -1;
		}
		/* live: the sockets and addresses of every namespace */
		if (!so.proc_root && so.netlink && (w->nets = netns_new(NULL))) {
			sockowner_set_netns(w->owners, w->nets);
			w->places->nets = w->nets;
		}
	}
	if (!o->no_capture) {
		/* a file is read whole, as analyze reads it (a "tcp" filter
		 * would drop VLAN-tagged frames the decoder understands) */
		struct live_opts lo = { .iface = o->iface, .filter = watch_filter(o),
					.snaplen = o->snaplen, .file = o->read_file };

		w->cap = live_open(&lo, &no_rights, err, sizeof(err));
		if (!w->cap) {
			warnx_("watch: capture: %s%s", err, no_rights ?
			       " (needs root or CAP_NET_RAW; or run with --no-capture)" : "");
			return -1;
		}
		if (!decode_link_supported(live_link(w->cap))) {
			warnx_("watch: capture: link type %d of '%s' is not supported",
			       live_link(w->cap), live_name(w->cap));
			return -1;
		}
	}
	if (o->metrics) {
		w->met = metrics_new();
		if (!w->met || metrics_listen(w->met, o->metrics, err, sizeof(err))) {
			warnx_("watch: metrics: %s", w->met ? err : "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Replay: every recorded event first, then the capture file, then flush. */
static void run_replay(struct watcher *w)
{
	hostev_poll(w->host, w->eng, w->kern);
	for (int i = 0; w->kern && i < 1000000 && !tracefs_eof(w->kern); i++)
		if (tracefs_read(w->kern, watcher_on_event, w) < 0)
			break;
	while (w->cap && !stop_signal) {
		int n = live_dispatch(w->cap, 1000, watcher_on_frame, w);
		if (n < 0)
			break;
	}
	engine_flush(w->eng);
}

static void run_live(struct watcher *w, const struct watch_opts *o)
{
	int64_t start = wall_ns(), next_summary = start + (int64_t)(o->summary_s * 1e9);
	int64_t end = o->duration_s > 0 ? start + (int64_t)(o->duration_s * 1e9) : INT64_MAX;

	while (!stop_signal) {
		struct pollfd p[16];
		int n = 0, rc;
		int64_t now;

		if (w->cap && live_fd(w->cap) >= 0)
			p[n++] = (struct pollfd){ .fd = live_fd(w->cap), .events = POLLIN };
		if (w->kern)
			p[n++] = (struct pollfd){ .fd = tracefs_fd(w->kern), .events = POLLIN };
		if (w->met)
			n += metrics_pollfds(w->met, p + n, 16 - n);
		rc = poll(p, (nfds_t)n, 100);
		if (rc < 0 && errno != EINTR) {
			warnx_("watch: poll: %s", strerror(errno));
			break;
		}
		/* kernel events first: they must be in hand when verdicts finalise */
		if (w->kern && tracefs_read(w->kern, watcher_on_event, w) < 0) {
			warnx_("watch: reading kernel events: %s", strerror(errno));
			break;
		}
		for (int i = 0; w->cap && i < 64; i++)
			if (live_dispatch(w->cap, 256, watcher_on_frame, w) <= 0)
				break;
		now = wall_ns();
		if (w->eng)
			engine_advance(w->eng, now);
		if (w->met)
			metrics_serve(w->met, now);
		watcher_tick(w, now, false);
		if (o->summary_s > 0 && now >= next_summary) {
			watcher_summary(w, false);
			next_summary = now + (int64_t)(o->summary_s * 1e9);
		}
		if (now >= end)
			break;
	}
	if (w->kern)
		tracefs_read(w->kern, watcher_on_event, w);
	if (w->eng)
		engine_flush(w->eng);
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct watcher w;
	struct sigaction sa;
	int rc = RS_EXIT_RUNTIME, p;

	memset(&o, 0, sizeof(o));
	memset(&w, 0, sizeof(w));
	engine_opts_default(&o.eng);
	p = parse_opts(argc, argv, &o);
	if (p)
		return p > 0 ? RS_EXIT_OK : RS_EXIT_USAGE;
	w.out = stdout;
	w.json = o.json;
	w.rep.colour = want_colour(1);
	/* before the instance exists: a signal while opening still ends in
	 * cleanup, never in the default action that would leave it behind */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a closed terminal ends the run as SIGTERM does (summary, instance
	 * removed), unless SIGHUP came ignored (nohup): then it stays so */
	{
		struct sigaction old;

		if (sigaction(SIGHUP, NULL, &old) || old.sa_handler != SIG_IGN)
			sigaction(SIGHUP, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (open_sources(&w, &o))
		goto cleanup;
	if (o.user) {
		if (w.kern && tracefs_guard(w.kern))
			warnx_("watch: cannot start the tracefs cleanup helper: %s", strerror(errno));
		if (priv_drop("watch", o.user))
			goto cleanup;
	}
	o.eng.kernel = w.kern != NULL;
	o.eng.kernel_window_s = o.window_s > 0 ? o.window_s : 1.0;
	w.eng = engine_new(&o.eng, watcher_on_verdict, &w);
	if (!w.eng) {
		warnx_("watch: out of memory");
		goto cleanup;
	}
	if (w.kern && watcher_load_local(&w)) {
		warnx_("watch: cannot read this host's addresses: %s", strerror(errno));
		goto cleanup;
	}
	say_sources(&w, &o);
	if (o.read_file || (o.trace_replay && !w.cap))
		run_replay(&w);
	else
		run_live(&w, &o);
	watcher_tick(&w, wall_ns(), true);
	watcher_summary(&w, true);
	rc = w.rsts ? RS_EXIT_RESETS : RS_EXIT_OK;
cleanup:
	engine_free(w.eng);
	metrics_free(w.met);
	live_close(w.cap);
	sockowner_free(w.owners);
	netns_free(w.nets);
	hostfind_close(w.hostf);
	hostev_close(w.host);
	free(w.places);
	tracefs_close(w.kern);
	return rc;
}
