/* decode: one captured frame -> a small view of its TCP segment.
 *
 * Zero copy: the view points into the caller's bytes, which must outlive it.
 * Every read is bounds-checked against the captured length; a frame cut by
 * the snap length is DECODE_TRUNCATED, one whose headers contradict
 * themselves is DECODE_MALFORMED. Tunnels (IP-in-IP, IPv6-in-IPv4, GRE,
 * ERSPAN) are followed and the innermost TCP header is reported. */
#ifndef RSTSCOPE_DECODE_H
#define RSTSCOPE_DECODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libpcap DLT values we accept (values from pcap/dlt.h, stable ABI). */
enum {
	LINK_NULL = 0,        /* BSD loopback, host-order AF */
	LINK_ETHERNET = 1,
	LINK_RAW = 12,        /* DLT_RAW on most platforms */
	LINK_LOOP = 108,      /* OpenBSD loopback, network-order AF */
	LINK_RAW_IP = 101,    /* LINKTYPE_RAW */
	LINK_SLL = 113,
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_SLL2 = 276,
};

enum decode_result {
	DECODE_OK = 0,        /* a TCP segment; view filled */
	DECODE_NOT_TCP,       /* ARP, UDP, ICMP, ...: not ours, not an error */
	DECODE_FRAGMENT,      /* an IP fragment: counted, never parsed as TCP */
	DECODE_TRUNCATED,     /* cut by the snap length before the TCP header ended */
	DECODE_MALFORMED,     /* headers that contradict themselves */
	DECODE_UNSUPPORTED,   /* a link type or encapsulation we do not read */
	DECODE__COUNT
};
extern const char *const decode_result_name[DECODE__COUNT];

/* TCP flags (RFC 9293 3.1). */
enum {
	TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08,
	TH_ACK = 0x10, TH_URG = 0x20, TH_ECE = 0x40, TH_CWR = 0x80,
};

/* An IPv4 address is stored v4-mapped (::ffff:a.b.c.d) so that both
 * families compare and hash alike. */
struct ipaddr {
	uint8_t b[16];
};

#define TCP_VIEW_HEAD 12
struct tcp_view {
	struct ipaddr src, dst;
	uint8_t ipver;          /* 4 or 6 (of the innermost header) */
	uint8_t ttl;            /* TTL or hop limit */
	uint8_t tunnel_depth;   /* 0: not tunnelled */
	bool df;                /* IPv4 don't-fragment */
	uint16_t ipid;          /* IPv4 ID (0 for IPv6) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t reserved;       /* the 4 reserved header bits (RFC 9293: must be 0) */
	uint16_t win;
	/* options (RFC 7323, 2018, 879) */
	uint16_t mss;           /* 0 when absent */
	int8_t wscale;          /* -1 when absent */
	bool sack_ok, has_ts;
	uint32_t tsval, tsecr;
	/* payload: len is the length the IP header claims; cap is what was captured */
	const uint8_t *payload;
	uint32_t payload_len;
	uint32_t payload_cap;
	/* the first min(payload_cap, TCP_VIEW_HEAD) payload bytes, copied: what
	 * reads only a segment's first bytes need not touch the frame (decoded
	 * on another thread, the frame is in another core's cache) */
	uint8_t head[TCP_VIEW_HEAD];
	/* the sequence number after the segment: seq + payload_len, + 1 for a
	 * SYN, + 1 for a FIN (computed where the rest is decoded) */
	uint32_t seq_end;
};

/* Decode one frame of link type `link` with `caplen` captured bytes.
 * Returns DECODE_OK with *v filled, or why not. Never reads past caplen. */
enum decode_result decode_frame(int link, const uint8_t *frame, size_t caplen,
				struct tcp_view *v);

/* Is link type `link` one decode_frame() reads? */
bool decode_link_supported(int link);
/* Fill what v's other fields give: v->head (its first payload bytes)
 * and v->seq_end (decode_frame does; a view built by hand needs it). */
void tcp_view_fill_derived(struct tcp_view *v);

/* Format an address ("192.0.2.1" or "2001:db8::1") into buf (>= 46 bytes). */
const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t size);
bool ipaddr_is_v4(const struct ipaddr *a);

#endif
