/* pcapng_out: a pcapng writer (draft-ietf-opsawg-pcapng) for one section in
 * host byte order: a section header with comments, interface descriptions
 * and enhanced packet blocks with options. A block's options are gathered
 * in a buffer first, so its length is known before its first byte is
 * written; a block longer than PCAPNG_OUT_BLOCK_MAX is refused, never cut. */
#ifndef RSTSCOPE_PCAPNG_OUT_H
#define RSTSCOPE_PCAPNG_OUT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_OUT_BLOCK_MAX (16u << 20)

/* option codes (section 3.5 and 4.x of the draft) */
enum {
	PCAPNG_OPT_COMMENT = 1,
	PCAPNG_OPT_SHB_USERAPPL = 4,
	PCAPNG_OPT_IF_TSRESOL = 9,
	PCAPNG_OPT_IF_FCSLEN = 13,
};

struct pcapng_out;

/* Write to f (not closed by pcapng_out_free). NULL on no memory. Blocks
 * are buffered: pcapng_out_flush() hands them to f; free drops what was
 * not flushed. */
struct pcapng_out *pcapng_out_new(FILE *f);
void pcapng_out_free(struct pcapng_out *w);
/* 0, or -1 (errno) when this or an earlier write to f failed. */
int pcapng_out_flush(struct pcapng_out *w);

/* Options of the next block, added before the block is written. Text of
 * any length: a comment longer than an option holds (65535 bytes) becomes
 * several comment options, split at line ends where it can be. 0, or -1
 * when the block's options would pass the cap. */
int pcapng_out_opt(struct pcapng_out *w, uint16_t code, const void *val, size_t len);
int pcapng_out_comment(struct pcapng_out *w, const char *text);
/* Options already encoded in host byte order (an input's IDB options), as
 * code/length/value records without opt_endofopt. */
int pcapng_out_opts_raw(struct pcapng_out *w, const uint8_t *opts, size_t len);

/* The blocks; each takes the options added since the last block. 0, or -1
 * (write error: errno, and every later call fails too; a block past the
 * cap: EFBIG). */
int pcapng_out_shb(struct pcapng_out *w);
/* Any other block: its type, the body before the options (padded to 32
 * bits here), then the gathered options. */
int pcapng_out_block(struct pcapng_out *w, uint32_t type, const void *body, size_t len);
/* Returns the new interface's index (0, 1, ...), or -1. */
long pcapng_out_idb(struct pcapng_out *w, uint16_t link, uint32_t snaplen);
int pcapng_out_epb(struct pcapng_out *w, uint32_t ifid, uint64_t ticks, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen);

/* Blocks and bytes written so far. */
uint64_t pcapng_out_blocks(const struct pcapng_out *w);
uint64_t pcapng_out_bytes(const struct pcapng_out *w);

#endif
