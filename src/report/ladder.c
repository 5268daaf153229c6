/* ladder: the window of a flow's packets a ladder diagram keeps. */
#include "report/ladder.h"

#include "decode/decode.h"

void ladder_init(struct ladder_win *w, unsigned head_max, unsigned before_max,
		 unsigned after_max)
{
	*w = (struct ladder_win){ .head_max = head_max ? head_max : 1,
				  .before_max = before_max ? before_max : 1,
				  .after_max = after_max ? after_max : 1 };
}

enum ladder_slot ladder_place(struct ladder_win *w, uint64_t frame, uint64_t anchor,
			      uint8_t tcp_flags, unsigned *idx)
{
	if (frame > anchor) {
		if (w->n_after == w->after_max) {
			w->skipped_after++;
			return LADDER_SKIP;
		}
		*idx = w->n_after++;
		return LADDER_AFTER;
	}
	/* a new connection on the same tuple before the RST: start over */
	if ((tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN)
		w->n_head = w->n_ring = w->ring_pos = 0, w->skipped_mid = 0;
	if (w->n_head < w->head_max) {
		*idx = w->n_head++;
		return LADDER_HEAD;
	}
	if (w->n_ring == w->before_max)
		w->skipped_mid++;
	else
		w->n_ring++;
	*idx = w->ring_pos;
	w->ring_pos = (w->ring_pos + 1) % w->before_max;
	return LADDER_RING;
}

unsigned ladder_ring_at(const struct ladder_win *w, unsigned i)
{
	return (w->ring_pos + w->before_max - w->n_ring + i) % w->before_max;
}
