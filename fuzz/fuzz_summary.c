/* fuzz_summary: a JSON summary line read back as rstscope merge reads it
 * (an exact-size heap copy), then added to a diagnosis, ranked and printed
 * again: no input may crash, overrun or leak, and whatever parses ranks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/stats.h"
#include "report/report.h"
#include "report/summary_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct diagnosis one, all;
	struct engine_stats s, st = { 0 };
	struct summary_pool *pool = summary_pool_new();
	char *buf = malloc(size ? size : 1), file[256], err[256];
	unsigned files;
	FILE *out = fopen("/dev/null", "w");

	if (!buf || !pool || !out)
		goto done;
	memcpy(buf, data, size);
	diagnosis_init(&all);
	if (!summary_parse(buf, size, pool, &one, &s, &files, file, sizeof(file), err, sizeof(err))) {
		diagnosis_merge(&all, &one);
		diagnosis_merge(&all, &one);
		engine_stats_add(&st, &s);
		diagnosis_finish(&all);
		report_json_summary_of(out, NULL, 2, &all, &st);
	}
done:
	if (out)
		fclose(out);
	summary_pool_free(pool);
	free(buf);
	return 0;
}
