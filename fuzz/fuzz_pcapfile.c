/* fuzz_pcapfile: the capture file reader over a whole file as analyze
 * reads it: the input becomes a regular file (a memfd, opened by its
 * /proc/self/fd path) so a classic pcap magic takes rstscope's own reader
 * (headers, record and snap lengths, both byte orders, nanosecond
 * timestamps; mapped for odd lengths, read for even ones) and anything
 * else libpcap and the pcapng fallback. Every
 * frame is decoded, so a caplen past the bytes read is caught by ASan; a
 * third of the inputs (by length) also pass through a BPF filter. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode/decode.h"
#include "sources/pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[256];
	struct pcapfile *pf;
	struct pcapfile_header h;
	struct pcap_frame fr;
	struct tcp_view v;
	int fd = memfd_create("fuzz_pcapfile", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return 0;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* both ways of reading a classic file: mapped (older files) and read */
	setenv("RSTSCOPE_PCAP_READ", size % 2 ? "map" : "read", 1);
	pf = pcapfile_open(path, size % 3 ? NULL : "tcp", err, sizeof(err));
	if (pf) {
		(void)pcapfile_header(pf, &h);
		(void)pcapfile_link_name(pf);
		for (int i = 0; i < 100000 && pcapfile_next(pf, &fr, err, sizeof(err)) == 1; i++) {
			if (fr.caplen)
				(void)*(volatile const uint8_t *)&fr.data[fr.caplen - 1];
			(void)decode_frame(fr.link, fr.data, fr.caplen, &v);
		}
		(void)pcapfile_frames(pf);
		pcapfile_close(pf);
	}
	close(fd);
	return 0;
}
