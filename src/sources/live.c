/* live: libpcap capture, live or from a file, with nanosecond timestamps. */
#include "sources/live.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct live {
	pcap_t *p;
	bool file;
	int link;
	char name[128];
	uint64_t frames;
	live_frame_fn fn;
	void *ctx;
};

static bool rights_error(int rc, const char *msg)
{
	return rc == PCAP_ERROR_PERM_DENIED ||
	       (msg && (strstr(msg, "ermission") || strstr(msg, "not permitted")));
}

static int set_filter(struct live *l, const char *filter, char *err, size_t errsz)
{
	struct bpf_program prog;

	if (pcap_compile(l->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
		fmt_buf(err, errsz, "bad filter '%s': %s", filter, pcap_geterr(l->p));
		return -1;
	}
	if (pcap_setfilter(l->p, &prog)) {
		fmt_buf(err, errsz, "cannot set filter '%s': %s", filter, pcap_geterr(l->p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

struct live *live_open(const struct live_opts *o, bool *no_rights, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct live *l = calloc(1, sizeof(*l));
	const char *dev = o->iface ? o->iface : "any";
	int rc;

	*no_rights = false;
	if (!l) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	if (o->file) {
		l->file = true;
		fmt_buf(l->name, sizeof(l->name), "%s", o->file);
		l->p = pcap_open_offline_with_tstamp_precision(o->file, PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (!l->p) {
			fmt_buf(err, errsz, "cannot open '%s': %s", o->file, ebuf);
			goto fail;
		}
	} else {
		fmt_buf(l->name, sizeof(l->name), "%s", dev);
		l->p = pcap_create(dev, ebuf);
		if (!l->p) {
			fmt_buf(err, errsz, "cannot capture on '%s': %s", dev, ebuf);
			goto fail;
		}
		pcap_set_snaplen(l->p, o->snaplen > 0 ? o->snaplen : 256);
		pcap_set_promisc(l->p, 0);
		pcap_set_immediate_mode(l->p, 1);
		pcap_set_buffer_size(l->p, (o->buffer_kb > 0 ? o->buffer_kb : 8192) * 1024);
		pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO);
		rc = pcap_activate(l->p);
		if (rc < 0) {
			*no_rights = rights_error(rc, pcap_geterr(l->p));
			fmt_buf(err, errsz, "cannot capture on '%s': %s", dev,
				rc == PCAP_ERROR ? pcap_geterr(l->p) : pcap_statustostr(rc));
			goto fail;
		}
		if (pcap_setnonblock(l->p, 1, ebuf)) {
			fmt_buf(err, errsz, "cannot capture on '%s': %s", dev, ebuf);
			goto fail;
		}
	}
	if (set_filter(l, o->filter ? o->filter : "tcp", err, errsz))
		goto fail;
	l->link = pcap_datalink(l->p);
	return l;
fail:
	live_close(l);
	return NULL;
}

void live_close(struct live *l)
{
	if (!l)
		return;
	if (l->p)
		pcap_close(l->p);
	free(l);
}

int live_fd(const struct live *l)
{
	return l->file ? -1 : pcap_get_selectable_fd(l->p);
}

int live_link(const struct live *l)
{
	return l->link;
}

const char *live_name(const struct live *l)
{
	return l->name;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live *l = (struct live *)user;

	l->frames++;
	l->fn(l->ctx, l->link, bytes, h->caplen,
	      (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec);
}

int live_dispatch(struct live *l, int max, live_frame_fn fn, void *ctx)
{
	int n;

	l->fn = fn;
	l->ctx = ctx;
	n = pcap_dispatch(l->p, max, on_packet, (u_char *)l);
	if (n == PCAP_ERROR_BREAK)
		return 0;
	if (n < 0)
		return -1;
	if (n == 0 && l->file)
		return -2;
	return n;
}

void live_stats(struct live *l, struct live_stats *s)
{
	struct pcap_stat ps;

	memset(s, 0, sizeof(*s));
	s->frames = l->frames;
	if (!l->file && pcap_stats(l->p, &ps) == 0) {
		s->received = ps.ps_recv;
		s->dropped = ps.ps_drop;
		s->ifdropped = ps.ps_ifdrop;
	}
}
