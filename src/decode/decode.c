/* decode: link layer -> (tunnels) -> IPv4/IPv6 -> TCP, bounds-checked.
 *
 * A cursor (p, len) only ever shrinks; every field is read through rd8/rd16/
 * rd32 after a length check. The outcome distinguishes frames cut by the
 * snap length (truncated) from headers that contradict themselves
 * (malformed). */
#include "decode/decode.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *const decode_result_name[DECODE__COUNT] = {
	[DECODE_OK] = "tcp",
	[DECODE_NOT_TCP] = "not-tcp",
	[DECODE_FRAGMENT] = "fragment",
	[DECODE_TRUNCATED] = "truncated",
	[DECODE_MALFORMED] = "malformed",
	[DECODE_UNSUPPORTED] = "unsupported",
};

#define MAX_TUNNEL_DEPTH 4
#define MAX_VLAN_TAGS 4
#define MAX_V6_EXT 8

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum decode_result dec_ip(const uint8_t *p, size_t len, int depth, struct tcp_view *v);
static enum decode_result dec_ether(const uint8_t *p, size_t len, int depth, struct tcp_view *v);

/* Dispatch on an Ethernet type. */
static enum decode_result dec_ethertype(uint16_t type, const uint8_t *p, size_t len,
					int depth, struct tcp_view *v)
{
	switch (type) {
	case 0x0800:
	case 0x86dd:
		return dec_ip(p, len, depth, v);
	default:
		return DECODE_NOT_TCP;
	}
}

static enum decode_result dec_ether(const uint8_t *p, size_t len, int depth, struct tcp_view *v)
{
	uint16_t type;
	int tags = 0;

	if (len < 14)
		return DECODE_TRUNCATED;
	type = rd16(p + 12);
	p += 14;
	len -= 14;
	/* 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag: 4 bytes each */
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (++tags > MAX_VLAN_TAGS)
			return DECODE_MALFORMED;
		if (len < 4)
			return DECODE_TRUNCATED;
		type = rd16(p + 2);
		p += 4;
		len -= 4;
	}
	if (type <= 1500)  /* an 802.3 length field: LLC, not IP */
		return DECODE_NOT_TCP;
	return dec_ethertype(type, p, len, depth, v);
}

/* GRE (RFC 2784/2890) carrying IP, Ethernet (0x6558) or ERSPAN I/II/III. */
static enum decode_result dec_gre(const uint8_t *p, size_t len, int depth, struct tcp_view *v)
{
	uint16_t fl, proto;
	size_t hl = 4;

	if (len < 4)
		return DECODE_TRUNCATED;
	fl = rd16(p);
	proto = rd16(p + 2);
	if ((fl & 0x0007) != 0)     /* version 1 is PPTP's enhanced GRE: PPP, not ours */
		return DECODE_NOT_TCP;
	if (fl & 0x4000)            /* RFC 1701 routing present: not read */
		return DECODE_UNSUPPORTED;
	if (fl & 0x8000) hl += 4;   /* checksum + reserved */
	if (fl & 0x2000) hl += 4;   /* key */
	if (fl & 0x1000) hl += 4;   /* sequence number */
	if (len < hl)
		return DECODE_TRUNCATED;
	p += hl;
	len -= hl;
	switch (proto) {
	case 0x0800:
	case 0x86dd:
		return dec_ip(p, len, depth, v);
	case 0x6558:
		return dec_ether(p, len, depth, v);
	case 0x88be:                /* ERSPAN type II has an 8-byte header; type I (no S bit) none */
		if (fl & 0x1000) {
			if (len < 8)
				return DECODE_TRUNCATED;
			p += 8;
			len -= 8;
		}
		return dec_ether(p, len, depth, v);
	case 0x22eb:                /* ERSPAN type III: 12 bytes, +8 with the O bit */
		if (len < 12)
			return DECODE_TRUNCATED;
		hl = (p[11] & 0x01) ? 20 : 12;
		if (len < hl)
			return DECODE_TRUNCATED;
		return dec_ether(p + hl, len - hl, depth, v);
	default:
		return DECODE_NOT_TCP;
	}
}

/* TCP options (RFC 9293 3.1): a malformed option list ends option parsing
 * but does not make the segment malformed; the header length already bounds it. */
static void dec_tcp_options(const uint8_t *o, size_t n, struct tcp_view *v)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = o[i], olen;

		if (kind == 0)            /* end of option list */
			return;
		if (kind == 1) {          /* no-op */
			i++;
			continue;
		}
		if (i + 1 >= n)
			return;
		olen = o[i + 1];
		if (olen < 2 || i + olen > n)
			return;
		switch (kind) {
		case 2:
			if (olen == 4) v->mss = rd16(o + i + 2);
			break;
		case 3:
			if (olen == 3) v->wscale = (int8_t)(o[i + 2] > 14 ? 14 : o[i + 2]);
			break;
		case 4:
			v->sack_ok = true;
			break;
		case 8:
			if (olen == 10) {
				v->has_ts = true;
				v->tsval = rd32(o + i + 2);
				v->tsecr = rd32(o + i + 6);
			}
			break;
		default:
			break;
		}
		i += olen;
	}
}

/* `seglen` is the TCP segment length the IP header claims; `len` what was captured. */
static enum decode_result dec_tcp(const uint8_t *p, size_t len, size_t seglen, struct tcp_view *v)
{
	size_t doff;

	if (len < 20)
		return seglen < 20 ? DECODE_MALFORMED : DECODE_TRUNCATED;
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < 20 || doff > seglen)       /* RFC 9293 3.1: data offset counts 32-bit words, at least 5 */
		return DECODE_MALFORMED;
	if (doff > len)
		return DECODE_TRUNCATED;
	v->sport = rd16(p);
	v->dport = rd16(p + 2);
	v->seq = rd32(p + 4);
	v->ack = rd32(p + 8);
	v->reserved = p[12] & 0x0f;
	v->flags = p[13];
	v->win = rd16(p + 14);
	v->mss = 0;
	v->wscale = -1;
	v->sack_ok = v->has_ts = false;
	v->tsval = v->tsecr = 0;
	if (doff > 20)
		dec_tcp_options(p + 20, doff - 20, v);
	v->payload = p + doff;
	v->payload_len = (uint32_t)(seglen - doff);
	v->payload_cap = (uint32_t)((len < seglen ? len : seglen) - doff);
	tcp_view_fill_derived(v);
	return DECODE_OK;
}

void tcp_view_fill_derived(struct tcp_view *v)
{
	v->seq_end = v->seq + v->payload_len + !!(v->flags & TH_SYN) + !!(v->flags & TH_FIN);
	if (v->payload_cap)
		memcpy(v->head, v->payload,
		       v->payload_cap < TCP_VIEW_HEAD ? v->payload_cap : TCP_VIEW_HEAD);
}

/* An upper-layer protocol inside IPv4/IPv6. */
static enum decode_result dec_l4(uint8_t proto, const uint8_t *p, size_t len, size_t claimed,
				 int depth, struct tcp_view *v)
{
	size_t cap = len < claimed ? len : claimed;

	switch (proto) {
	case 6:
		return dec_tcp(p, len, claimed, v);
	case 4:     /* IP-in-IP */
	case 41:    /* IPv6-in-IP */
		if (depth >= MAX_TUNNEL_DEPTH)
			return DECODE_UNSUPPORTED;
		v->tunnel_depth = (uint8_t)(depth + 1);
		return dec_ip(p, cap, depth + 1, v);
	case 47:
		if (depth >= MAX_TUNNEL_DEPTH)
			return DECODE_UNSUPPORTED;
		v->tunnel_depth = (uint8_t)(depth + 1);
		return dec_gre(p, cap, depth + 1, v);
	default:
		return DECODE_NOT_TCP;
	}
}

/* ::ffff:a.b.c.d, written as two 8-byte words: the tuple hash reads the
 * address as two words right after, and a load that spans several
 * smaller stores cannot be forwarded from them (a stall of some 15
 * cycles each on x86). */
static void map_v4(struct ipaddr *a, const uint8_t *p)
{
	uint8_t hi[8] = { 0, 0, 0xff, 0xff, p[0], p[1], p[2], p[3] };
	const uint64_t lo = 0;
	uint64_t w;

	memcpy(&w, hi, 8);
	memcpy(a->b, &lo, 8);
	memcpy(a->b + 8, &w, 8);
}

static enum decode_result dec_ipv4(const uint8_t *p, size_t len, int depth, struct tcp_view *v)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return DECODE_TRUNCATED;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20)                        /* RFC 791: IHL is at least 5 words */
		return DECODE_MALFORMED;
	if (len < ihl)
		return DECODE_TRUNCATED;
	tot = rd16(p + 2);
	if (tot == 0)                        /* TSO/GSO on the capturing host: length left 0 */
		tot = len;
	if (tot < ihl)
		return DECODE_MALFORMED;
	frag = rd16(p + 6);
	map_v4(&v->src, p + 12);
	map_v4(&v->dst, p + 16);
	v->ipver = 4;
	v->ttl = p[8];
	v->ipid = rd16(p + 4);
	v->df = (frag & 0x4000) != 0;
	if (frag & 0x3fff)                   /* MF set or a non-zero offset */
		return DECODE_FRAGMENT;
	return dec_l4(p[9], p + ihl, len - ihl, tot - ihl, depth, v);
}

static enum decode_result dec_ipv6(const uint8_t *p, size_t len, int depth, struct tcp_view *v)
{
	size_t plen, off = 40;
	uint8_t nh;

	if (len < 40)
		return DECODE_TRUNCATED;
	plen = rd16(p + 4);
	if (plen == 0)                       /* jumbogram or TSO: trust the capture */
		plen = len - 40;
	nh = p[6];
	memcpy(v->src.b, p + 8, 16);
	memcpy(v->dst.b, p + 24, 16);
	v->ipver = 6;
	v->ttl = p[7];
	v->ipid = 0;
	v->df = false;
	for (int i = 0; i < MAX_V6_EXT; i++) {
		size_t el;

		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
			if (len < off + 2)
				return DECODE_TRUNCATED;
			el = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51:  /* AH: length in 4-byte units minus 2 (RFC 4302) */
			if (len < off + 2)
				return DECODE_TRUNCATED;
			el = ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44:  /* fragment (RFC 8200 4.5) */
			if (len < off + 8)
				return DECODE_TRUNCATED;
			if ((rd16(p + off + 2) & 0xfff9) != 0)  /* offset or M set: a real fragment */
				return DECODE_FRAGMENT;
			el = 8;  /* an atomic fragment: the whole datagram */
			break;
		default:
			if (off - 40 > plen)
				return DECODE_MALFORMED;
			return dec_l4(nh, p + off, len - off, plen - (off - 40), depth, v);
		}
		nh = p[off];
		off += el;
		if (off - 40 > plen)
			return DECODE_MALFORMED;
		if (off > len)
			return DECODE_TRUNCATED;
	}
	return DECODE_UNSUPPORTED;
}

static enum decode_result dec_ip(const uint8_t *p, size_t len, int depth, struct tcp_view *v)
{
	if (len < 1)
		return DECODE_TRUNCATED;
	switch (p[0] >> 4) {
	case 4:
		return dec_ipv4(p, len, depth, v);
	case 6:
		return dec_ipv6(p, len, depth, v);
	default:
		return DECODE_MALFORMED;
	}
}

bool decode_link_supported(int link)
{
	switch (link) {
	case LINK_NULL: case LINK_ETHERNET: case LINK_RAW: case LINK_LOOP:
	case LINK_RAW_IP: case LINK_SLL: case LINK_IPV4: case LINK_IPV6: case LINK_SLL2:
	case 14: /* DLT_RAW on OpenBSD */
		return true;
	default:
		return false;
	}
}

enum decode_result decode_frame(int link, const uint8_t *f, size_t len, struct tcp_view *v)
{
	uint32_t af;

	v->tunnel_depth = 0;
	switch (link) {
	case LINK_ETHERNET:
		return dec_ether(f, len, 0, v);
	case LINK_RAW: case LINK_RAW_IP: case 14: case LINK_IPV4: case LINK_IPV6:
		return dec_ip(f, len, 0, v);
	case LINK_SLL:   /* 16-byte Linux cooked header, protocol at 14 */
		if (len < 16)
			return DECODE_TRUNCATED;
		return dec_ethertype(rd16(f + 14), f + 16, len - 16, 0, v);
	case LINK_SLL2:  /* 20-byte header, protocol first */
		if (len < 20)
			return DECODE_TRUNCATED;
		return dec_ethertype(rd16(f), f + 20, len - 20, 0, v);
	case LINK_NULL:
	case LINK_LOOP:
		if (len < 4)
			return DECODE_TRUNCATED;
		/* the family is in the writer's byte order for NULL: accept both */
		af = link == LINK_LOOP ? rd32(f) : (uint32_t)f[0] | (uint32_t)f[1] << 8 |
						   (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
		if (link == LINK_NULL && af > 0xffff)
			af = rd32(f);
		if (af == 2 || af == 24 || af == 28 || af == 30)
			return dec_ip(f + 4, len - 4, 0, v);
		return DECODE_NOT_TCP;
	default:
		return DECODE_UNSUPPORTED;
	}
}

bool ipaddr_is_v4(const struct ipaddr *a)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->b, pre, 12) == 0;
}

const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t size)
{
	if (ipaddr_is_v4(a)) {
		/* inet_ntop's dotted quad (nothing when it does not fit), without
		 * its printf */
		char q[INET_ADDRSTRLEN], *p = q;

		for (int i = 12; i < 16; i++) {
			unsigned o = a->b[i];

			if (o >= 100)
				*p++ = (char)('0' + o / 100);
			if (o >= 10)
				*p++ = (char)('0' + o / 10 % 10);
			*p++ = (char)('0' + o % 10);
			*p++ = i < 15 ? '.' : '\0';
		}
		if ((size_t)(p - q) <= size)
			memcpy(buf, q, (size_t)(p - q));
		else if (size)
			buf[0] = '\0';
	} else if (!inet_ntop(AF_INET6, a->b, buf, (socklen_t)size)) {
		buf[0] = '\0';
	}
	return buf;
}
