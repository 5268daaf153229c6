/* pcapng: blocks (SHB, IDB, EPB, SPB, obsolete PB) per the pcapng spec
 * (draft-ietf-opsawg-pcapng), each read whole and parsed in bounds. */
#include "sources/pcapng.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* the IDB options an interface's copy keeps, at most this many bytes */
#define IFACE_OPTS_MAX 4096u

struct iface {
	int link;
	uint32_t snaplen;
	uint64_t ts_num, ts_den;   /* seconds per tick = num / den */
	uint8_t *opts;             /* kept options, host byte order (malloc'd) */
	size_t opts_len;
};

struct pcapng {
	FILE *f;
	const uint8_t *mem;
	size_t mem_len, mem_off;
	uint8_t *buf;
	size_t cap;
	int swap, in_section;
	unsigned section;
	struct iface ifc[PCAPNG_IFACES_MAX];
	unsigned n_ifc;
	pcapng_block_fn hook;
	void *hook_ctx;
};

static uint32_t rd32(const struct pcapng *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct pcapng *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

struct pcapng *pcapng_new(FILE *f)
{
	struct pcapng *r = calloc(1, sizeof(*r));

	if (r)
		r->f = f;
	return r;
}

struct pcapng *pcapng_new_mem(const uint8_t *buf, size_t len)
{
	struct pcapng *r = calloc(1, sizeof(*r));

	if (r) {
		r->mem = buf;
		r->mem_len = len;
	}
	return r;
}

/* Forget the section's interfaces (a new section header starts). */
static void drop_ifaces(struct pcapng *r)
{
	unsigned n = r->n_ifc < PCAPNG_IFACES_MAX ? r->n_ifc : PCAPNG_IFACES_MAX;

	for (unsigned i = 0; i < n; i++) {
		free(r->ifc[i].opts);
		r->ifc[i].opts = NULL;
		r->ifc[i].opts_len = 0;
	}
	r->n_ifc = 0;
}

void pcapng_free(struct pcapng *r)
{
	if (!r)
		return;
	drop_ifaces(r);
	free(r->buf);
	free(r);
}

int pcapng_opt_next(const struct pcapng *r, const uint8_t **p, const uint8_t *end,
		    uint16_t *code, const uint8_t **val, uint16_t *len)
{
	const uint8_t *q = *p;
	size_t padded;

	if (q >= end || (size_t)(end - q) < 4)
		return 0;
	*code = rd16(r, q);
	*len = rd16(r, q + 2);
	if (*code == 0)
		return 0;
	padded = ((size_t)*len + 3u) & ~(size_t)3u;
	if (padded > (size_t)(end - q) - 4)
		return -1;
	*val = q + 4;
	*p = q + 4 + padded;
	return 1;
}

void pcapng_set_block_hook(struct pcapng *r, pcapng_block_fn fn, void *ctx)
{
	r->hook = fn;
	r->hook_ctx = ctx;
}

int pcapng_swapped(const struct pcapng *r)
{
	return r->swap;
}

unsigned pcapng_ifaces(const struct pcapng *r)
{
	return r->n_ifc < PCAPNG_IFACES_MAX ? r->n_ifc : PCAPNG_IFACES_MAX;
}

int pcapng_iface(const struct pcapng *r, unsigned i, struct pcapng_iface *out)
{
	if (i >= pcapng_ifaces(r))
		return -1;
	out->link = r->ifc[i].link;
	out->snaplen = r->ifc[i].snaplen;
	out->opts = r->ifc[i].opts;
	out->opts_len = r->ifc[i].opts_len;
	return 0;
}

/* Keep one IDB option for a copy, in host byte order: byte strings as they
 * are, integers (if_speed, if_tzone, if_tsoffset, if_txspeed, if_rxspeed)
 * swapped; custom and unknown options are dropped. */
static void keep_opt(struct iface *i, const struct pcapng *r, uint16_t code, const uint8_t *val,
		     uint16_t len)
{
	uint8_t v[8];
	size_t need = 4 + (((size_t)len + 3u) & ~(size_t)3u);

	if (code > 17 || (!i->opts && !(i->opts = malloc(IFACE_OPTS_MAX))))
		return;
	if (need > IFACE_OPTS_MAX - i->opts_len)
		return;
	if ((code == 8 || code == 14 || code == 16 || code == 17) && len == 8) {
		uint64_t x;

		memcpy(&x, val, 8);
		x = r->swap ? __builtin_bswap64(x) : x;
		memcpy(v, &x, 8);
		val = v;
	} else if (code == 10 && len == 4) {
		uint32_t x = rd32(r, val);

		memcpy(v, &x, 4);
		val = v;
	} else if (code == 8 || code == 10 || code == 14 || code == 16 || code == 17) {
		return;   /* a malformed integer option: not copied */
	}
	memcpy(i->opts + i->opts_len, &code, 2);
	memcpy(i->opts + i->opts_len + 2, &len, 2);
	memcpy(i->opts + i->opts_len + 4, val, len);
	memset(i->opts + i->opts_len + 4 + len, 0, need - 4 - len);
	i->opts_len += need;
}

/* Read n bytes; returns how many were read. */
static size_t input(struct pcapng *r, uint8_t *dst, size_t n)
{
	if (r->f)
		return fread(dst, 1, n, r->f);
	if (n > r->mem_len - r->mem_off)
		n = r->mem_len - r->mem_off;
	memcpy(dst, r->mem + r->mem_off, n);
	r->mem_off += n;
	return n;
}

/* The IDB's if_tsresol option (code 9) sets the tick; default microseconds. */
static void parse_idb(struct pcapng *r, const uint8_t *b, size_t len)
{
	struct iface *i;
	const uint8_t *p = b + 16, *end = b + len - 4, *val;
	uint16_t code, olen;

	if (r->n_ifc >= PCAPNG_IFACES_MAX) {
		r->n_ifc++;   /* counted; its packets will be refused */
		return;
	}
	i = &r->ifc[r->n_ifc++];
	i->link = rd16(r, b + 8);
	i->snaplen = rd32(r, b + 12);
	i->ts_num = 1;
	i->ts_den = 1000000;
	while (pcapng_opt_next(r, &p, end, &code, &val, &olen) == 1) {
		keep_opt(i, r, code, val, olen);
		if (code == 9 && olen >= 1) {
			uint8_t v = val[0];
			unsigned e = v & 0x7f;

			if (v & 0x80) {        /* 2^-e */
				i->ts_den = e < 63 ? 1ull << e : 1ull << 62;
			} else {               /* 10^-e */
				i->ts_den = 1;
				for (unsigned k = 0; k < e && k < 18; k++)
					i->ts_den *= 10;
			}
		}
	}
}

static int64_t ts_ns(const struct iface *i, uint64_t ticks)
{
	uint64_t sec = ticks / i->ts_den, rem = ticks % i->ts_den;

	return (int64_t)(sec * 1000000000ull + (uint64_t)((double)rem * 1e9 / (double)i->ts_den));
}

static int packet(struct pcapng *r, uint32_t type, const uint8_t *b, size_t len,
		  struct pcapng_frame *fr, char *err, size_t errsz)
{
	uint32_t ifid, caplen, wire, hdr;
	uint64_t ticks = 0;
	const struct iface *i;

	if (type == 3) {                    /* simple packet block: interface 0 */
		if (len < 16)
			goto short_block;
		ifid = 0;
		wire = rd32(r, b + 8);
		hdr = 12;
		caplen = (uint32_t)(len - 16);
		if (r->n_ifc && wire < caplen)
			caplen = wire;
		if (r->n_ifc && r->ifc[0].snaplen && caplen > r->ifc[0].snaplen)
			caplen = r->ifc[0].snaplen;
	} else {                            /* enhanced (6) or obsolete (2) */
		if (len < 32)
			goto short_block;
		ifid = type == 2 ? rd16(r, b + 8) : rd32(r, b + 8);
		ticks = (uint64_t)rd32(r, b + 12) << 32 | rd32(r, b + 16);
		caplen = rd32(r, b + 20);
		wire = rd32(r, b + 24);
		hdr = 28;
		if (caplen > len - 32) {
			fmt_buf(err, errsz, "a packet block claims %u captured bytes in a %zu-byte block",
				caplen, len);
			return -1;
		}
	}
	if (ifid >= r->n_ifc || ifid >= PCAPNG_IFACES_MAX) {
		fmt_buf(err, errsz, "a packet of interface %u, which was not described", ifid);
		return -1;
	}
	i = &r->ifc[ifid];
	fr->ifid = ifid;
	fr->section = r->section;
	fr->ticks = ticks;
	fr->opts = type == 3 ? NULL : b + hdr + (((size_t)caplen + 3u) & ~(size_t)3u);
	fr->opts_len = type == 3 ? 0 : len - 4 - (hdr + (((size_t)caplen + 3u) & ~(size_t)3u));
	fr->data = b + hdr;
	fr->caplen = caplen;
	fr->wirelen = wire;
	fr->link = i->link;
	fr->ts_ns = ts_ns(i, ticks);
	return 1;
short_block:
	fmt_buf(err, errsz, "a packet block of %zu bytes is too short", len);
	return -1;
}

/* Room for a block of len bytes (len <= PCAPNG_BLOCK_MAX). 0, or -1. */
static int reserve(struct pcapng *r, uint32_t len, char *err, size_t errsz)
{
	uint8_t *nb;

	if (len <= r->cap)
		return 0;
	nb = realloc(r->buf, len);
	if (!nb) {
		fmt_buf(err, errsz, "out of memory");
		return -1;
	}
	r->buf = nb;
	r->cap = len;
	return 0;
}

int pcapng_next(struct pcapng *r, struct pcapng_frame *fr, char *err, size_t errsz)
{
	for (;;) {
		uint8_t head[8];
		uint32_t type, len;
		size_t got = input(r, head, 8);

		if (got == 0)
			return 0;
		if (got < 8) {
			fmt_buf(err, errsz, "truncated block header");
			return -1;
		}
		memcpy(&type, head, 4);
		if (type == 0x0A0D0D0A) {           /* SHB: byte order from its magic */
			uint8_t bom[4];
			uint32_t m;

			if (input(r, bom, 4) < 4) {
				fmt_buf(err, errsz, "truncated section header");
				return -1;
			}
			memcpy(&m, bom, 4);
			if (m != 0x1A2B3C4D && m != 0x4D3C2B1A) {
				fmt_buf(err, errsz, "bad byte-order magic in a section header");
				return -1;
			}
			r->swap = m == 0x4D3C2B1A;
			r->in_section = 1;
			r->section++;
			drop_ifaces(r);             /* interfaces are per section */
			len = rd32(r, head + 4);
			if (len < 28 || len % 4 || len > PCAPNG_BLOCK_MAX) {
				fmt_buf(err, errsz, "bad section header length %u", len);
				return -1;
			}
			if (reserve(r, len, err, errsz))
				return -1;
			if (input(r, r->buf, len - 12) < len - 12) {
				fmt_buf(err, errsz, "truncated section header");
				return -1;
			}
			continue;
		}
		if (!r->in_section) {
			fmt_buf(err, errsz, "not a pcapng file (no section header)");
			return -1;
		}
		type = rd32(r, head);
		len = rd32(r, head + 4);
		if (len < 12 || len % 4 || len > PCAPNG_BLOCK_MAX) {
			fmt_buf(err, errsz, "bad block length %u", len);
			return -1;
		}
		if (reserve(r, len, err, errsz))
			return -1;
		memcpy(r->buf, head, 8);
		if (input(r, r->buf + 8, len - 8) < len - 8) {
			fmt_buf(err, errsz, "truncated block (type %u, %u bytes)", type, len);
			return -1;
		}
		if (rd32(r, r->buf + len - 4) != len) {
			fmt_buf(err, errsz, "block lengths disagree (type %u)", type);
			return -1;
		}
		if (type == 1) {
			if (len < 20) {
				fmt_buf(err, errsz, "interface block too short");
				return -1;
			}
			parse_idb(r, r->buf, len);
		} else if (type == 6 || type == 3 || type == 2) {
			return packet(r, type, r->buf, len, fr, err, errsz);
		} else if (r->hook) {
			r->hook(r->hook_ctx, type, r->buf, len);
		}
	}
}
