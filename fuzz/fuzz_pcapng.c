/* fuzz_pcapng: the pcapng block reader over arbitrary bytes; every frame it
 * returns is decoded and its options and interfaces walked, so a bad caplen
 * or option length would be caught by ASan. */
#include <stdint.h>

#include "decode/decode.h"
#include "sources/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every other block is shown whole: its last byte is in bounds */
static void other_block(void *ctx, uint32_t type, const uint8_t *b, size_t len)
{
	*(unsigned *)ctx += type + b[len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapng *r = pcapng_new_mem(data, size);
	struct pcapng_frame fr;
	struct tcp_view v;
	char err[256];
	unsigned seen = 0;

	if (!r)
		return 0;
	pcapng_set_block_hook(r, other_block, &seen);
	for (int n = 0; n < 10000 && pcapng_next(r, &fr, err, sizeof(err)) == 1; n++) {
		const uint8_t *p = fr.opts, *val;
		uint16_t code, len;
		struct pcapng_iface ifc;
		unsigned sum = 0;

		(void)decode_frame(fr.link, fr.data, fr.caplen, &v);
		while (p && pcapng_opt_next(r, &p, fr.opts + fr.opts_len, &code, &val, &len) == 1)
			sum += len ? val[len - 1] : 0;
		for (unsigned i = 0; pcapng_iface(r, i, &ifc) == 0; i++)
			sum += ifc.opts_len ? ifc.opts[ifc.opts_len - 1] : 0;
		(void)sum;
	}
	pcapng_free(r);
	(void)seen;
	return 0;
}
