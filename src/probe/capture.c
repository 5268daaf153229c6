/* probe/capture: the TTL (hop limit) of every segment the target sends to
 * the probe's ports, through libpcap on any interface. Passive: it sends
 * nothing. Needs CAP_NET_RAW; without it the sender of a death is unknown. */
#include "probe/internal.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "util/util.h"

#define CAPTURE_MAX 8192  /* segments kept; later ones are dropped */

struct seg {
	uint16_t lport;
	uint8_t ttl, flags;
};

struct probe_capture {
	pcap_t *p;
	int link;
	size_t n;
	struct seg segs[CAPTURE_MAX];
};

struct probe_capture *probe_capture_open(const struct probe_target *t, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", host[64], filter[160];
	struct bpf_program prog;
	struct probe_capture *c;
	unsigned port;
	int rc;

	if (t->sa.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&t->sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&t->sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		fmt_buf(err, errsz, "no memory");
		return NULL;
	}
	c->p = pcap_create("any", ebuf);
	if (!c->p) {
		fmt_buf(err, errsz, "libpcap: %s", ebuf);
		goto fail;
	}
	pcap_set_snaplen(c->p, 128);
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_timeout(c->p, 10);
	rc = pcap_activate(c->p);
	if (rc < 0) {
		fmt_buf(err, errsz, "no capture (%s%s)", pcap_statustostr(rc),
			rc == PCAP_ERROR_PERM_DENIED ? ": needs CAP_NET_RAW" : "");
		goto fail;
	}
	fmt_buf(filter, sizeof(filter), "tcp and src host %s and src port %u", host, port);
	if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) ||
	    pcap_setfilter(c->p, &prog)) {
		fmt_buf(err, errsz, "libpcap filter '%s': %s", filter, pcap_geterr(c->p));
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(c->p, 1, ebuf)) {
		fmt_buf(err, errsz, "libpcap: %s", ebuf);
		goto fail;
	}
	c->link = pcap_datalink(c->p);
	return c;
fail:
	probe_capture_free(c);
	return NULL;
}

void probe_capture_free(struct probe_capture *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c);
}

int probe_capture_fd(const struct probe_capture *c)
{
	return c ? pcap_get_selectable_fd(c->p) : -1;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct probe_capture *c = (struct probe_capture *)user;
	struct tcp_view v;

	if (c->n >= CAPTURE_MAX || decode_frame(c->link, bytes, h->caplen, &v) != DECODE_OK)
		return;
	c->segs[c->n++] = (struct seg){ .lport = v.dport, .ttl = v.ttl, .flags = v.flags };
}

void probe_capture_drain(struct probe_capture *c)
{
	/* bounded: at most 64 batches per call */
	for (int i = 0; c && i < 64; i++)
		if (pcap_dispatch(c->p, 256, on_frame, (u_char *)c) <= 0)
			break;
}

int probe_capture_ttl(const struct probe_capture *c, uint16_t lport, uint8_t flags)
{
	for (size_t i = c ? c->n : 0; i-- > 0;)
		if (c->segs[i].lport == lport && (c->segs[i].flags & flags))
			return c->segs[i].ttl;
	return -1;
}

unsigned probe_capture_baseline(const struct probe_capture *c, bool set[256])
{
	unsigned n = 0;

	memset(set, 0, 256 * sizeof(bool));
	for (size_t i = 0; c && i < c->n; i++) {
		if (c->segs[i].flags & (TH_RST | TH_FIN))
			continue;
		if (!set[c->segs[i].ttl])
			n++;
		set[c->segs[i].ttl] = true;
	}
	return n;
}
