/* annotate: verdict comments by frame number, and the pass that copies a
 * capture into an annotated pcapng. */
#include "report/annotate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/pcapng_out.h"
#include "sources/pcapfile.h"
#include "sources/pcapng.h"
#include "util/util.h"

#ifndef RSTSCOPE_VERSION
#define RSTSCOPE_VERSION "0.1.0"
#endif

struct note {
	uint64_t frame;
	uint32_t off, len;      /* the comment in the arena */
};

struct annot {
	struct note *notes;
	size_t n, cap;
	char *text;
	size_t text_len, text_cap;
	uint64_t dropped;
	int sorted;
};

struct annot *annot_new(void)
{
	return calloc(1, sizeof(struct annot));
}

void annot_free(struct annot *a)
{
	if (!a)
		return;
	free(a->notes);
	free(a->text);
	free(a);
}

void annot_clear(struct annot *a)
{
	a->n = 0;
	a->text_len = 0;
	a->dropped = 0;
	a->sorted = 0;
}

uint64_t annot_dropped(const struct annot *a)
{
	return a->dropped;
}

/* Append to buf at *len, within size; the text is cut at the end. */
#define APPEND(...) do { \
	if (len < size) \
		len += fmt_buf(buf + len, size - len, __VA_ARGS__); \
} while (0)

size_t annot_format(const struct rst_verdict *v, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	APPEND("rstscope: cause=%s kind=%s sender=%s forged=%s; cause: %s; sender %s: %s; shape: %s",
	       rst_cause_name[v->cause], rst_kind_name[v->kind], rst_role_name[v->sender_role],
	       rst_forged_name[v->forged], v->cause_evidence, rst_forged_name[v->forged],
	       v->forged_evidence, rst_shape_name[v->shape]);
	if (v->idle_gap_s >= 0)
		APPEND(" after %.3f s idle", v->idle_gap_s);
	if (v->bytes_in_flight)
		APPEND(", %" PRIu64 " bytes in flight", v->bytes_in_flight);
	if (v->cluster_size > 1)
		APPEND(", one of %u flows of this host reset together", v->cluster_size);
	if (v->http_method[0]) {
		APPEND("; context: HTTP %s%s", v->http_method,
		       v->http_request_unanswered ? " (unanswered)" : "");
		if (v->http_prior_requests)
			APPEND(" on a reused connection (%u earlier requests)", v->http_prior_requests);
		if (v->http_last_status)
			APPEND(", last status %u", v->http_last_status);
	}
	if (v->tls != TLS_NONE)
		APPEND("; context: TLS handshake %s",
		       v->tls == TLS_ESTABLISHED ? "completed" : "not completed");
	if (v->corr.n && v->corr.files && v->corr.self < v->corr.n) {
		APPEND("; seen in");
		for (unsigned i = 0; i < v->corr.n; i++)
			if (v->corr.seen >> i & 1)
				APPEND(" %s", v->corr.files[i]);
		if (v->corr.absent) {
			APPEND(", not in");
			for (unsigned i = 0; i < v->corr.n; i++)
				if (v->corr.absent >> i & 1)
					APPEND(" %s", v->corr.files[i]);
		}
	}
	/* one line: tshark -T fields prints a frame per line */
	for (size_t i = 0; buf[i]; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	return len < size ? len : size - 1;
}

int annot_add(struct annot *a, const struct rst_verdict *v)
{
	char c[ANNOT_COMMENT_MAX];
	size_t len;

	if (v->kernel_only || !v->frame)
		return 0;
	len = annot_format(v, c, sizeof(c));
	if (len > ANNOT_BYTES_MAX - a->text_len)
		goto drop;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 256;
		struct note *nn = realloc(a->notes, ncap * sizeof(*nn));

		if (!nn)
			goto drop;
		a->notes = nn;
		a->cap = ncap;
	}
	if (a->text_len + len > a->text_cap) {
		size_t ncap = a->text_cap ? a->text_cap : 65536;
		char *nt;

		while (ncap < a->text_len + len)
			ncap *= 2;
		nt = realloc(a->text, ncap);
		if (!nt)
			goto drop;
		a->text = nt;
		a->text_cap = ncap;
	}
	memcpy(a->text + a->text_len, c, len);
	a->notes[a->n++] = (struct note){ v->frame, (uint32_t)a->text_len, (uint32_t)len };
	a->text_len += len;
	a->sorted = 0;
	return 0;
drop:
	a->dropped++;
	return -1;
}

/* by frame, then in the order the verdicts came (the first one wins) */
static int note_cmp(const void *x, const void *y)
{
	const struct note *a = x, *b = y;

	if (a->frame != b->frame)
		return a->frame < b->frame ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

/* The comment for frame `frame`, walking the sorted notes with *cur. */
static const struct note *note_for(const struct annot *a, size_t *cur, uint64_t frame)
{
	while (*cur < a->n && a->notes[*cur].frame < frame)
		(*cur)++;
	return *cur < a->n && a->notes[*cur].frame == frame ? &a->notes[*cur] : NULL;
}

static int add_note(struct pcapng_out *w, const struct annot *a, const struct note *n)
{
	return pcapng_out_opt(w, PCAPNG_OPT_COMMENT, a->text + n->off, n->len);
}

/* The section header: the writing program and the diagnosis. */
static int write_shb(struct pcapng_out *w, const char *comment)
{
	static const char appl[] = "rstscope " RSTSCOPE_VERSION;

	if (pcapng_out_opt(w, PCAPNG_OPT_SHB_USERAPPL, appl, sizeof(appl) - 1))
		return -1;
	if (comment && *comment && pcapng_out_comment(w, comment))
		return -1;
	return pcapng_out_shb(w);
}

/* A packet block's own options that a copy keeps, in host byte order:
 * comments, epb_flags, epb_hash, epb_dropcount, epb_packetid, epb_queue,
 * epb_verdict; custom options are dropped. */
static int keep_epb_opts(struct pcapng_out *w, const struct pcapng *r, const struct pcapng_frame *fr)
{
	const uint8_t *p = fr->opts, *end = fr->opts + fr->opts_len, *val;
	uint16_t code, len;

	while (fr->opts && pcapng_opt_next(r, &p, end, &code, &val, &len) == 1) {
		uint8_t v[8];

		if (code > 7)
			continue;
		if ((code == 2 || code == 6) && len == 4) {
			uint32_t x;

			memcpy(&x, val, 4);
			x = pcapng_swapped(r) ? __builtin_bswap32(x) : x;
			memcpy(v, &x, 4);
			val = v;
		} else if ((code == 4 || code == 5) && len == 8) {
			uint64_t x;

			memcpy(&x, val, 8);
			x = pcapng_swapped(r) ? __builtin_bswap64(x) : x;
			memcpy(v, &x, 8);
			val = v;
		} else if (code == 2 || code == 4 || code == 5 || code == 6) {
			continue;   /* malformed integer: not copied */
		}
		if (pcapng_out_opt(w, code, val, len))
			return -1;
	}
	return 0;
}

/* Describe the section's interfaces the output has not seen yet. */
static int write_ifaces(struct pcapng_out *w, const struct pcapng *r, unsigned *done)
{
	struct pcapng_iface ifc;

	while (*done < pcapng_ifaces(r)) {
		if (pcapng_iface(r, *done, &ifc) || pcapng_out_opts_raw(w, ifc.opts, ifc.opts_len) ||
		    pcapng_out_idb(w, (uint16_t)ifc.link, ifc.snaplen) < 0)
			return -1;
		(*done)++;
	}
	return 0;
}

/* The other blocks of a pcapng input, copied in file order. */
struct others {
	struct pcapng_out *w;
	const struct pcapng *r;
	int failed;               /* a write failed: the copy stops */
	struct annot_result *res;
};

static uint16_t get16(const struct pcapng *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return pcapng_swapped(r) ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const struct pcapng *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return pcapng_swapped(r) ? __builtin_bswap32(v) : v;
}

/* Options [p, end) whose values are bytes or text, re-encoded; 0 or -1. */
static int copy_byte_opts(struct pcapng_out *w, const struct pcapng *r, const uint8_t *p,
			  const uint8_t *end)
{
	const uint8_t *val;
	uint16_t code, len;

	while (pcapng_opt_next(r, &p, end, &code, &val, &len) == 1)
		if (code < 2988 && pcapng_out_opt(w, code, val, len))
			return -1;
	return 0;
}

/* A name resolution block: records (type, length, value) up to the end
 * record, then options (names and addresses: bytes). 1 copied, 0 not, -1. */
static int copy_nrb(struct others *o, const uint8_t *b, size_t len)
{
	const uint8_t *p = b + 8, *end = b + len - 4;
	uint8_t *body = malloc(len), *q = body;
	int rc = 0;

	if (!body)
		return -1;
	for (;;) {
		uint16_t t, l;
		size_t padded;

		if (end - p < 4)
			goto out;           /* no end record: not copied */
		t = get16(o->r, p);
		l = get16(o->r, p + 2);
		padded = ((size_t)l + 3u) & ~(size_t)3u;
		if (padded > (size_t)(end - p) - 4)
			goto out;
		memcpy(q, &t, 2);
		memcpy(q + 2, &l, 2);
		memcpy(q + 4, p + 4, padded);
		q += 4 + padded;
		p += 4 + padded;
		if (t == 0)
			break;
	}
	rc = copy_byte_opts(o->w, o->r, p, end) ||
	     pcapng_out_block(o->w, 4, body, (size_t)(q - body)) ? -1 : 1;
out:
	free(body);
	return rc;
}

/* A decryption secrets block: type and length of the secrets, the secrets
 * (bytes), options. */
static int copy_dsb(struct others *o, const uint8_t *b, size_t len)
{
	uint32_t hdr[2];
	size_t padded;

	if (len < 20)
		return 0;
	hdr[0] = get32(o->r, b + 8);
	hdr[1] = get32(o->r, b + 12);
	padded = ((size_t)hdr[1] + 3u) & ~(size_t)3u;
	if (padded > len - 20)
		return 0;
	if (copy_byte_opts(o->w, o->r, b + 16 + padded, b + len - 4))
		return -1;
	{
		uint8_t *body = malloc(8 + padded);
		int rc;

		if (!body)
			return -1;
		memcpy(body, hdr, 8);
		memcpy(body + 8, b + 16, padded);
		rc = pcapng_out_block(o->w, 10, body, 8 + padded) ? -1 : 1;
		free(body);
		return rc;
	}
}

/* Copy what can be copied: name resolution, decryption secrets, systemd
 * journal entries (text), custom blocks that may be copied (opaque: only in
 * the host's byte order). Interface statistics (ISB) are dropped: they
 * describe the original capture's interfaces and counts. */
static void other_block(void *ctx, uint32_t type, const uint8_t *b, size_t len)
{
	struct others *o = ctx;
	int rc = 0;

	if (o->failed)
		return;
	if (type == 4)
		rc = copy_nrb(o, b, len);
	else if (type == 10)
		rc = copy_dsb(o, b, len);
	else if (type == 9 || (type == 0xBAD && !pcapng_swapped(o->r)))
		rc = pcapng_out_block(o->w, type, b + 8, len - 12) ? -1 : 1;
	if (rc < 0)
		o->failed = 1;
	else if (rc)
		o->res->blocks_copied++;
	else
		o->res->blocks_dropped++;
}

/* pcapng input: interfaces and their options as they are, one output
 * section (a later input section's interfaces follow the earlier ones). */
static int copy_pcapng(struct annot *a, FILE *in, struct pcapng_out *w, struct annot_result *res)
{
	struct pcapng *r = pcapng_new(in);
	struct pcapng_frame fr;
	unsigned section = 0, done = 0, base = 0;
	size_t cur = 0;
	int rc, ret = -1;
	struct others o = { .w = w, .r = r, .res = res };

	if (!r)
		return -1;
	pcapng_set_block_hook(r, other_block, &o);
	while ((rc = pcapng_next(r, &fr, res->why, sizeof(res->why))) == 1) {
		const struct note *n;

		if (fr.section != section) {
			section = fr.section;
			base += done;
			done = 0;
		}
		if (o.failed || write_ifaces(w, r, &done))
			goto out;
		n = note_for(a, &cur, ++res->frames);
		if (keep_epb_opts(w, r, &fr) || (n && add_note(w, a, n)) ||
		    pcapng_out_epb(w, base + fr.ifid, fr.ticks, fr.data, (uint32_t)fr.caplen,
				   (uint32_t)fr.wirelen))
			goto out;
		res->commented += n != NULL;
	}
	res->input_error = rc < 0;
	ret = o.failed || write_ifaces(w, r, &done) ? -1 : 0;   /* and interfaces after the last packet */
out:
	pcapng_free(r);
	return ret;
}

/* classic pcap input: one interface, ticks in the file's own unit */
static int copy_pcap(struct annot *a, const char *path, struct pcapng_out *w,
		     struct annot_result *res, char *err, size_t errsz)
{
	struct pcapfile *pf = pcapfile_open(path, NULL, err, errsz);
	struct pcapfile_header h;
	struct pcap_frame fr;
	size_t cur = 0;
	int rc, ret = -1;

	if (!pf)
		return -1;
	if (pcapfile_header(pf, &h)) {
		fmt_buf(err, errsz, "not a file rstscope can copy");
		goto out;
	}
	if ((h.nsec && pcapng_out_opt(w, PCAPNG_OPT_IF_TSRESOL, "\x09", 1)) ||
	    (h.fcs_len && pcapng_out_opt(w, PCAPNG_OPT_IF_FCSLEN, &h.fcs_len, 1)) ||
	    pcapng_out_idb(w, h.linktype, h.snaplen) < 0)
		goto write_error;
	while ((rc = pcapfile_next(pf, &fr, res->why, sizeof(res->why))) == 1) {
		const struct note *n = note_for(a, &cur, fr.number);
		uint64_t ticks = h.nsec ? (uint64_t)fr.ts_ns : (uint64_t)fr.ts_ns / 1000;

		if ((n && add_note(w, a, n)) ||
		    pcapng_out_epb(w, 0, ticks, fr.data, (uint32_t)fr.caplen, (uint32_t)fr.wirelen))
			goto write_error;
		res->frames++;
		res->commented += n != NULL;
	}
	res->input_error = rc < 0;
	ret = 0;
	goto out;
write_error:
	fmt_buf(err, errsz, "cannot write: %s", strerror(errno));
out:
	pcapfile_close(pf);
	return ret;
}

int annot_write(struct annot *a, const char *in_path, FILE *out, const char *shb_comment,
		struct annot_result *res, char *err, size_t errsz)
{
	struct pcapng_out *w = NULL;
	FILE *in = NULL;
	uint32_t magic = 0;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (!a->sorted) {
		if (a->n)
			qsort(a->notes, a->n, sizeof(*a->notes), note_cmp);
		a->sorted = 1;
	}
	in = fopen(in_path, "rb");
	if (!in) {
		fmt_buf(err, errsz, "cannot read again: %s", strerror(errno));
		return -1;
	}
	if (fread(&magic, 4, 1, in) != 1)
		magic = 0;
	rewind(in);
	w = pcapng_out_new(out);
	if (!w) {
		fmt_buf(err, errsz, "out of memory");
		goto out;
	}
	if (write_shb(w, shb_comment)) {
		fmt_buf(err, errsz, "cannot write: %s", strerror(errno));
		goto out;
	}
	if (magic == 0x0A0D0D0A) {
		if (copy_pcapng(a, in, w, res)) {
			fmt_buf(err, errsz, "cannot write: %s", strerror(errno));
			goto out;
		}
	} else if (copy_pcap(a, in_path, w, res, err, errsz)) {
		goto out;
	}
	if (pcapng_out_flush(w) || fflush(out)) {
		fmt_buf(err, errsz, "cannot write: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	pcapng_out_free(w);
	fclose(in);
	return ret;
}
