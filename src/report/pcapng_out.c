/* pcapng_out: blocks in host byte order, options gathered before each block. */
#include "report/pcapng_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OPT_VALUE_MAX 65535u
/* blocks gather here and go to the stream in writes this large (fwrite
 * per field costs more than the copy of the frame) */
#define OUTBUF (1u << 20)

struct pcapng_out {
	FILE *f;
	uint8_t *ob;            /* blocks not yet written to f */
	size_t ob_len;
	int failed;             /* a write failed: errno was kept */
	int err;
	uint8_t *opts;          /* the next block's options */
	size_t opts_len, opts_cap;
	uint32_t n_ifaces;
	uint64_t blocks, bytes;
};

struct pcapng_out *pcapng_out_new(FILE *f)
{
	struct pcapng_out *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = f;
	w->ob = malloc(OUTBUF);
	if (!w->ob) {
		free(w);
		return NULL;
	}
	return w;
}

void pcapng_out_free(struct pcapng_out *w)
{
	if (!w)
		return;
	free(w->ob);
	free(w->opts);
	free(w);
}

int pcapng_out_flush(struct pcapng_out *w)
{
	if (!w->failed && w->ob_len && fwrite(w->ob, 1, w->ob_len, w->f) != w->ob_len) {
		w->failed = 1;
		w->err = errno ? errno : EIO;
	}
	w->ob_len = 0;
	if (w->failed)
		errno = w->err;
	return w->failed ? -1 : 0;
}

/* Append n bytes to the output. 0, or -1 (errno) once a write failed. */
static int put(struct pcapng_out *w, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (n > OUTBUF - w->ob_len && pcapng_out_flush(w))
		return -1;
	if (n >= OUTBUF) {
		if (fwrite(p, 1, n, w->f) != n) {
			w->failed = 1;
			w->err = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	memcpy(w->ob + w->ob_len, p, n);
	w->ob_len += n;
	return 0;
}

/* Room for n more option bytes, within the block cap. 0, or -1. */
static int opts_reserve(struct pcapng_out *w, size_t n)
{
	size_t cap = w->opts_cap ? w->opts_cap : 256;
	uint8_t *nb;

	if (n > PCAPNG_OUT_BLOCK_MAX - w->opts_len) {
		errno = EFBIG;
		return -1;
	}
	if (w->opts_len + n <= w->opts_cap)
		return 0;
	while (cap < w->opts_len + n)
		cap *= 2;
	nb = realloc(w->opts, cap);
	if (!nb)
		return -1;
	w->opts = nb;
	w->opts_cap = cap;
	return 0;
}

int pcapng_out_opt(struct pcapng_out *w, uint16_t code, const void *val, size_t len)
{
	size_t pad = (4 - len % 4) % 4;
	uint16_t l16 = (uint16_t)len;
	uint8_t *p;

	if (len > OPT_VALUE_MAX || code == 0) {
		errno = EINVAL;
		return -1;
	}
	if (opts_reserve(w, 4 + len + pad))
		return -1;
	p = w->opts + w->opts_len;
	memcpy(p, &code, 2);
	memcpy(p + 2, &l16, 2);
	if (len)
		memcpy(p + 4, val, len);
	memset(p + 4 + len, 0, pad);
	w->opts_len += 4 + len + pad;
	return 0;
}

int pcapng_out_comment(struct pcapng_out *w, const char *text)
{
	size_t left = strlen(text);

	while (left > OPT_VALUE_MAX) {
		size_t n = OPT_VALUE_MAX;

		/* end the option after a line, when one ends in its second half */
		while (n > OPT_VALUE_MAX / 2 && text[n - 1] != '\n')
			n--;
		if (n == OPT_VALUE_MAX / 2)
			n = OPT_VALUE_MAX;
		if (pcapng_out_opt(w, PCAPNG_OPT_COMMENT, text, n))
			return -1;
		text += n;
		left -= n;
	}
	return pcapng_out_opt(w, PCAPNG_OPT_COMMENT, text, left);
}

int pcapng_out_opts_raw(struct pcapng_out *w, const uint8_t *opts, size_t len)
{
	if (!len)
		return 0;
	if (len % 4) {
		errno = EINVAL;
		return -1;
	}
	if (opts_reserve(w, len))
		return -1;
	memcpy(w->opts + w->opts_len, opts, len);
	w->opts_len += len;
	return 0;
}

/* Write one block: type, total length, the fixed body, body2 padded to 32
 * bits, the gathered options (ended by opt_endofopt) and the length again. */
static int block(struct pcapng_out *w, uint32_t type, const void *body, size_t body_len,
		 const void *body2, size_t body2_len)
{
	static const uint8_t zero[8];
	size_t pad2 = (4 - body2_len % 4) % 4, ol = w->opts_len ? w->opts_len + 4 : 0;
	size_t total = 12 + body_len + body2_len + pad2 + ol;
	uint32_t t32 = (uint32_t)total;
	int rc = -1;

	if (body2_len > PCAPNG_OUT_BLOCK_MAX || total > PCAPNG_OUT_BLOCK_MAX) {
		errno = EFBIG;
		goto out;
	}
	if (w->failed) {
		errno = w->err;
		goto out;
	}
	if (put(w, &type, 4) || put(w, &t32, 4) || put(w, body, body_len) ||
	    put(w, body2, body2_len) || put(w, zero, pad2) || put(w, w->opts, w->opts_len) ||
	    put(w, zero, ol ? 4 : 0) || put(w, &t32, 4))
		goto out;
	w->blocks++;
	w->bytes += total;
	rc = 0;
out:
	w->opts_len = 0;
	return rc;
}

int pcapng_out_shb(struct pcapng_out *w)
{
	/* byte-order magic, version 1.0, section length unknown (-1) */
	struct { uint32_t magic; uint16_t major, minor; int64_t len; } __attribute__((packed))
		b = { 0x1A2B3C4D, 1, 0, -1 };

	w->n_ifaces = 0;
	return block(w, 0x0A0D0D0A, &b, sizeof(b), NULL, 0);
}

int pcapng_out_block(struct pcapng_out *w, uint32_t type, const void *body, size_t len)
{
	return block(w, type, NULL, 0, body, len);
}

long pcapng_out_idb(struct pcapng_out *w, uint16_t link, uint32_t snaplen)
{
	struct { uint16_t link, reserved; uint32_t snaplen; } b = { link, 0, snaplen };

	if (block(w, 1, &b, sizeof(b), NULL, 0))
		return -1;
	return (long)w->n_ifaces++;
}

int pcapng_out_epb(struct pcapng_out *w, uint32_t ifid, uint64_t ticks, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen)
{
	uint32_t b[5] = { ifid, (uint32_t)(ticks >> 32), (uint32_t)ticks, caplen, wirelen };

	if (ifid >= w->n_ifaces) {
		w->opts_len = 0;
		errno = EINVAL;
		return -1;
	}
	return block(w, 6, b, sizeof(b), data, caplen);
}

uint64_t pcapng_out_blocks(const struct pcapng_out *w)
{
	return w->blocks;
}

uint64_t pcapng_out_bytes(const struct pcapng_out *w)
{
	return w->bytes;
}
