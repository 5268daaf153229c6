/* fuzz_trace: the tracefs text parsers (trace_pipe lines, event format
 * files and their __print_symbolic tables) over arbitrary bytes. The input
 * is copied into an exact-size heap buffer, so any read past its length is
 * an ASan report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/tracefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct tfs_event ev;
	struct tfs_format *fmt;
	struct tfs_symtab *tab;
	struct ipaddr a;
	uint8_t ver;
	size_t start = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* every line as a trace line */
	for (size_t i = 0; i <= size; i++)
		if (i == size || buf[i] == '\n') {
			(void)tfs_parse_line(buf + start, i - start, &ev);
			(void)tfs_parse_addr(buf + start, i - start, &a, &ver);
			start = i + 1;
		}
	/* the whole input as a format file and as a print fmt; the parsers take
	 * a length, and the copy is not NUL-terminated on purpose */
	fmt = malloc(sizeof(*fmt));
	tab = malloc(sizeof(*tab));
	if (fmt && tab) {
		(void)tfs_parse_format(buf, size, fmt);
		(void)tfs_parse_symbolic(buf, size, "reason", tab);
	}
	free(fmt);
	free(tab);
	free(buf);
	return 0;
}
