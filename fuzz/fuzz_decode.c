/* fuzz_decode: the frame decoder over arbitrary bytes, read as every link
 * type it supports. Any out-of-bounds read is a sanitizer crash. */
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = { LINK_ETHERNET, LINK_RAW, LINK_RAW_IP, LINK_SLL, LINK_SLL2,
				     LINK_NULL, LINK_LOOP, LINK_IPV4, LINK_IPV6 };
	struct tcp_view v;
	volatile uint32_t sink = 0;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (decode_frame(links[i], data, size, &v) != DECODE_OK)
			continue;
		/* touch what the view claims is captured */
		for (uint32_t k = 0; k < v.payload_cap; k++)
			sink += v.payload[k];
		if (v.payload_cap > v.payload_len)
			__builtin_trap();
	}
	(void)sink;
	return 0;
}
