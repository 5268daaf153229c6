/* Unit tests of the frame decoder: link types, VLANs, tunnels, IPv6
 * extension headers, TCP options, and truncated versus malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "unit.h"

static size_t put_ipv4(uint8_t *p, uint8_t proto, size_t payload, uint8_t ttl, int ihl_words)
{
	size_t hl = (size_t)ihl_words * 4, tot = hl + payload;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | ihl_words);
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[4] = 0x12;
	p[5] = 0x34;
	p[6] = 0x40;           /* DF */
	p[8] = ttl;
	p[9] = proto;
	p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 1;
	p[16] = 198; p[17] = 51; p[18] = 100; p[19] = 2;
	return hl;
}

/* A TCP header with MSS, SACK-permitted, timestamps and window scale. */
static size_t put_tcp(uint8_t *p, uint8_t flags, size_t doff_words)
{
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9,
					1, 3, 3, 7 };

	memset(p, 0, doff_words * 4);
	p[0] = 0x9c; p[1] = 0x40;  /* 40000 */
	p[2] = 0; p[3] = 80;
	p[4] = 0; p[5] = 0; p[6] = 0x10; p[7] = 0;  /* seq 4096 */
	p[12] = (uint8_t)(doff_words << 4);
	p[13] = flags;
	if (doff_words * 4 >= 20 + sizeof(opts))
		memcpy(p + 20, opts, sizeof(opts));
	return doff_words * 4;
}

static void eth(uint8_t *f, uint16_t type)
{
	memset(f, 0, 12);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
}

static void test_ipv4_options(void)
{
	uint8_t f[128];
	struct tcp_view v;
	size_t n = 14;

	eth(f, 0x0800);
	n += put_ipv4(f + n, 6, 40 + 4, 57, 6);      /* IHL 6: 4 bytes of options */
	n += put_tcp(f + n, TH_RST | TH_ACK, 10);
	memcpy(f + n, "bye!", 4);
	n += 4;
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_OK);
	CHECK_EQ_INT(v.ttl, 57);
	CHECK_EQ_INT(v.sport, 40000);
	CHECK_EQ_INT(v.dport, 80);
	CHECK_EQ_INT(v.seq, 4096);
	CHECK_EQ_INT(v.flags, TH_RST | TH_ACK);
	CHECK_EQ_INT(v.mss, 1460);
	CHECK(v.sack_ok && v.has_ts);
	CHECK_EQ_INT(v.tsval, 7);
	CHECK_EQ_INT(v.wscale, 7);
	CHECK_EQ_INT(v.payload_len, 4);
	CHECK_EQ_INT(v.ipid, 0x1234);
	/* the same frame cut inside the TCP options: truncated, not malformed */
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, 14 + 24 + 25, &v), DECODE_TRUNCATED);
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, 0, &v), DECODE_TRUNCATED);
	/* IHL 4 (< 5) and a data offset of 4: malformed */
	f[14] = 0x44;
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_MALFORMED);
	f[14] = 0x46;
	f[14 + 24 + 12] = 0x40;
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_MALFORMED);
}

static void test_vlan_qinq_fragment(void)
{
	uint8_t f[128];
	struct tcp_view v;
	size_t n = 12;

	memset(f, 0, sizeof(f));
	f[n++] = 0x88; f[n++] = 0xa8; f[n++] = 0; f[n++] = 10;  /* 802.1ad */
	f[n++] = 0x81; f[n++] = 0x00; f[n++] = 0; f[n++] = 20;  /* 802.1Q */
	f[n++] = 0x08; f[n++] = 0x00;
	n += put_ipv4(f + n, 6, 20, 64, 5);
	n += put_tcp(f + n, TH_SYN, 5);
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_OK);
	CHECK_EQ_INT(v.flags, TH_SYN);
	f[22 + 6] |= 0x20;  /* MF: a fragment is counted, never parsed */
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_FRAGMENT);
}

static void test_tunnels(void)
{
	uint8_t f[160];
	struct tcp_view v;
	size_t n = 14;

	/* GRE with key and sequence carrying IPv4/TCP */
	eth(f, 0x0800);
	n += put_ipv4(f + n, 47, 12 + 20 + 20, 250, 5);
	memset(f + n, 0, 12);
	f[n] = 0x30;             /* K and S */
	f[n + 2] = 0x08;         /* IPv4 */
	n += 12;
	n += put_ipv4(f + n, 6, 20, 61, 5);
	n += put_tcp(f + n, TH_RST, 5);
	CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_OK);
	CHECK_EQ_INT(v.ttl, 61);                 /* the inner header's */
	CHECK_EQ_INT(v.tunnel_depth, 1);
	/* IP-in-IP, raw IP link */
	n = put_ipv4(f, 4, 40, 200, 5);
	n += put_ipv4(f + n, 6, 20, 33, 5);
	n += put_tcp(f + n, TH_RST, 5);
	CHECK_EQ_INT(decode_frame(LINK_RAW_IP, f, n, &v), DECODE_OK);
	CHECK_EQ_INT(v.ttl, 33);
}

static void test_ipv6_ext_and_cooked(void)
{
	uint8_t f[160];
	struct tcp_view v;
	size_t n = 16;
	char buf[64];

	memset(f, 0, sizeof(f));
	f[14] = 0x86; f[15] = 0xdd;              /* Linux cooked v1: protocol at 14 */
	f[n] = 0x60;
	f[n + 4] = 0; f[n + 5] = 8 + 20;         /* payload: hop-by-hop + TCP */
	f[n + 6] = 0;                            /* next: hop-by-hop */
	f[n + 7] = 58;
	f[n + 8] = 0x20; f[n + 9] = 0x01; f[n + 10] = 0x0d; f[n + 11] = 0xb8; f[n + 23] = 1;
	f[n + 24] = 0x20; f[n + 25] = 0x01; f[n + 26] = 0x0d; f[n + 27] = 0xb8; f[n + 39] = 2;
	n += 40;
	f[n] = 6;                                /* hop-by-hop, next TCP, 8 bytes */
	n += 8;
	n += put_tcp(f + n, TH_RST, 5);
	CHECK_EQ_INT(decode_frame(LINK_SLL, f, n, &v), DECODE_OK);
	CHECK_EQ_INT(v.ipver, 6);
	CHECK_EQ_INT(v.ttl, 58);
	CHECK_EQ_STR(ipaddr_str(&v.src, buf, sizeof(buf)), "2001:db8::1");
	CHECK_EQ_INT(decode_frame(LINK_SLL, f, 16 + 40 + 4, &v), DECODE_TRUNCATED);
	CHECK(!decode_link_supported(147));
	CHECK_EQ_INT(decode_frame(147, f, n, &v), DECODE_UNSUPPORTED);
}

/* Drawn IPv4 addresses land as ::ffff:a.b.c.d, every byte of the 16
 * written (the view is filled with other bytes first), in either link
 * type that carries them. */
static void test_ipv4_addresses(unsigned seed)
{
	uint8_t f[128];
	struct tcp_view v;

	srand(seed);
	for (int k = 0; k < 2000; k++) {
		uint8_t a[4], b[4], want[16] = { [10] = 0xff, [11] = 0xff };
		char buf[64], q[24];
		bool raw = k & 1;
		size_t n = raw ? 0 : 14, l3;

		for (int i = 0; i < 4; i++) {
			a[i] = (uint8_t)rand();
			b[i] = (uint8_t)rand();
		}
		if (!raw)
			eth(f, 0x0800);
		l3 = n;
		n += put_ipv4(f + n, 6, 20, 64, 5);
		memcpy(f + l3 + 12, a, 4);
		memcpy(f + l3 + 16, b, 4);
		n += put_tcp(f + n, TH_ACK, 5);
		memset(&v, 0xa5, sizeof(v));
		CHECK_EQ_INT(decode_frame(raw ? LINK_RAW : LINK_ETHERNET, f, n, &v), DECODE_OK);
		memcpy(want + 12, a, 4);
		CHECK(!memcmp(v.src.b, want, 16));
		memcpy(want + 12, b, 4);
		CHECK(!memcmp(v.dst.b, want, 16));
		CHECK(ipaddr_is_v4(&v.src) && ipaddr_is_v4(&v.dst));
		snprintf(q, sizeof(q), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		CHECK_EQ_STR(ipaddr_str(&v.src, buf, sizeof(buf)), q);
	}
}

/* seq_end: seq + payload + 1 for a SYN + 1 for a FIN, modulo 2^32 */
static void test_seq_end(void)
{
	static const uint8_t flags[] = { TH_ACK, TH_SYN, TH_SYN | TH_ACK, TH_FIN | TH_ACK,
					 TH_SYN | TH_FIN, TH_RST, TH_PSH | TH_ACK | TH_FIN };

	for (unsigned k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
		for (unsigned len = 0; len <= 40; len += 13)
			for (int wrap = 0; wrap < 2; wrap++) {
				uint8_t f[160];
				struct tcp_view v;
				size_t n = 14;
				uint32_t seq = wrap ? 0xfffffff0u : 4096, want;

				eth(f, 0x0800);
				n += put_ipv4(f + n, 6, 20 + len, 64, 5);
				put_tcp(f + n, flags[k], 5);
				f[n + 4] = (uint8_t)(seq >> 24), f[n + 5] = (uint8_t)(seq >> 16);
				f[n + 6] = (uint8_t)(seq >> 8), f[n + 7] = (uint8_t)seq;
				n += 20;
				memset(f + n, 'x', len);
				n += len;
				want = seq + len + !!(flags[k] & TH_SYN) + !!(flags[k] & TH_FIN);
				CHECK_EQ_INT(decode_frame(LINK_ETHERNET, f, n, &v), DECODE_OK);
				CHECK_EQ_INT(v.payload_len, len);
				CHECK_EQ_INT(v.seq_end, want);
			}
}

int main(void)
{
	test_seq_end();
	unsigned seed = (unsigned)time(NULL);

	if (getenv("SEED"))
		seed = (unsigned)strtoul(getenv("SEED"), NULL, 10);
	printf("decode_test: seed %u (SEED=%u reproduces)\n", seed, seed);
	test_ipv4_addresses(seed);
	test_ipv4_options();
	test_vlan_qinq_fragment();
	test_tunnels();
	test_ipv6_ext_and_cooked();
	return unit_done("decode_test");
}
