/* fuzz_engine: the whole per-RST logic over a fuzzed sequence of Ethernet
 * frames, with every verdict rendered as JSON and text.
 *
 * Input: records of [dt: 1 byte, x100 ms][len: 2 bytes BE][frame: len bytes].
 * An input that does not parse as records is fed as one frame. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void sink(const struct rst_verdict *v, void *ctx)
{
	struct report_opts o = { .colour = true };

	(void)ctx;
	report_json_rst(devnull, v);
	report_text_rst(devnull, v, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_opts eo;
	struct report_opts ro = { 0 };
	struct engine *e;
	int64_t ts = 1700000000LL * 1000000000LL;
	uint64_t frame = 0;
	size_t off = 0;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return 0;
	engine_opts_default(&eo);
	eo.max_flows = 16;   /* small, so eviction and pinning are exercised */
	e = engine_new(&eo, sink, NULL);
	if (!e)
		return 0;
	if (size < 3 || 3 + (size_t)(data[1] << 8 | data[2]) > size) {
		engine_frame(e, LINK_ETHERNET, data, size, ts, "fuzz", 1);
	} else {
		/* an odd first byte feeds the records in batches (analyze's path
		 * for files it reads itself), an even one frame by frame */
		bool batch = data[0] & 1;
		struct engine_input in[ENGINE_BATCH_MAX];
		unsigned n = 0;

		while (off + 3 <= size) {
			size_t len = (size_t)(data[off + 1] << 8 | data[off + 2]);

			ts += (int64_t)data[off] * 100000000LL;
			off += 3;
			if (len > size - off)
				len = size - off;
			if (batch) {
				in[n++] = (struct engine_input){ data + off, len, ts, ++frame,
								 LINK_ETHERNET };
				if (n == ENGINE_BATCH_MAX) {
					engine_frames(e, in, n, "fuzz", NULL);
					n = 0;
				}
			} else {
				engine_frame(e, LINK_ETHERNET, data + off, len, ts, "fuzz", ++frame);
			}
			off += len;
		}
		if (n)
			engine_frames(e, in, n, "fuzz", NULL);
	}
	engine_flush(e);
	report_json_summary(devnull, "fuzz", engine_diagnosis(e), engine_stats(e));
	report_text_summary(devnull, "fuzz", engine_diagnosis(e), engine_stats(e), &ro);
	engine_free(e);
	return 0;
}
