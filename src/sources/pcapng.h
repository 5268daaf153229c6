/* pcapng: a reader for pcapng sections whose interfaces have different link
 * types, which libpcap refuses ("an interface has a type ... different from
 * the type of the first interface"). pcapfile falls back to it only then;
 * every other file is read by libpcap. Bounds-checked: a block is read whole
 * into a buffer capped at PCAPNG_BLOCK_MAX and parsed inside it. */
#ifndef RSTSCOPE_PCAPNG_H
#define RSTSCOPE_PCAPNG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_BLOCK_MAX (16u << 20)
#define PCAPNG_IFACES_MAX 256

struct pcapng_frame {
	const uint8_t *data;
	size_t caplen, wirelen;
	int64_t ts_ns;
	int link;            /* the frame's interface's link type (LINKTYPE_ value) */
	/* the block as stored (a writer copying the file keeps these) */
	unsigned ifid;       /* interface index within its section */
	unsigned section;    /* 1 for the first section header, +1 per later one */
	uint64_t ticks;      /* timestamp in the interface's if_tsresol units (SPB: 0) */
	const uint8_t *opts; /* the packet block's options, in the file's byte order */
	size_t opts_len;     /* (read them with pcapng_opt_next) */
};

/* An interface as described by its IDB. opts holds the options a copy
 * keeps (comments, names, addresses, if_tsresol, if_tsoffset, if_fcslen,
 * speeds, ...) re-encoded in host byte order, ending without opt_endofopt;
 * valid until the next section header or pcapng_free. */
struct pcapng_iface {
	int link;
	uint32_t snaplen;
	const uint8_t *opts;
	size_t opts_len;
};

struct pcapng;

/* Read from f (not closed by pcapng_free). NULL on no memory. */
struct pcapng *pcapng_new(FILE *f);
/* Parse blocks from a memory buffer instead (the fuzz harness). */
struct pcapng *pcapng_new_mem(const uint8_t *buf, size_t len);
/* 1: a packet; 0: end; -1: corrupt or truncated, message in err. */
int pcapng_next(struct pcapng *r, struct pcapng_frame *fr, char *err, size_t errsz);
void pcapng_free(struct pcapng *r);

/* Interfaces described so far in the current section (those past
 * PCAPNG_IFACES_MAX are not counted), and one of them: 0, or -1 when i is
 * out of range. */
unsigned pcapng_ifaces(const struct pcapng *r);
int pcapng_iface(const struct pcapng *r, unsigned i, struct pcapng_iface *out);
/* Step through options [*p, end) of a block read by r: 1 and the next
 * option's code, value and length (in bounds); 0 at opt_endofopt or the
 * end; -1 when an option runs past end. Values are in the file's byte
 * order. */
/* Blocks other than section headers, interfaces and packets (name
 * resolution, decryption secrets, statistics, custom ...) are skipped; with
 * a hook, each is shown to it first, whole (header to trailer, len bytes,
 * lengths checked), in the file's byte order and in file order. */
typedef void (*pcapng_block_fn)(void *ctx, uint32_t type, const uint8_t *block, size_t len);
void pcapng_set_block_hook(struct pcapng *r, pcapng_block_fn fn, void *ctx);
/* Whether the current section's byte order is not the host's. */
int pcapng_swapped(const struct pcapng *r);
int pcapng_opt_next(const struct pcapng *r, const uint8_t **p, const uint8_t *end,
		    uint16_t *code, const uint8_t **val, uint16_t *len);

#endif
