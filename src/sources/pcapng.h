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
};

struct pcapng;

/* Read from f (not closed by pcapng_free). NULL on no memory. */
struct pcapng *pcapng_new(FILE *f);
/* Parse blocks from a memory buffer instead (the fuzz harness). */
struct pcapng *pcapng_new_mem(const uint8_t *buf, size_t len);
/* 1: a packet; 0: end; -1: corrupt or truncated, message in err. */
int pcapng_next(struct pcapng *r, struct pcapng_frame *fr, char *err, size_t errsz);
void pcapng_free(struct pcapng *r);

#endif
