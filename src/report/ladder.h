/* ladder: which packets of one flow a ladder diagram keeps, for the
 * reports that draw one (analyze --explain, the HTML page). A flow may
 * hold millions of packets; a ladder keeps the first `head` of the last
 * connection on the tuple that began before the anchor (the RST drawn),
 * the last `before` up to and including the anchor, and the first `after`
 * after it, and counts the rest. The caller owns the packets: ladder_place
 * says where each one goes, in the arrays it sized head_max, before_max
 * and after_max. */
#ifndef RSTSCOPE_REPORT_LADDER_H
#define RSTSCOPE_REPORT_LADDER_H

#include <stdbool.h>
#include <stdint.h>

struct ladder_win {
	unsigned head_max, before_max, after_max;
	unsigned n_head, n_ring, ring_pos, n_after;
	uint64_t skipped_mid, skipped_after;   /* counted, not kept */
};

enum ladder_slot { LADDER_SKIP, LADDER_HEAD, LADDER_RING, LADDER_AFTER };

/* A window of those sizes (each at least 1), empty. */
void ladder_init(struct ladder_win *w, unsigned head_max, unsigned before_max,
		 unsigned after_max);

/* Where the packet of frame `frame` goes, given the anchor's frame, in
 * capture order, with its TCP flags: a SYN without ACK before the anchor
 * starts a new connection on the tuple, and so the ladder over.
 * *idx is its index in that array (a ring slot it overwrites, for
 * LADDER_RING). */
enum ladder_slot ladder_place(struct ladder_win *w, uint64_t frame, uint64_t anchor,
			      uint8_t tcp_flags, unsigned *idx);

/* The ring's i-th packet, oldest first (i < n_ring): its index. */
unsigned ladder_ring_at(const struct ladder_win *w, unsigned i);

#endif
