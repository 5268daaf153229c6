/* fuzz_httpreq: the metrics server's request judge over arbitrary bytes,
 * with its contract checked: it never reads past len, it decides whenever
 * len reaches HTTPREQ_HEAD_MAX, a decision on a prefix stands for every
 * longer input (bytes read later cannot change it), and its statuses are
 * the ones it names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/httpreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct httpreq r, p;
	int done;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	done = httpreq_parse(buf, size, &r);
	if (size >= HTTPREQ_HEAD_MAX && !done)
		abort();
	if (done && !strcmp(httpreq_reason(r.status), "Error"))
		abort();
	/* deciding is monotonic in len: the first prefix that decides (found
	 * by bisection) gives the same answer, the one before it none */
	if (done) {
		size_t lo = 0, hi = size;   /* prefix lo undecided (or 0), hi decided */

		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (httpreq_parse(buf, mid, &p))
				hi = mid;
			else
				lo = mid;
		}
		if (!httpreq_parse(buf, hi, &p) || p.status != r.status || p.head != r.head)
			abort();
		if (hi > 0 && httpreq_parse(buf, hi - 1, &p))
			abort();
	}
	free(buf);
	return 0;
}
