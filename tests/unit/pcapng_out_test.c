/* pcapng_out: blocks written and read back by src/sources/pcapng.c: drawn
 * frames (lengths, ticks, interfaces) come back the same, with their
 * comments; interface options survive; a long section comment is split at
 * line ends; over-long blocks and undescribed interfaces are refused.
 * PCAPNG_OUT_SEED=N repeats a run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/pcapng_out.h"
#include "sources/pcapng.h"
#include "unit.h"

#define FRAMES 200

static unsigned long long rng;
static unsigned draw(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(rng >> 33) % n;
}

int main(void)
{
	const char *env = getenv("PCAPNG_OUT_SEED");
	unsigned long long seed = env ? strtoull(env, NULL, 10) : (unsigned long long)time(NULL);
	static uint8_t data[FRAMES][2048];
	uint32_t len[FRAMES], ifc[FRAMES];
	uint64_t ticks[FRAMES];
	static const uint8_t ifopts[] = { 2, 0, 4, 0, 'e', 't', 'h', '0', 9, 0, 1, 0, 9, 0, 0, 0 };
	char *buf = NULL, *big;
	size_t size = 0, n_comments = 0;
	struct pcapng_out *w;
	struct pcapng *r;
	struct pcapng_frame fr;
	struct pcapng_iface ifd;
	char err[256];
	FILE *f;
	int got = 0;

	printf("pcapng_out: seed %llu\n", seed);
	rng = seed;
	f = open_memstream(&buf, &size);
	w = pcapng_out_new(f);
	CHECK(w != NULL);
	/* a section comment of 150000 bytes in lines of 100 */
	big = malloc(150001);
	for (size_t i = 0; i < 150000; i++)
		big[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
	big[150000] = '\0';
	CHECK_EQ_INT(pcapng_out_comment(w, big), 0);
	CHECK_EQ_INT(pcapng_out_shb(w), 0);
	CHECK_EQ_INT(pcapng_out_epb(w, 0, 0, data[0], 10, 10), -1);   /* no interface yet */
	CHECK_EQ_INT(pcapng_out_opts_raw(w, ifopts, sizeof(ifopts)), 0);
	CHECK_EQ_INT(pcapng_out_idb(w, 1, 65535), 0);
	CHECK_EQ_INT(pcapng_out_idb(w, 101, 96), 1);
	for (unsigned i = 0; i < FRAMES; i++) {
		char note[32];

		len[i] = draw(sizeof(data[i]) + 1);
		ifc[i] = draw(2);
		ticks[i] = (uint64_t)draw(1u << 30) << 32 | draw(1u << 30);
		for (uint32_t k = 0; k < len[i]; k++)
			data[i][k] = (uint8_t)draw(256);
		if (i % 3 == 0) {
			snprintf(note, sizeof(note), "frame %u", i + 1);
			CHECK_EQ_INT(pcapng_out_comment(w, note), 0);
		}
		CHECK_EQ_INT(pcapng_out_epb(w, ifc[i], ticks[i], data[i], len[i], len[i] + i), 0);
	}
	errno = 0;
	CHECK_EQ_INT(pcapng_out_epb(w, 0, 0, data[0], PCAPNG_OUT_BLOCK_MAX, PCAPNG_OUT_BLOCK_MAX), -1);
	CHECK_EQ_INT(errno, EFBIG);
	CHECK_EQ_INT(pcapng_out_blocks(w), 3 + FRAMES);
	CHECK_EQ_INT(pcapng_out_flush(w), 0);
	pcapng_out_free(w);
	fclose(f);
	CHECK_EQ_INT(size % 4, 0);

	/* the section comment: three options, each ending at a line end but the last */
	{
		uint32_t shb_len;
		const uint8_t *p = (const uint8_t *)buf + 24, *end, *val;
		uint16_t code, olen;
		size_t total = 0;

		memcpy(&shb_len, buf + 4, 4);
		end = (const uint8_t *)buf + shb_len - 4;
		r = pcapng_new_mem((const uint8_t *)buf, size);
		while (pcapng_opt_next(r, &p, end, &code, &val, &olen) == 1) {
			if (code != 1)
				continue;
			CHECK(!memcmp(val, big + total, olen));
			total += olen;
			if (total < 150000)
				CHECK(val[olen - 1] == '\n');
			n_comments++;
		}
		CHECK_EQ_INT(total, 150000);
		CHECK_EQ_INT(n_comments, 3);
		pcapng_free(r);
	}
	r = pcapng_new_mem((const uint8_t *)buf, size);
	while (pcapng_next(r, &fr, err, sizeof(err)) == 1 && got < FRAMES) {
		const uint8_t *p = fr.opts, *val;
		uint16_t code, olen;
		char want[32];
		int notes = 0;

		CHECK_EQ_INT(fr.caplen, len[got]);
		CHECK_EQ_INT(fr.wirelen, len[got] + (uint32_t)got);
		CHECK_EQ_INT(fr.ifid, ifc[got]);
		CHECK(fr.ticks == ticks[got]);
		CHECK_EQ_INT(fr.link, ifc[got] ? 101 : 1);
		CHECK(!memcmp(fr.data, data[got], len[got]));
		snprintf(want, sizeof(want), "frame %d", got + 1);
		while (p && pcapng_opt_next(r, &p, fr.opts + fr.opts_len, &code, &val, &olen) == 1)
			if (code == 1) {
				notes++;
				CHECK(olen == strlen(want) && !memcmp(val, want, olen));
			}
		CHECK_EQ_INT(notes, got % 3 == 0);
		got++;
	}
	CHECK_EQ_INT(got, FRAMES);
	CHECK_EQ_INT(pcapng_ifaces(r), 2);
	CHECK_EQ_INT(pcapng_iface(r, 0, &ifd), 0);
	CHECK_EQ_INT(ifd.opts_len, sizeof(ifopts));   /* the same options */
	CHECK(ifd.opts && !memcmp(ifd.opts, ifopts, sizeof(ifopts)));
	CHECK_EQ_INT(pcapng_iface(r, 1, &ifd), 0);
	CHECK_EQ_INT(ifd.snaplen, 96);
	CHECK_EQ_INT(pcapng_iface(r, 2, &ifd), -1);
	pcapng_free(r);
	free(big);
	free(buf);
	return unit_done("pcapng_out");
}
