/* merge: the JSON summaries of separate runs (analyze --json of parts of
 * a capture set, watch --json of several hosts) as one diagnosis, ranked
 * exactly as one run over all their inputs (analyze --overall) ranks it.
 * Sequence: read every input's lines; per input keep the last summary of
 * each capture (watch's periodic summaries are cumulative); add them up in
 * input order; rank; print. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/stats.h"
#include "report/report.h"
#include "report/summary_in.h"
#include "util/util.h"

#define MERGE_KEYS 4096     /* captures per input */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rstscope merge [OPTIONS] SUMMARY.jsonl...   ('-' reads stdin)\n\n"
		"The diagnoses of separate runs as one: the summary lines of 'analyze --json'\n"
		"or 'watch --json' outputs (other lines are skipped), added up and ranked as one\n"
		"run over all their captures ranks them ('analyze --overall'). Of each input,\n"
		"the last summary of each capture counts (watch's are cumulative); summaries of\n"
		"several captures (\"files\") are left out, their captures' own are used.\n\n"
		"options:\n"
		"  -j, --json              the merged summary as a JSON line (docs/output.md)\n"
		"      --no-color          no colour (also: NO_COLOR set, or not a terminal)\n"
		"  -h, --help\n\n"
		"exit: 0 no resets, 1 resets, 2 usage, 3 an input was unreadable or held a bad\n"
		"summary (the rest merged), 4 runtime failure.\n\n"
		"EXAMPLES\n"
		"  ls *.pcap | xargs -P 8 -I{} sh -c 'rstscope analyze --json {} > {}.jsonl'\n"
		"  rstscope merge *.pcap.jsonl\n"
		"  rstscope merge --json host-a.jsonl host-b.jsonl\n");
}

struct merged {
	struct diagnosis *all, *one;
	struct engine_stats stats;
	struct summary_pool *pool;
	unsigned summaries, skipped_overall;
};

/* The JSON text of the value at q (a string with its escapes, or a bare
 * word such as null) into key. */
static void value_text(const char *q, char *key, size_t size)
{
	size_t n = 0;

	if (*q == '"') {
		for (n = 1; q[n] && q[n] != '"'; n++)
			if (q[n] == '\\' && q[n + 1])
				n++;
		if (q[n])
			n++;
	} else {
		n = strcspn(q, ",}");
	}
	fmt_buf(key, size, "%.*s", (int)n, q);
}

/* stdin copied to a temporary file (it is read twice); NULL on failure. */
static FILE *spool_stdin(void)
{
	FILE *t = tmpfile();
	char buf[65536];
	size_t n;

	if (!t)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, n, t) != n) {
			fclose(t);
			return NULL;
		}
	if (ferror(stdin) || fflush(t)) {
		fclose(t);
		return NULL;
	}
	rewind(t);
	return t;
}

/* One input: the last summary of each capture, added in order of first
 * appearance. Returns 0, or 1 when something could not be read. */
static int merge_input(const char *path, struct merged *m)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : spool_stdin();
	char *line = NULL, **keys = NULL, file[512], err[256];
	long *where = NULL;     /* the line number of each key's last summary */
	size_t cap = 0, nkeys = 0, lineno = 0;
	ssize_t n;
	int bad = 0;

	if (!f) {
		warnx_("'%s': %s", path, strerror(errno));
		return 1;
	}
	keys = calloc(MERGE_KEYS, sizeof(*keys));
	where = calloc(MERGE_KEYS, sizeof(*where));
	if (!keys || !where)
		goto oom;
	/* pass 1: which line holds each capture's last summary */
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *fk, *q;
		char key[520];
		size_t k;

		lineno++;
		if (!strstr(line, "\"type\":\"summary\""))
			continue;
		if (strstr(line, ",\"files\":")) {
			m->skipped_overall++;
			continue;
		}
		fk = strstr(line, "\"file\":");
		q = fk ? fk + 7 : "null";
		value_text(q, key, sizeof(key));   /* the capture: the file member's text */
		for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
			;
		if (k == nkeys) {
			if (nkeys == MERGE_KEYS) {
				warnx_("'%s': more than %d captures: the rest left out", path, MERGE_KEYS);
				bad = 1;
				continue;
			}
			if (!(keys[nkeys++] = strdup(key)))
				goto oom;
		}
		where[k] = (long)lineno;
	}
	if (ferror(f)) {
		warnx_("'%s': read error after line %zu: %s", path, lineno, strerror(errno));
		bad = 1;
	}
	/* pass 2: those lines, in order of their captures' first summary */
	for (size_t k = 0; k < nkeys; k++) {
		rewind(f);
		lineno = 0;
		while ((n = getline(&line, &cap, f)) > 0)
			if ((long)++lineno == where[k])
				break;
		unsigned files;
		struct engine_stats s;

		if (n <= 0 || summary_parse(line, (size_t)n, m->pool, m->one, &s, &files, file,
					    sizeof(file), err, sizeof(err))) {
			warnx_("'%s': line %ld: %s", path, where[k], n <= 0 ? "gone" : err);
			bad = 1;
			continue;
		}
		diagnosis_merge(m->all, m->one);
		engine_stats_add(&m->stats, &s);
		m->summaries++;
	}
	goto done;
oom:
	warnx_("merge: out of memory");
	bad = 1;
done:
	for (size_t k = 0; keys && k < nkeys; k++)
		free(keys[k]);
	free(keys);
	free(where);
	free(line);
	fclose(f);
	return bad;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, { "no-color", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct report_opts rep = { .colour = want_colour(1) };
	struct merged m = { 0 };
	bool json = false;
	int c, bad = 0, rc = RS_EXIT_RUNTIME;
	char label[64];

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'C': rep.colour = false; break;
		case 'h': usage(stdout); return RS_EXIT_OK;
		default: usage(stderr); return RS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		warnx_("merge: no summary file given");
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	m.all = malloc(sizeof(*m.all));
	m.one = malloc(sizeof(*m.one));
	m.pool = summary_pool_new();
	if (!m.all || !m.one || !m.pool) {
		warnx_("merge: out of memory");
		goto out;
	}
	diagnosis_init(m.all);
	for (int i = optind; i < argc; i++)
		bad |= merge_input(argv[i], &m);
	if (m.skipped_overall)
		warnx_("merge: %u summaries of several captures left out (their captures' own count)",
		       m.skipped_overall);
	diagnosis_finish(m.all);
	if (json) {
		report_json_summary_of(stdout, NULL, m.summaries ? m.summaries : 1, m.all, &m.stats);
	} else {
		fmt_buf(label, sizeof(label), "all %u summaries", m.summaries);
		report_text_summary(stdout, label, m.all, &m.stats, &rep);
	}
	fflush(stdout);
	rc = ferror(stdout) ? RS_EXIT_RUNTIME : bad ? RS_EXIT_INPUT
	     : m.all->resets ? RS_EXIT_RESETS : RS_EXIT_OK;
out:
	free(m.all);
	free(m.one);
	summary_pool_free(m.pool);
	return rc;
}
