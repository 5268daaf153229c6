/* pcapfile: libpcap offline reading with nanosecond timestamps. */
#include "sources/pcapfile.h"

#include <pcap/pcap.h>
#include <stdlib.h>

#include "util/util.h"

struct pcapfile {
	pcap_t *p;
	struct bpf_program prog;
	int has_prog;
	int link;
	uint64_t frames;
};

struct pcapfile *pcapfile_open(const char *path, const char *filter, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapfile *pf = calloc(1, sizeof(*pf));

	if (!pf) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	pf->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pf->p) {
		fmt_buf(err, errsz, "%s", ebuf[0] ? ebuf : "cannot open");
		free(pf);
		return NULL;
	}
	pf->link = pcap_datalink(pf->p);
	if (filter && *filter) {
		/* applied per frame with pcap_offline_filter so numbering stays the file's */
		if (pcap_compile(pf->p, &pf->prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			fmt_buf(err, errsz, "bad filter '%s': %s", filter, pcap_geterr(pf->p));
			pcap_close(pf->p);
			free(pf);
			return NULL;
		}
		pf->has_prog = 1;
	}
	return pf;
}

int pcapfile_next(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(pf->p, &h, &d);

		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1,
				rc == PCAP_ERROR ? pcap_geterr(pf->p) : "unreadable record");
			return -1;
		}
		pf->frames++;
		if (pf->has_prog && !pcap_offline_filter(&pf->prog, h, d))
			continue;
		fr->data = d;
		fr->caplen = h->caplen;
		fr->wirelen = h->len;
		fr->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
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
	if (pf->has_prog)
		pcap_freecode(&pf->prog);
	pcap_close(pf->p);
	free(pf);
}
