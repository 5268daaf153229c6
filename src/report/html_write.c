/* html_write: the page of analyze --html: its data aggregated here (time
 * buckets, histogram bins, per-sender counts, compact table rows) into one
 * JSON block inside the template, with the script and a
 * Content-Security-Policy that allows that script only (by its hash). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/html_int.h"
#include "util/sha256.h"
#include "util/util.h"

void html_js_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		/* '<' keeps "</script>" and "<!--" out of the element; the rest
		 * of the escapes keep the text one JSON and JS string */
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' || c == '\'')
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

static void names(FILE *f, const char *key, const char *const *t, int n)
{
	fprintf(f, "\"%s\":[", key);
	for (int i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		html_js_string(f, t[i]);
	}
	putc(']', f);
}

static void endpoint(FILE *f, const struct ipaddr *a, uint16_t port)
{
	char s[48], buf[64];

	ipaddr_str(a, s, sizeof(s));
	fmt_buf(buf, sizeof(buf), ipaddr_is_v4(a) ? "%s:%u" : "[%s]:%u", s, port);
	html_js_string(f, buf);
}

/* Bucket widths for the time chart, seconds: the first that gives at most
 * TIME_BUCKETS_MAX buckets over the capture's span. */
#define TIME_BUCKETS_MAX 120
static double time_width(double span)
{
	static const double w[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
				    10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
				    21600, 43200, 86400 };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (span / w[i] < TIME_BUCKETS_MAX)
			return w[i];
	return 86400 * ceil(span / 86400 / TIME_BUCKETS_MAX + 1e-9);
}

static void time_chart(FILE *f, const struct html_capture *c)
{
	double span = c->n_rows ? (double)(c->t_last - c->t_first) / 1e9 : 0, w = time_width(span);
	unsigned nb = (unsigned)(span / w) + 1;
	uint32_t *cnt = calloc((size_t)nb * CAUSE__COUNT, sizeof(*cnt));
	bool first = true;

	fprintf(f, "\"time\":{\"width\":%g,\"n\":%u,\"series\":[", w, cnt ? nb : 0);
	if (!cnt || !c->diag) {
		fputs("]}", f);
		free(cnt);
		return;
	}
	for (size_t i = 0; i < c->n_rows; i++) {
		unsigned b = (unsigned)((double)(c->rows[i].ts_ns - c->t_first) / 1e9 / w);

		cnt[(size_t)(b < nb ? b : nb - 1) * CAUSE__COUNT + c->rows[i].cause]++;
	}
	for (unsigned r = 0; r < CAUSE__COUNT; r++) {
		unsigned id = c->diag->rank[r];
		bool any = false;

		for (unsigned b = 0; b < nb && !any; b++)
			any = cnt[(size_t)b * CAUSE__COUNT + id] != 0;
		if (!any)
			continue;
		fprintf(f, "%s[%u,[", first ? "" : ",", id);
		first = false;
		for (unsigned b = 0; b < nb; b++)
			fprintf(f, "%s%" PRIu32, b ? "," : "", cnt[(size_t)b * CAUSE__COUNT + id]);
		fputs("]]", f);
	}
	fputs("]}", f);
	free(cnt);
}

/* Idle gaps in log bins, GAP_PER_DECADE a decade, from 1 ms to 10^6 s. */
#define GAP_PER_DECADE 20
#define GAP_LO (-3 * GAP_PER_DECADE)
#define GAP_HI (6 * GAP_PER_DECADE)
static void gap_chart(FILE *f, const struct html_capture *c)
{
	uint32_t cnt[GAP_HI - GAP_LO + 1] = { 0 };
	int lo = GAP_HI, hi = GAP_LO;

	for (size_t i = 0; i < c->n_rows; i++) {
		double g = c->rows[i].idle_gap_s;
		int b;

		if (g < 0)
			continue;
		b = g > 0 ? (int)floor(log10(g) * GAP_PER_DECADE + 1e-9) : GAP_LO;
		b = b < GAP_LO ? GAP_LO : b > GAP_HI ? GAP_HI : b;
		cnt[b - GAP_LO]++;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	fprintf(f, "\"gaps\":{\"per_decade\":%d,\"lo\":%d,\"counts\":[", GAP_PER_DECADE,
		lo <= hi ? lo : 0);
	for (int b = lo; b <= hi; b++)
		fprintf(f, "%s%" PRIu32, b > lo ? "," : "", cnt[b - GAP_LO]);
	fputs("],\"timeouts\":[", f);
	for (unsigned i = 0; c->diag && i < c->diag->n_timeouts; i++) {
		const struct diag_timeout *t = &c->diag->timeouts[i];

		fprintf(f, "%s{\"lo\":%.3f,\"hi\":%.3f,\"count\":%" PRIu64 ",\"survived\":", i ? "," : "",
			t->lo_s, t->hi_s, t->count);
		if (t->survived_s >= 0)
			fprintf(f, "%.3f", t->survived_s);
		else
			fputs("null", f);
		fprintf(f, ",\"consistent\":%s}", t->consistent ? "true" : "false");
	}
	fputs("]}", f);
}

/* Hops from the initial TTL a sender most likely used (32, 64, 128, 255). */
static unsigned hops_of(uint8_t ttl)
{
	unsigned init = ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;

	return init - ttl;
}

#define HOP_SENDERS 12
static void hop_chart(FILE *f, const struct html_report *h, const struct html_capture *c)
{
	uint32_t *per = calloc(h->n_str ? h->n_str : 1, sizeof(*per)), top[HOP_SENDERS];
	uint32_t (*cell)[256][FORGED__COUNT] = calloc(HOP_SENDERS, sizeof(*cell));
	unsigned n_top = 0;
	uint64_t senders = 0, other = 0;

	fputs("\"hops\":{\"senders\":[", f);
	if (!per || !cell)
		goto out;
	for (size_t i = 0; i < c->n_rows; i++)
		if (c->rows[i].src != HTML_NONE && !per[c->rows[i].src]++)
			senders++;
	/* the senders with the most RSTs, most first */
	for (uint32_t s = 0; s < h->n_str; s++) {
		unsigned k;

		if (!per[s])
			continue;
		for (k = n_top; k > 0 && per[top[k - 1]] < per[s]; k--)
			if (k < HOP_SENDERS)
				top[k] = top[k - 1];
		if (k < HOP_SENDERS) {
			top[k] = s;
			n_top += n_top < HOP_SENDERS;
		}
	}
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct html_row *r = &c->rows[i];
		unsigned k;

		for (k = 0; k < n_top && top[k] != r->src; k++)
			;
		if (k < n_top)
			cell[k][hops_of(r->ttl)][r->forged]++;
		else
			other++;
	}
	for (unsigned k = 0; k < n_top; k++) {
		bool first = true;

		fprintf(f, "%s{\"addr\":", k ? "," : "");
		html_js_string(f, h->str[top[k]]);
		fprintf(f, ",\"n\":%" PRIu32 ",\"cells\":[", per[top[k]]);
		for (unsigned hp = 0; hp < 256; hp++) {
			const uint32_t *x = cell[k][hp];

			if (!x[0] && !x[1] && !x[2])
				continue;
			fprintf(f, "%s[%u,%" PRIu32 ",%" PRIu32 ",%" PRIu32 "]", first ? "" : ",", hp,
				x[FORGED_GENUINE], x[FORGED_FORGED], x[FORGED_UNKNOWN]);
			first = false;
		}
		fputs("]}", f);
	}
out:
	fprintf(f, "],\"other_senders\":%" PRIu64 ",\"other_rsts\":%" PRIu64 "}",
		senders > n_top ? senders - n_top : 0, other);
	free(per);
	free(cell);
}

static void causes(FILE *f, const struct html_capture *c)
{
	const struct diagnosis *d = c->diag;
	bool first = true;

	fputs("\"causes\":[", f);
	for (unsigned i = 0; d && i < CAUSE__COUNT; i++) {
		const struct diag_cause *dc = &d->causes[d->rank[i]];

		if (!dc->count)
			continue;
		fprintf(f, "%s{\"id\":%u,\"count\":%" PRIu64 ",\"confidence\":%.2f,\"rows\":[",
			first ? "" : ",", (unsigned)dc->id, dc->count, dc->confidence);
		first = false;
		for (unsigned k = 0; k < c->n_cause_ex[dc->id]; k++)
			fprintf(f, "%s%" PRIu32, k ? "," : "", c->cause_ex[dc->id][k]);
		fputs("]}", f);
	}
	fputs("]", f);
}

static void examples(FILE *f, const struct diag_example *ex, uint64_t n)
{
	for (uint64_t k = 0; k < n && k < DIAG_EXAMPLES; k++) {
		fprintf(f, "%s{\"frame\":%" PRIu64 ",\"flow\":", k ? "," : "", ex[k].frame);
		html_js_string(f, ex[k].flow);
		putc('}', f);
	}
}

static void diag_rest(FILE *f, const struct html_capture *c)
{
	const struct diagnosis *d = c->diag;
	const struct engine_stats *s = &c->stats;

	if (!d) {
		fputs("\"races\":null,\"risky\":null,\"kinds\":[],\"forged\":[]", f);
		return;
	}
	fprintf(f, "\"races\":{\"count\":%" PRIu64 ",\"min_ms\":%.3f,\"max_ms\":%.3f,\"ex\":[",
		d->races, d->races ? d->race_gap_ms_min : 0, d->races ? d->race_gap_ms_max : 0);
	examples(f, d->race_ex, d->races);
	fprintf(f, "]},\"risky\":{\"count\":%" PRIu64 ",\"ex\":[", d->risky);
	for (uint64_t k = 0; k < d->risky && k < DIAG_EXAMPLES; k++) {
		fprintf(f, "%s{\"method\":", k ? "," : "");
		html_js_string(f, d->risky_method[k]);
		fprintf(f, ",\"frame\":%" PRIu64 ",\"flow\":", d->risky_ex[k].frame);
		html_js_string(f, d->risky_ex[k].flow);
		putc('}', f);
	}
	fputs("]},\"kinds\":[", f);
	for (int k = 0; k < KIND__COUNT; k++)
		fprintf(f, "%s%" PRIu64, k ? "," : "", d->by_kind[k]);
	fputs("],\"forged\":[", f);
	for (int k = 0; k < FORGED__COUNT; k++)
		fprintf(f, "%s%" PRIu64, k ? "," : "", d->by_forged[k]);
	fprintf(f, "],\"clustered\":%" PRIu64 ",\"stats\":{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64,
		d->clustered, s->frames, s->bytes);
	for (int r = 0; r < DECODE__COUNT; r++)
		fprintf(f, ",\"%s\":%" PRIu64, decode_result_name[r], s->result[r]);
	fprintf(f, ",\"flows\":%" PRIu64 ",\"flows_evicted\":%" PRIu64 ",\"time_backwards\":%" PRIu64
		"}", s->flows_created, s->flows_evicted, s->time_backwards);
}

static long long id_or(uint32_t id)
{
	return id == HTML_NONE ? -1 : (long long)id;
}

static void rows(FILE *f, const struct html_capture *c)
{
	fputs("\"rows\":[", f);
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct html_row *r = &c->rows[i];

		fprintf(f, "%s[%" PRIu64 ",%" PRId64 ",%lld,%u,%lld,%u,%u,%u,%u,%u,%u,%ld,%u,%" PRIu32
			",%lld,%lld,%lld,%u,%u,%u]\n", i ? "," : "", r->frame,
			(r->ts_ns - c->t_first) / 1000, id_or(r->src), r->sport, id_or(r->dst),
			r->dport, r->kind, r->role, r->forged, r->cause, r->shape,
			r->idle_gap_s >= 0 ? lround(r->idle_gap_s * 1000) : -1L, r->ttl, r->cluster,
			id_or(r->method), id_or(r->ladder), id_or(r->evid), r->seen, r->absent,
			r->flags);
	}
	fputs("]", f);
}

static void ladder(FILE *f, const struct html_capture *c, const struct html_ladder *l)
{
	const struct html_pkt *p[HTML_LADDER_PKTS];
	const struct ladder_win *w = &l->win;
	unsigned n = 0;

	for (unsigned i = 0; i < w->n_head; i++)
		p[n++] = &l->head[i];
	for (unsigned i = 0; i < w->n_ring; i++)
		p[n++] = &l->ring[ladder_ring_at(w, i)];
	for (unsigned i = 0; i < w->n_after; i++)
		p[n++] = &l->after[i];
	fputs("{\"a\":", f);
	endpoint(f, &l->a, l->pa);
	fputs(",\"b\":", f);
	endpoint(f, &l->b, l->pb);
	fprintf(f, ",\"anchor\":%" PRIu64 ",\"head\":%u,\"skipped_mid\":%" PRIu64
		",\"skipped_after\":%" PRIu64 ",\"pk\":[", l->anchor, w->n_head, w->skipped_mid,
		w->skipped_after);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%s[%" PRId64 ",%" PRIu64 ",%u,%u,%" PRIu32 ",%u,%" PRIu32 ",%" PRIu32
			",%u,", i ? "," : "", (p[i]->ts_ns - c->t_first) / 1000, p[i]->frame,
			p[i]->dir, p[i]->flags, p[i]->len, p[i]->ttl, p[i]->seq, p[i]->ack, p[i]->win);
		html_js_string(f, p[i]->text);
		putc(']', f);
	}
	fputs("]}\n", f);
}

static void evidence(FILE *f, const struct html_capture *c)
{
	fputs("\"evidence\":[", f);
	for (unsigned i = 0; i < c->n_ev; i++) {
		const struct html_evid *e = &c->ev[i];

		fputs(i ? ",[" : "[", f);
		html_js_string(f, e->forged);
		putc(',', f);
		html_js_string(f, e->cause);
		putc(',', f);
		html_js_string(f, e->payload[0] ? e->payload : NULL);
		fprintf(f, ",%" PRIu64 ",%" PRIu32 ",%u,%u,%u,%u]\n", e->bytes_in_flight,
			e->prior_requests, e->last_status, e->expect_100, e->unanswered, e->tls);
	}
	fputs("]", f);
}

/* What the page leaves out, as sentences. */
static void notes(FILE *f, const struct html_capture *c)
{
	char b[256];
	bool first = true;

#define NOTE(...) do { fmt_buf(b, sizeof(b), __VA_ARGS__); fputs(first ? "" : ",", f); \
	html_js_string(f, b); first = false; } while (0)
	fputs("\"notes\":[", f);
	if (c->rows_dropped)
		NOTE("the table and the charts hold the first %zu RSTs; %" PRIu64 " more are counted "
		     "in the causes only", c->n_rows, c->rows_dropped);
	if (c->ladder_note)
		NOTE("no packet ladders: %s", c->ladder_note);
	else if (c->rows_no_ladder)
		NOTE("packet ladders are kept for %u flows (at most %u per capture); %" PRIu64
		     " RSTs of other flows have none", c->n_lad, HTML_LADDERS_MAX,
		     c->rows_no_ladder);
	if (c->n_ev == HTML_EVIDENCE_MAX)
		NOTE("evidence is kept for the first %u RSTs of flows with a ladder",
		     HTML_EVIDENCE_MAX);
	fputs("]", f);
#undef NOTE
}

static void capture(FILE *f, const struct html_report *h, const struct html_capture *c)
{
	fputs("{\"file\":", f);
	html_js_string(f, c->name);
	fprintf(f, ",\"resets\":%" PRIu64 ",\"t0\":%.6f,\"span\":%.6f,\"error\":",
		c->diag ? c->diag->resets : (uint64_t)c->n_rows,
		c->t_first == INT64_MAX ? 0 : (double)c->t_first / 1e9,
		c->t_first == INT64_MAX ? 0 : (double)(c->t_last - c->t_first) / 1e9);
	html_js_string(f, c->read_error);
	fputs(",\"text\":", f);
	html_js_string(f, c->text);
	fputs(",\"corr_files\":", f);
	if (c->corr_n && c->corr_files) {
		for (unsigned i = 0; i < c->corr_n; i++) {
			putc(i ? ',' : '[', f);
			html_js_string(f, c->corr_files[i]);
		}
		putc(']', f);
	} else {
		fputs("null", f);
	}
	fputs(",\n", f);
	causes(f, c);
	fputs(",\n", f);
	diag_rest(f, c);
	fputs(",\n", f);
	time_chart(f, c);
	fputs(",\n", f);
	gap_chart(f, c);
	fputs(",\n", f);
	hop_chart(f, h, c);
	fputs(",\n", f);
	notes(f, c);
	fputs(",\n", f);
	evidence(f, c);
	fputs(",\n\"ladders\":[", f);
	for (unsigned i = 0; c->ladder_note == NULL && i < c->n_lad; i++) {
		if (i)
			putc(',', f);
		ladder(f, c, &c->lad[i]);
	}
	fputs("],\n", f);
	rows(f, c);
	fputs("}\n", f);
}

static void data(FILE *f, const struct html_report *h)
{
	fputs("{\"generator\":\"rstscope analyze --html\",\"names\":{", f);
	names(f, "kind", rst_kind_name, KIND__COUNT);
	putc(',', f);
	names(f, "role", rst_role_name, ROLE__COUNT);
	putc(',', f);
	names(f, "forged", rst_forged_name, FORGED__COUNT);
	putc(',', f);
	names(f, "shape", rst_shape_name, SHAPE__COUNT);
	putc(',', f);
	names(f, "cause", rst_cause_name, CAUSE__COUNT);
	putc(',', f);
	names(f, "cause_title", rst_cause_title, CAUSE__COUNT);
	putc(',', f);
	names(f, "cause_fix", rst_cause_fix, CAUSE__COUNT);
	putc(',', f);
	names(f, "tls", tls_stage_name, TLS__COUNT);
	fprintf(f, "},\"limits\":{\"ladders\":%u,\"ladder_head\":%u,\"ladder_before\":%u,"
		"\"ladder_after\":%u,\"evidence\":%u,\"rows\":%u},\"correlation\":", HTML_LADDERS_MAX,
		HTML_LADDER_HEAD, HTML_LADDER_BEFORE, HTML_LADDER_AFTER, HTML_EVIDENCE_MAX,
		HTML_ROWS_MAX);
	html_js_string(f, h->corr_text);
	fputs(",\n\"strings\":[", f);
	for (uint32_t i = 0; i < h->n_str; i++) {
		if (i)
			fputs(i % 64 ? "," : ",\n", f);
		html_js_string(f, h->str[i]);
	}
	fputs("],\n\"captures\":[", f);
	for (unsigned i = 0; i < h->n_cap; i++) {
		if (i)
			putc(',', f);
		capture(f, h, &h->cap[i]);
	}
	fputs("]}", f);
}

int html_write(struct html_report *h, FILE *f)
{
	const char *t = html_page_template, *m;
	uint8_t sum[32];
	char b64[48];

	sha256(html_page_script, strlen(html_page_script), sum);
	base64_encode(sum, sizeof(sum), b64);
	/* the template's markers: @CSP_HASH@, @DATA@, @SCRIPT@ */
	while ((m = strchr(t, '@'))) {
		fwrite(t, 1, (size_t)(m - t), f);
		if (!strncmp(m, "@CSP_HASH@", 10)) {
			fprintf(f, "sha256-%s", b64);
			t = m + 10;
		} else if (!strncmp(m, "@DATA@", 6)) {
			data(f, h);
			t = m + 6;
		} else if (!strncmp(m, "@SCRIPT@", 8)) {
			fputs(html_page_script, f);
			t = m + 8;
		} else {
			putc('@', f);
			t = m + 1;
		}
	}
	fputs(t, f);
	fflush(f);
	return ferror(f) ? -1 : 0;
}

int html_check_output(const char *path, char *const *inputs, int n)
{
	static const uint32_t magic[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1,
					  0x0a0d0d0a };
	struct stat st, in;
	uint32_t m = 0;
	FILE *f;

	if (!strcmp(path, "-")) {
		warnx_("analyze: --html needs a file name: standard output carries the report");
		return -1;
	}
	if (stat(path, &st))
		return 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(inputs[i], path) ||
		    (!stat(inputs[i], &in) && in.st_dev == st.st_dev && in.st_ino == st.st_ino)) {
			warnx_("analyze: --html '%s' is one of the captures", path);
			return -1;
		}
	if (S_ISREG(st.st_mode) && (f = fopen(path, "rb"))) {
		if (fread(&m, sizeof(m), 1, f) != 1)
			m = 0;
		fclose(f);
		for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
			if (m == magic[i]) {
				warnx_("analyze: --html '%s' is a capture: the page would overwrite it",
				       path);
				return -1;
			}
	}
	return 0;
}

int html_write_file(struct html_report *h, const char *path)
{
	char tmp[4096];
	mode_t um;
	int fd;
	FILE *f;

	if (fmt_buf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp) - 1) {
		warnx_("'%s': name too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		warnx_("'%s': cannot write beside it: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	if (html_write(h, f) | fclose(f)) {
		warnx_("'%s': %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		warnx_("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
