/* detect: the detector table and helpers shared by detectors. */
#include "detect/detect.h"

/* Order matters: later detectors read what earlier ones decided. */
const struct detector *const detect_table[] = {
	&detect_kind, &detect_shape, &detect_context, &detect_kernel, &detect_sender,
	&detect_cluster, &detect_cause,
};
const unsigned detect_count = sizeof(detect_table) / sizeof(detect_table[0]);

uint64_t flow_unacked(const struct flow *f, int from)
{
	const struct flow_dir *s = &f->d[from], *r = &f->d[!from];
	uint32_t n;

	if (!s->seq_valid || !r->ack_valid || !s->bytes)
		return 0;
	n = s->next_seq - r->max_ack;
	/* more than 1 GiB "in flight" means the ACKs were not seen, not data */
	return (int32_t)n > 0 && n < (1u << 30) ? n : 0;
}
