/* pcapfile: libpcap offline reading with nanosecond timestamps; a pcapng
 * file whose interfaces have different link types, which libpcap refuses,
 * is read on by the pcapng reader from the frame where libpcap stopped. */
#include "sources/pcapfile.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/pcapng.h"
#include "util/util.h"

#define FILTERS_MAX 8

struct pcapfile {
	pcap_t *p;
	const char *path;
	const char *filter;
	int link;
	uint64_t frames;
	/* the pcapng fallback */
	FILE *ngf;
	struct pcapng *ng;
	/* compiled filters, one per link type met */
	struct { int link; struct bpf_program prog; } flt[FILTERS_MAX];
	unsigned n_flt;
};

/* The filter compiled for link type `link`; NULL when it cannot be. */
static struct bpf_program *filter_for(struct pcapfile *pf, int link, char *err, size_t errsz)
{
	pcap_t *dead;
	int rc;

	for (unsigned i = 0; i < pf->n_flt; i++)
		if (pf->flt[i].link == link)
			return &pf->flt[i].prog;
	if (pf->n_flt == FILTERS_MAX) {
		fmt_buf(err, errsz, "too many link types for one filter");
		return NULL;
	}
	/* pcap_open_dead takes a DLT; pcapng files carry LINKTYPE values,
	 * which differ only for raw IP among the types decode reads */
	dead = pcap_open_dead(link == 101 ? DLT_RAW : link, 262144);
	if (!dead) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	rc = pcap_compile(dead, &pf->flt[pf->n_flt].prog, pf->filter, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0) {
		fmt_buf(err, errsz, "bad filter '%s': %s", pf->filter, pcap_geterr(dead));
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	pf->flt[pf->n_flt].link = link;
	return &pf->flt[pf->n_flt++].prog;
}

struct pcapfile *pcapfile_open(const char *path, const char *filter, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapfile *pf = calloc(1, sizeof(*pf));

	if (!pf) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	pf->path = path;
	pf->filter = filter && *filter ? filter : NULL;
	pf->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pf->p) {
		fmt_buf(err, errsz, "%s", ebuf[0] ? ebuf : "cannot open");
		free(pf);
		return NULL;
	}
	pf->link = pcap_datalink(pf->p);
	/* compiled now so that a bad filter is an error before any output;
	 * applied per frame (pcap_offline_filter) so numbering stays the file's */
	if (pf->filter && !filter_for(pf, pf->link, err, errsz)) {
		pcapfile_close(pf);
		return NULL;
	}
	return pf;
}

/* Switch to the pcapng reader and skip the frames libpcap delivered. */
static int fall_back(struct pcapfile *pf, char *err, size_t errsz)
{
	struct pcapng_frame fr;
	uint64_t n = 0;

	if (!strcmp(pf->path, "-")) {
		fmt_buf(err, errsz, "interfaces of different link types, which a pipe cannot be "
			"read again for; save it to a file first");
		return -1;
	}
	pf->ngf = fopen(pf->path, "rb");
	if (!pf->ngf || !(pf->ng = pcapng_new(pf->ngf))) {
		fmt_buf(err, errsz, "cannot reopen for its mixed link types");
		return -1;
	}
	while (n < pf->frames) {
		int rc = pcapng_next(pf->ng, &fr, err, errsz);

		if (rc != 1) {
			if (rc == 0)
				fmt_buf(err, errsz, "the file changed while it was read");
			return -1;
		}
		n++;
	}
	return 0;
}

static int next_ng(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	for (;;) {
		struct pcapng_frame nf;
		char why[256];
		int rc = pcapng_next(pf->ng, &nf, why, sizeof(why));

		if (rc <= 0) {
			if (rc < 0)
				fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1, why);
			return rc;
		}
		pf->frames++;
		if (pf->filter) {
			struct bpf_program *prog = filter_for(pf, nf.link, err, errsz);
			struct pcap_pkthdr h = { .caplen = (bpf_u_int32)nf.caplen,
						 .len = (bpf_u_int32)nf.wirelen };

			if (!prog)
				return -1;
			if (!pcap_offline_filter(prog, &h, nf.data))
				continue;
		}
		fr->data = nf.data;
		fr->caplen = nf.caplen;
		fr->wirelen = nf.wirelen;
		fr->ts_ns = nf.ts_ns;
		fr->link = nf.link;
		fr->number = pf->frames;
		return 1;
	}
}

int pcapfile_next(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	if (pf->ng)
		return next_ng(pf, fr, err, errsz);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(pf->p, &h, &d);

		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			const char *why = rc == PCAP_ERROR ? pcap_geterr(pf->p) : "unreadable record";

			if (strstr(why, "different from the type of the first interface")) {
				if (fall_back(pf, err, errsz))
					return -1;
				return next_ng(pf, fr, err, errsz);
			}
			fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1, why);
			return -1;
		}
		pf->frames++;
		if (pf->filter && !pcap_offline_filter(&pf->flt[0].prog, h, d))
			continue;
		fr->data = d;
		fr->caplen = h->caplen;
		fr->wirelen = h->len;
		fr->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		fr->link = pf->link;
		fr->number = pf->frames;
		return 1;
	}
}

int pcapfile_link(const struct pcapfile *pf)
{
	return pf->link;
}

const char *pcapfile_link_name(const struct pcapfile *pf)
{
	const char *n = pcap_datalink_val_to_name(pf->link);

	return n ? n : "unknown";
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	for (unsigned i = 0; i < pf->n_flt; i++)
		pcap_freecode(&pf->flt[i].prog);
	pcapng_free(pf->ng);
	if (pf->ngf)
		fclose(pf->ngf);
	if (pf->p)
		pcap_close(pf->p);
	free(pf);
}
