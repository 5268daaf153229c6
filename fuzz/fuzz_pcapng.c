/* fuzz_pcapng: the pcapng block reader over arbitrary bytes; every frame it
 * returns is decoded, so a bad caplen would be caught by ASan. */
#include <stdint.h>

#include "decode/decode.h"
#include "sources/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapng *r = pcapng_new_mem(data, size);
	struct pcapng_frame fr;
	struct tcp_view v;
	char err[256];

	if (!r)
		return 0;
	for (int n = 0; n < 10000 && pcapng_next(r, &fr, err, sizeof(err)) == 1; n++)
		(void)decode_frame(fr.link, fr.data, fr.caplen, &v);
	pcapng_free(r);
	return 0;
}
