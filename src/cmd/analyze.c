/* analyze: every RST in capture files, with its verdict, and a diagnosis
 * per file. Sequence: parse options, then per file: open, feed the engine,
 * flush, report; exit code says no resets / resets / input errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/analyze_many.h"
#include "cmd/analyze_pcapng.h"
#include "cmd/analyze_pipe.h"
#include "cmd/cmd.h"
#include "correlate/correlate.h"
#include "engine/engine.h"
#include "engine/stats.h"
#include "report/annotate.h"
#include "report/html.h"
#include "report/report.h"
#include "sources/pcapfile.h"
#include "util/util.h"

struct analyze_opts {
	bool json, quiet, progress, correlate, overall;
	unsigned threads;          /* 1: one thread; more: reading and decoding on one of their
	                            * own, and up to this many files at once */
	unsigned at_once;          /* files analysed at once (0 or 1: this one alone) */
	const char *filter;
	const char *write_pcapng;  /* --write-pcapng OUT, NULL: none */
	const char *html;          /* --html REPORT, NULL: none */
	uint64_t explain_frame;
	struct engine_opts eng;
	struct report_opts rep;
};

struct run {
	const struct analyze_opts *o;
	uint64_t rsts;
	bool explain_found;
	struct rst_verdict explain;
	struct annot *annot;       /* --write-pcapng: the verdicts by frame */
	struct html_report *html;  /* --html: what the page shows */
	int n_files;
	bool out_failed;           /* an annotated copy could not be written */
	struct diagnosis *all;     /* --overall: every capture's, added up */
	struct engine_stats all_stats;
	FILE *out;                 /* the results (stdout; a file's own log when many run) */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rstscope analyze [OPTIONS] FILE...   (FILE '-' reads stdin)\n\n"
		"Every TCP RST in pcap/pcapng captures: who sent it (the peer or a middlebox\n"
		"forging its address), what kind it is, its timing, its context, and per\n"
		"capture the ranked causes with their fix.\n\n"
		"options:\n"
		"  -j, --json              JSON Lines (schema: docs/output.md)\n"
		"  -f, --filter EXPR       analyse only frames matching a tcpdump filter\n"
		"  -q, --quiet             the diagnosis only, not one block per RST\n"
		"  -e, --explain FRAME     draw the flow of the RST at FRAME as a ladder\n"
		"      --correlate         FILE... are captures of the same traffic at different\n"
		"                          points of the path, client side first (2-%d files):\n"
		"                          match their flows (also across a NAT), align their\n"
		"                          clocks, and tell for each RST which captures saw it\n"
		"      --overall           after the captures' diagnoses, one of them all (as\n"
		"                          'rstscope merge' gives from their --json summaries)\n"
		"      --idle-min S        a silence this long is idle (default 1.0)\n"
		"      --cluster-window S  resets of one host this close cluster (default 1.0)\n"
		"      --cluster-min N     flows that make a cluster (default 3)\n"
		"      --horizon S         capture time an RST's verdict stays open (default 2.0)\n"
		"      --max-flows N       flow table cap; the idlest are evicted (default 1048576)\n"
		"      --threads N         1: one thread; 2 or more: a file is read and decoded on a\n"
		"                          thread of its own beside the engine's; several files run\n"
		"                          at once, up to N; the output the same byte for byte\n"
		"                          (default: the CPUs this process may use)\n"
		"      --no-color          no colour (also: NO_COLOR set, or not a terminal)\n"
		"      --write-pcapng OUT  a pcapng copy of each capture for Wireshark: every frame\n"
		"                          unchanged, each RST's verdict as its packet's comment, the\n"
		"                          diagnosis as the file's; several captures (or OUT a\n"
		"                          directory, or ending in '/'): OUT/NAME.pcapng each\n"
		"      --html REPORT       one self-contained HTML page for all the captures: resets\n"
		"                          over time by cause, idle gaps, hop distance by sender,\n"
		"                          the causes, a table of every RST, a chosen flow's ladder\n"
		"  -h, --help\n\n"
		"exit: 0 no resets, 1 resets found, 2 usage, 3 an input was unreadable or corrupt\n"
		"(results so far printed), 4 runtime failure.\n\n"
		"EXAMPLES\n"
		"  rstscope analyze capture.pcap\n"
		"  rstscope analyze -f 'host 10.0.0.5 and port 443' a.pcapng b.pcap\n"
		"  rstscope analyze --json capture.pcap | jq 'select(.type==\"rst\") | .cause'\n"
		"  tcpdump -w - -i eth0 | rstscope analyze -\n"
		"  rstscope analyze --explain 1234 capture.pcap\n"
		"  rstscope analyze --write-pcapng annotated.pcapng capture.pcap\n"
		"  rstscope analyze --html report.html a.pcap b.pcapng\n"
		"  rstscope analyze --correlate client-side.pcap server-side.pcap\n", CORR_MAX);
}

static void sink(const struct rst_verdict *v, void *ctx)
{
	struct run *r = ctx;

	r->rsts++;
	if (r->annot)
		(void)annot_add(r->annot, v);
	if (r->html)
		html_rst(r->html, v);
	if (r->o->explain_frame && v->frame == r->o->explain_frame && !r->explain_found) {
		r->explain = *v;
		r->explain_found = true;
	}
	if (r->o->json)
		report_json_rst(r->out, v);
	else if (!r->o->quiet)
		report_text_rst(r->out, v, &r->o->rep);
}

/* One warning per kind of odd frame per file; the rest are counted. */
static void frame_warning(const char *path, enum decode_result res, uint64_t frame,
			  bool warned[DECODE__COUNT])
{
	static const char *const what[DECODE__COUNT] = {
		[DECODE_TRUNCATED] = "cut short by the snap length inside its headers",
		[DECODE_MALFORMED] = "malformed headers (bad length, IHL or data offset)",
		[DECODE_UNSUPPORTED] = "an encapsulation rstscope does not read",
	};

	if (!what[res] || warned[res])
		return;
	warned[res] = true;
	warnx_("'%s': frame %llu: %s; further ones are counted in the summary", path,
	       (unsigned long long)frame, what[res]);
}

#define BATCH ENGINE_BATCH_MAX   /* the engine's pipeline refills once per batch */
#define PROGRESS_EVERY 65536   /* frames between progress lines */

/* A progress line on stderr when it is a terminal (never in a pipe). */
static void progress(const char *path, struct engine *e, off_t size, bool done)
{
	const struct engine_stats *s = engine_stats(e);

	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (size > 0)
		fprintf(stderr, "\ranalyze: '%s' %3.0f%% (%llu frames, %llu RSTs)\033[K", path,
			100.0 * (double)(s->bytes + 16 * s->frames) / (double)size,
			(unsigned long long)s->frames, (unsigned long long)s->rsts);
	else
		fprintf(stderr, "\ranalyze: '%s' %llu frames, %llu RSTs\033[K", path,
			(unsigned long long)s->frames, (unsigned long long)s->rsts);
}

/* Decode and feed a batch; it is empty again after. */
static void feed_batch(struct engine *e, struct engine_batch *b, const char *path,
		       bool warned[DECODE__COUNT])
{
	engine_decode_batch(b);
	engine_process_batch(e, b, path);
	for (unsigned i = 0; i < b->n; i++)
		if (b->r[i] != DECODE_OK)
			frame_warning(path, b->r[i], b->in[i].frame, warned);
	b->n = 0;
}

/* What the single path does per frame, for each batch the pipe fed. */
struct piped {
	const char *path;
	struct engine *e;
	bool *warned, show;
	off_t size;
	uint64_t since;
};

static void after_batch(const struct engine_batch *b, void *ctx)
{
	struct piped *pp = ctx;

	for (unsigned i = 0; i < b->n; i++)
		if (b->r[i] != DECODE_OK)
			frame_warning(pp->path, b->r[i], b->in[i].frame, pp->warned);
	if (pp->show && (pp->since += b->n) >= PROGRESS_EVERY) {
		pp->since = 0;
		progress(pp->path, pp->e, pp->size, false);
	}
}

/* The capture's diagnosis as the text report prints it, without colour,
 * in a string to free; NULL when out of memory. */
static char *summary_text(const char *path, struct engine *e)
{
	struct report_opts plain = { .colour = false };
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	report_text_summary(m, path, engine_diagnosis(e), engine_stats(e), &plain);
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

/* --write-pcapng: pass 2 over `src`, the diagnosis on the section header
 * as the text report prints it. */
static void write_copy(struct run *r, const char *path, const char *src, struct engine *e)
{
	char *text = summary_text(path, e);

	if (apng_write(r->annot, r->o->write_pcapng, r->n_files, path, src, text,
		       r->o->progress) < 0)
		r->out_failed = true;
	free(text);
}

/* --html: this capture's part of the page; html_capture_end reads `src`
 * again for the flows' ladders. */
static void html_end(struct run *r, const char *path, const char *src, struct engine *e,
		     const char *read_err)
{
	char *text = summary_text(path, e);

	html_capture_end(r->html, src, engine_diagnosis(e), engine_stats(e), text, read_err);
	free(text);
}

/* Returns 0, or 1 when the file was unreadable or corrupt. */
static int analyze_file(const char *path, struct run *r)
{
	const struct analyze_opts *o = r->o;
	bool warned[DECODE__COUNT] = { false };
	struct pcapfile *pf;
	struct engine *e;
	struct pcap_frame fr;
	char err[512];
	int rc, bad = 0, link;
	struct engine_batch b = { .n = 0 };
	uint64_t gen, since = 0;
	bool show = o->progress, piped = false, pipe;
	unsigned busy;
	struct stat st;
	off_t size = 0;
	char spool[64];
	const char *src = path;   /* where the frames are read from */
	int spool_fd = -1;

	if (r->html && html_capture_begin(r->html, path)) {
		warnx_("'%s': out of memory", path);
		return 1;
	}
	if (r->annot || r->html) {   /* read twice: stdin goes to a file first */
		if (r->annot)
			annot_clear(r->annot);
		if (!strcmp(path, "-")) {
			spool_fd = apng_spool_stdin(spool, sizeof(spool));
			if (spool_fd < 0) {
				r->out_failed = true;
				return 1;
			}
			src = spool;
		}
	}
	pf = pcapfile_open(src, o->filter, err, sizeof(err));
	if (!pf) {
		warnx_("'%s': %s", path, err);
		if (o->json)
			report_json_error(r->out, path, 0, err);
		if (r->html)
			html_capture_end(r->html, NULL, NULL, NULL, NULL, err);
		if (spool_fd >= 0)
			close(spool_fd);
		return 1;
	}
	e = engine_new(&o->eng, sink, r);
	if (!e) {
		warnx_("'%s': out of memory", path);
		pcapfile_close(pf);
		if (spool_fd >= 0)
			close(spool_fd);
		return 1;
	}
	link = pcapfile_link(pf);
	gen = pcapfile_generation(pf);
	if (show && strcmp(path, "-") && !stat(path, &st))
		size = st.st_size;
	if (!decode_link_supported(link))
		warnx_("'%s': link type %s (%d) is not supported; its frames are counted only",
		       path, pcapfile_link_name(pf), link);
	/* a file read ahead gets a thread of its own for the reads only where
	 * a CPU is left for it: not when the pipe's two threads, or the files
	 * at once, busy every CPU (their other threads overlap its reads) */
	pipe = o->threads > 1 && gen != UINT64_MAX;
	busy = pipe ? 2 : o->at_once;
	if (busy > 1 && busy >= cpus_usable())
		pcapfile_read_here(pf);
	if (pipe) {
		struct piped pp = { .path = path, .e = e, .warned = warned, .show = show, .size = size };

		rc = analyze_pipe(pf, e, path, after_batch, &pp, err, sizeof(err));
		piped = rc != -2;   /* -2: no thread could start; the single path reads it */
	}
	if (gen != UINT64_MAX)
		pcapfile_one_step(pf);
	while (!piped && (rc = pcapfile_next(pf, &fr, err, sizeof(err))) >= 1) {
		enum decode_result res;

		if (gen != UINT64_MAX) {   /* batches: the engine fetches their flows ahead */
			uint64_t now = pcapfile_generation(pf);

			/* frames of two buffers back would be stale: feed before
			 * (rc 2: a generation passed, no frame yet) */
			if (now != gen && b.n)
				feed_batch(e, &b, path, warned);
			gen = now;
			if (rc == 2)
				continue;
		}
		if (show && ++since == PROGRESS_EVERY) {
			since = 0;
			progress(path, e, size, false);
		}
		if (gen != UINT64_MAX) {
			b.in[b.n++] = (struct engine_input){ fr.data, fr.caplen, fr.ts_ns, fr.number,
							     fr.link };
			if (b.n == BATCH)
				feed_batch(e, &b, path, warned);
			continue;
		}
		res = engine_frame(e, fr.link, fr.data, fr.caplen, fr.ts_ns, path, fr.number);
		if (res != DECODE_OK)
			frame_warning(path, res, fr.number, warned);
	}
	if (b.n)
		feed_batch(e, &b, path, warned);
	if (show)
		progress(path, e, size, true);
	if (rc < 0) {
		warnx_("'%s': %s (results up to there follow)", path, err);
		if (o->json)
			report_json_error(r->out, path, pcapfile_frames(pf) + 1, err);
		bad = 1;
	}
	engine_flush(e);
	if (r->all) {
		diagnosis_merge(r->all, engine_diagnosis(e));
		engine_stats_add(&r->all_stats, engine_stats(e));
	}
	if (o->json)
		report_json_summary(r->out, path, engine_diagnosis(e), engine_stats(e));
	else
		report_text_summary(r->out, path, engine_diagnosis(e), engine_stats(e), &o->rep);
	pcapfile_close(pf);
	if (r->annot)
		write_copy(r, path, src, e);
	if (r->html)
		html_end(r, path, src, e, rc < 0 ? err : NULL);
	engine_free(e);
	if (spool_fd >= 0)
		close(spool_fd);
	return bad;
}

int report_explain(FILE *f, const char *path, const struct rst_verdict *v,
		   const struct report_opts *o);

static int parse_args(int argc, char **argv, struct analyze_opts *o)
{
	enum { O_IDLE = 256, O_CWIN, O_CMIN, O_HORIZON, O_MAXF, O_NOCOLOR, O_CORR, O_WPCAPNG,
	       O_HTML, O_OVERALL, O_THREADS };
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "filter", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "explain", required_argument, NULL, 'e' },
		{ "idle-min", required_argument, NULL, O_IDLE },
		{ "cluster-window", required_argument, NULL, O_CWIN },
		{ "cluster-min", required_argument, NULL, O_CMIN },
		{ "horizon", required_argument, NULL, O_HORIZON },
		{ "max-flows", required_argument, NULL, O_MAXF },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "correlate", no_argument, NULL, O_CORR },
		{ "write-pcapng", required_argument, NULL, O_WPCAPNG },
		{ "html", required_argument, NULL, O_HTML },
		{ "overall", no_argument, NULL, O_OVERALL },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	unsigned cpus;
	int c;

	o->rep.colour = want_colour(STDOUT_FILENO);
	cpus = cpus_usable();
	o->threads = cpus > 64 ? 64 : cpus;
	o->progress = isatty(STDERR_FILENO) == 1;
	while ((c = getopt_long(argc, argv, "jf:qe:h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'f': o->filter = optarg; break;
		case 'q': o->quiet = true; break;
		case 'e':
			if (parse_u64_range(optarg, 1, UINT64_MAX, &o->explain_frame))
				goto bad;
			break;
		case O_IDLE:
			if (parse_seconds(optarg, 86400, &o->eng.idle_min_s) || o->eng.idle_min_s <= 0)
				goto bad;
			break;
		case O_CWIN:
			if (parse_seconds(optarg, 3600, &o->eng.cluster_window_s))
				goto bad;
			break;
		case O_HORIZON:
			if (parse_seconds(optarg, 3600, &o->eng.horizon_s))
				goto bad;
			break;
		case O_CMIN:
			if (parse_u64_range(optarg, 2, 1000000, &n))
				goto bad;
			o->eng.cluster_min = (unsigned)n;
			break;
		case O_MAXF:
			if (parse_u64_range(optarg, 16, 1u << 30, &n))
				goto bad;
			o->eng.max_flows = (size_t)n;
			break;
		case O_NOCOLOR: o->rep.colour = false; break;
		case O_CORR: o->correlate = true; break;
		case O_WPCAPNG: o->write_pcapng = optarg; break;
		case O_HTML: o->html = optarg; break;
		case O_OVERALL: o->overall = true; break;
		case O_THREADS:
			if (parse_u64_range(optarg, 1, 64, &n))
				goto bad;
			o->threads = (unsigned)n;
			break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc) {
		warnx_("analyze: no capture file given");
		usage(stderr);
		return -1;
	}
	if (o->correlate && (argc - optind < 2 || argc - optind > CORR_MAX)) {
		warnx_("analyze: --correlate takes 2 to %d capture files, not %d", CORR_MAX,
		       argc - optind);
		return -1;
	}
	for (int i = optind; o->correlate && i < argc; i++)
		if (!strcmp(argv[i], "-")) {
			warnx_("analyze: --correlate reads each capture twice: it cannot read stdin ('-')");
			return -1;
		}
	if (o->write_pcapng && apng_check(o->write_pcapng, argv + optind, argc - optind))
		return -1;
	if (o->html && html_check_output(o->html, argv + optind, argc - optind))
		return -1;
	return 0;
bad:
	warnx_("analyze: bad value '%s' for option '%s'", optarg, argv[optind - 1]);
	return -1;
}

/* Pass 1 of --correlate: read every capture once, match, align; then the
 * header, and a warning for each pair without a flow in common. Read
 * errors are reported by pass 2, which meets them again. NULL: no memory. */
static struct corr *correlate(const struct analyze_opts *o, const char *const *files, unsigned n,
			      struct html_report *html)
{
	struct corr *c = corr_new(n, files);
	struct corr_summary *s = NULL;
	char err[512];

	if (!c)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		if (o->progress)
			fprintf(stderr, "\rcorrelate: reading '%s'\033[K", files[i]);
		(void)corr_read_file(c, i, o->filter, err, sizeof(err));
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	s = malloc(sizeof(*s));
	if (!s || corr_finish(c))
		goto fail;
	corr_summarize(c, s);
	for (unsigned k = 0; k < s->npairs; k++) {
		const struct corr_pair_info *p = &s->pair[k];

		if (!p->by_tuple && !p->by_nat_isn && !p->by_nat_data)
			warnx_("'%s' and '%s' have no flow in common: their RSTs are not correlated",
			       files[p->a], files[p->b]);
	}
	if (o->json)
		report_json_correlation(stdout, s);
	else
		report_text_correlation(stdout, s, &o->rep);
	if (html) {   /* the same header, plain, above the page's captures */
		struct report_opts plain = { .colour = false };
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);

		if (m) {
			report_text_correlation(m, s, &plain);
			if (!fclose(m))
				html_correlation(html, text);
		}
		free(text);
	}
	free(s);
	return c;
fail:
	warnx_("analyze: --correlate: out of memory");
	free(s);
	corr_free(c);
	return NULL;
}

/* ---- many files at once (analyze_many) ---- */

struct many_ctx {
	struct analyze_opts o1;    /* each file's: one thread, no progress line */
	char **files;
	struct run *main;
	struct run *runs;          /* many_window() slots */
	struct diagnosis *alls;    /* --overall: each slot's file's diagnosis */
	unsigned window;
	int bad;
};

static int many_job(unsigned i, FILE *out, void *ctx)
{
	struct many_ctx *c = ctx;
	struct run *r = &c->runs[i % c->window];

	*r = (struct run){ .o = &c->o1, .n_files = c->main->n_files, .out = out,
			   .all = c->alls ? &c->alls[i % c->window] : NULL };
	if (r->all)
		diagnosis_init(r->all);   /* the file's alone: added to all of them in done */
	return analyze_file(c->files[i], r);
}

static void many_done(unsigned i, int rc, void *ctx)
{
	struct many_ctx *c = ctx;
	const struct run *r = &c->runs[i % c->window];

	c->bad |= rc;
	c->main->rsts += r->rsts;
	c->main->out_failed |= r->out_failed;
	if (c->main->all) {   /* in file order, as one after the other */
		diagnosis_merge(c->main->all, r->all);
		engine_stats_add(&c->main->all_stats, &r->all_stats);
	}
}

/* Worth running the files at once? Several threads and files, none read
 * twice or from stdin, and no file more than two thirds of all the bytes:
 * a file takes about 1.5 times as long on one thread as on two of its own
 * (reading, the engine), so past that the big file alone, on one worker,
 * takes longer than all of them one after the other. */
static unsigned many_workers(const struct analyze_opts *o, const struct run *r, char **files,
			     int n)
{
	off_t total = 0, most = 0;
	struct stat st;

	if (o->threads < 2 || n < 2 || o->explain_frame || o->correlate || r->annot || r->html)
		return 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(files[i], "-"))
			return 0;
		if (!stat(files[i], &st) && S_ISREG(st.st_mode)) {
			total += st.st_size;
			if (st.st_size > most)
				most = st.st_size;
		}
	}
	if (most > total / 3 * 2)
		return 0;
	return o->threads < (unsigned)n ? o->threads : (unsigned)n;
}

/* The files at once: 0, or -1 when that could not start (nothing ran). */
static int analyze_many(const struct analyze_opts *o, struct run *r, char **files, int n,
			unsigned workers, int *bad)
{
	struct many_ctx c = { .o1 = *o, .files = files, .main = r, .window = many_window(workers) };
	int rc = -1;

	c.o1.threads = 1;
	c.o1.progress = false;
	c.o1.at_once = workers;
	c.runs = calloc(c.window, sizeof(*c.runs));
	if (r->all)
		c.alls = malloc(c.window * sizeof(*c.alls));
	if (c.runs && (!r->all || c.alls) &&
	    !(rc = many_run((unsigned)n, workers, many_job, many_done, &c)))
		*bad |= c.bad;
	free(c.runs);
	free(c.alls);
	return rc;
}

int cmd_analyze(int argc, char **argv)
{
	struct analyze_opts o = { 0 };
	struct run r = { 0 };
	struct corr *corr = NULL;
	int bad = 0, rc;

	engine_opts_default(&o.eng);
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? RS_EXIT_OK : RS_EXIT_USAGE;
	r.o = &o;
	r.n_files = argc - optind;
	if (o.overall && (r.all = malloc(sizeof(*r.all))))
		diagnosis_init(r.all);
	if ((o.overall && !r.all) ||
	    (o.write_pcapng && !(r.annot = annot_new())) || (o.html && !(r.html = html_new()))) {
		warnx_("analyze: out of memory");
		annot_free(r.annot);
		free(r.all);
		return RS_EXIT_RUNTIME;
	}
	if (o.correlate) {
		corr = correlate(&o, (const char *const *)argv + optind, (unsigned)(argc - optind),
				 r.html);
		if (!corr)
			return RS_EXIT_RUNTIME;
		o.eng.corr_lookup = corr_lookup;
		o.eng.corr_ctx = corr;
	}
	r.out = stdout;
	unsigned workers = many_workers(&o, &r, argv + optind, argc - optind);
	int first = optind;

	if (workers > 1 && !analyze_many(&o, &r, argv + optind, argc - optind, workers, &bad))
		first = argc;   /* done */
	for (int i = first; i < argc; i++) {
		bad |= analyze_file(argv[i], &r);
		if (o.explain_frame && i == optind) {
			if (!r.explain_found)
				warnx_("'%s': frame %llu is not an RST rstscope reported", argv[i],
				       (unsigned long long)o.explain_frame);
			else if (report_explain(stdout, argv[i], &r.explain, &o.rep))
				bad = 1;
		}
	}
	if (r.all) {   /* every capture's diagnosis as one */
		char label[64];

		diagnosis_finish(r.all);
		if (o.json) {
			report_json_summary_of(stdout, NULL, (unsigned)r.n_files, r.all, &r.all_stats);
		} else {
			fmt_buf(label, sizeof(label), "all %d captures", r.n_files);
			report_text_summary(stdout, label, r.all, &r.all_stats, &o.rep);
		}
		free(r.all);
	}
	corr_free(corr);
	annot_free(r.annot);
	if (r.html && html_write_file(r.html, o.html))
		r.out_failed = true;
	html_free(r.html);
	fflush(stdout);
	if (ferror(stdout) || r.out_failed)
		return RS_EXIT_RUNTIME;
	if (bad)
		return RS_EXIT_INPUT;
	return r.rsts ? RS_EXIT_RESETS : RS_EXIT_OK;
}
