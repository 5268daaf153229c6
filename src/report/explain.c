/* explain: one flow drawn as a ladder diagram (a second pass over the file,
 * keeping only the flow's frames). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "sources/pcapfile.h"
#include "util/util.h"

int report_explain(FILE *f, const char *path, const struct rst_verdict *v,
		   const struct report_opts *o);

#define LADDER_MAX 400

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

int report_explain(FILE *f, const char *path, const struct rst_verdict *v,
		   const struct report_opts *o)
{
	char err[512], a[48], b[48], label[64], fl[32];
	struct pcapfile *pf;
	struct pcap_frame fr;
	int64_t t0 = -1;
	unsigned shown = 0;
	int rc;

	if (!strcmp(path, "-")) {
		warnx_("--explain needs a file it can read twice, not stdin");
		return -1;
	}
	pf = pcapfile_open(path, NULL, err, sizeof(err));
	if (!pf) {
		warnx_("'%s': %s", path, err);
		return -1;
	}
	ipaddr_str(&v->dst, a, sizeof(a));
	ipaddr_str(&v->src, b, sizeof(b));
	fprintf(f, "\n%sladder of the flow of frame %" PRIu64 "%s\n", o->colour ? "\033[1m" : "",
		v->frame, o->colour ? "\033[0m" : "");
	fprintf(f, "%-10s %-8s %-30s %30s\n", "time(s)", "frame", a, b);
	while ((rc = pcapfile_next(pf, &fr, err, sizeof(err))) == 1 && shown < LADDER_MAX) {
		struct tcp_view t;
		bool fwd, rev;

		if (decode_frame(fr.link, fr.data, fr.caplen, &t) != DECODE_OK)
			continue;
		/* left: the RST's receiver; right: its claimed sender */
		fwd = t.sport == v->dport && t.dport == v->sport && !memcmp(&t.src, &v->dst, 16) &&
		      !memcmp(&t.dst, &v->src, 16);
		rev = t.sport == v->sport && t.dport == v->dport && !memcmp(&t.src, &v->src, 16) &&
		      !memcmp(&t.dst, &v->dst, 16);
		if (!fwd && !rev)
			continue;
		if (t0 < 0)
			t0 = fr.ts_ns;
		flag_names(t.flags, fl, sizeof(fl));
		fmt_buf(label, sizeof(label), "%s len %u ttl %u", fl, t.payload_len, t.ttl);
		fprintf(f, "%10.6f %-8" PRIu64 " %s", (double)(fr.ts_ns - t0) / 1e9, fr.number,
			fr.number == v->frame && o->colour ? "\033[31m" : "");
		if (fwd)
			fprintf(f, "|---- %-44s --->|", label);
		else
			fprintf(f, "|<--- %-44s ----|", label);
		fprintf(f, "%s%s\n", fr.number == v->frame && o->colour ? "\033[0m" : "",
			fr.number == v->frame ? "  <== this RST" : "");
		shown++;
	}
	if (shown == LADDER_MAX)
		fprintf(f, "(first %d frames of the flow shown)\n", LADDER_MAX);
	pcapfile_close(pf);
	return 0;
}
