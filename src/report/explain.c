/* explain: one flow drawn as a ladder diagram (a second pass over the file,
 * keeping only the flow's frames, and of a long flow the window around its
 * RST that report/ladder.h chooses). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/ladder.h"
#include "report/report.h"
#include "sources/pcapfile.h"
#include "util/util.h"

int report_explain(FILE *f, const char *path, const struct rst_verdict *v,
		   const struct report_opts *o);

/* the frames drawn: the flow's first ones, those up to its RST, a few after */
#define EXPLAIN_HEAD 10u
#define EXPLAIN_BEFORE 300u
#define EXPLAIN_AFTER 90u

struct explain_pkt {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t len;
	uint8_t flags, ttl;
	bool fwd;               /* from the RST's receiver to its claimed sender */
};

struct explain_ladder {
	struct ladder_win win;
	struct explain_pkt head[EXPLAIN_HEAD], ring[EXPLAIN_BEFORE], after[EXPLAIN_AFTER];
};

static void flag_names(uint8_t fl, char *buf, size_t size)
{
	static const struct { uint8_t bit; const char *name; } t[] = {
		{ TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PSH, "PSH" },
		{ TH_ACK, "ACK" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (fl & t[i].bit)
			n += fmt_buf(buf + n, size - n, "%s%s", n ? "+" : "", t[i].name);
}

static void explain_row(FILE *f, const struct explain_pkt *p, int64_t t0,
			const struct rst_verdict *v, const struct report_opts *o)
{
	char label[64], fl[32];
	bool this = p->frame == v->frame;

	flag_names(p->flags, fl, sizeof(fl));
	fmt_buf(label, sizeof(label), "%s len %u ttl %u", fl, p->len, p->ttl);
	fprintf(f, "%10.6f %-8" PRIu64 " %s", (double)(p->ts_ns - t0) / 1e9, p->frame,
		this && o->colour ? "\033[31m" : "");
	if (p->fwd)
		fprintf(f, "|---- %-44s --->|", label);
	else
		fprintf(f, "|<--- %-44s ----|", label);
	fprintf(f, "%s%s\n", this && o->colour ? "\033[0m" : "", this ? "  <== this RST" : "");
}

static void explain_draw(FILE *f, const struct explain_ladder *l, const struct rst_verdict *v,
			 const struct report_opts *o)
{
	const struct ladder_win *w = &l->win;
	int64_t t0 = w->n_head ? l->head[0].ts_ns : 0;

	for (unsigned i = 0; i < w->n_head; i++)
		explain_row(f, &l->head[i], t0, v, o);
	if (w->skipped_mid)
		fprintf(f, "%19s(%" PRIu64 " frames of the flow not shown)\n", "", w->skipped_mid);
	for (unsigned i = 0; i < w->n_ring; i++)
		explain_row(f, &l->ring[ladder_ring_at(w, i)], t0, v, o);
	for (unsigned i = 0; i < w->n_after; i++)
		explain_row(f, &l->after[i], t0, v, o);
	if (w->skipped_after)
		fprintf(f, "%19s(%" PRIu64 " more frames of the flow after these)\n", "",
			w->skipped_after);
}

int report_explain(FILE *f, const char *path, const struct rst_verdict *v,
		   const struct report_opts *o)
{
	char err[512], a[48], b[48];
	struct explain_ladder *l;
	struct pcapfile *pf;
	struct pcap_frame fr;
	int rc;

	if (!strcmp(path, "-")) {
		warnx_("--explain needs a file it can read twice, not stdin");
		return -1;
	}
	l = malloc(sizeof(*l));
	if (!l) {
		warnx_("--explain: out of memory");
		return -1;
	}
	pf = pcapfile_open(path, NULL, err, sizeof(err));
	if (!pf) {
		warnx_("'%s': %s", path, err);
		free(l);
		return -1;
	}
	ladder_init(&l->win, EXPLAIN_HEAD, EXPLAIN_BEFORE, EXPLAIN_AFTER);
	while ((rc = pcapfile_next(pf, &fr, err, sizeof(err))) == 1) {
		struct tcp_view t;
		struct explain_pkt p;
		unsigned i;
		bool rev;

		if (decode_frame(fr.link, fr.data, fr.caplen, &t) != DECODE_OK)
			continue;
		/* left: the RST's receiver; right: its claimed sender */
		p.fwd = t.sport == v->dport && t.dport == v->sport && !memcmp(&t.src, &v->dst, 16) &&
			!memcmp(&t.dst, &v->src, 16);
		rev = t.sport == v->sport && t.dport == v->dport && !memcmp(&t.src, &v->src, 16) &&
		      !memcmp(&t.dst, &v->dst, 16);
		if (!p.fwd && !rev)
			continue;
		p.frame = fr.number, p.ts_ns = fr.ts_ns, p.len = t.payload_len;
		p.flags = t.flags, p.ttl = t.ttl;
		switch (ladder_place(&l->win, fr.number, v->frame, t.flags, &i)) {
		case LADDER_HEAD: l->head[i] = p; break;
		case LADDER_RING: l->ring[i] = p; break;
		case LADDER_AFTER: l->after[i] = p; break;
		case LADDER_SKIP: break;
		}
	}
	ipaddr_str(&v->dst, a, sizeof(a));
	ipaddr_str(&v->src, b, sizeof(b));
	fprintf(f, "\n%sladder of the flow of frame %" PRIu64 "%s\n", o->colour ? "\033[1m" : "",
		v->frame, o->colour ? "\033[0m" : "");
	fprintf(f, "%-10s %-8s %-30s %30s\n", "time(s)", "frame", a, b);
	explain_draw(f, l, v, o);
	if (rc < 0)
		fprintf(f, "(the flow's frames after frame %" PRIu64 " could not be read: %s)\n",
			fr.number, err);
	pcapfile_close(pf);
	free(l);
	return 0;
}
