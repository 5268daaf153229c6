/* pcapfile: capture files. Classic pcap files on disk are mapped whole,
 * and unmapped again three windows (2 MiB each) behind the parse, two
 * windows at a time: no copy out of the page cache, a resident set of a
 * few MiB; a file cut under us faults no mapping (mapguard: a reported
 * cut). A file still being written is read as it was when opened, as far
 * as its size then (a read would stop at whatever end it met later: no
 * less a snapshot). RSTSCOPE_PCAP_READ=read reads in large chunks by a
 * thread of its own instead (readahead.c). Records are parsed in place
 * (bench/: libpcap's per-record fread and copy cost more than the analysis
 * of the frame); pcapng, stdin and anything else go through libpcap, with
 * nanosecond timestamps. A pcapng file whose interfaces have different link
 * types, which libpcap refuses, is read on by the pcapng reader from the
 * frame where it stopped. */
#include "sources/pcapfile.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/mapguard.h"
#include "sources/pcapng.h"
#include "sources/readahead.h"
#include "util/util.h"

#define FILTERS_MAX 8

/* libpcap's own ceiling on a record's captured length */
#define RECORD_MAX 262144u
/* each chunk read; holds several records of the largest size */
#define FILEBUF ((size_t)1 << 19)
/* room before a chunk for the part of a record the chunk before ended in */
#define CARRY (RECORD_MAX + 16)
/* a window of a mapped file: one generation; three stay mapped behind the
 * parse, so that a frame stays valid while the generation grows by two (the
 * frame that starts a generation may begin up to a record before it) */
#define WINDOW ((size_t)2 << 20)
_Static_assert(WINDOW > RECORD_MAX + 16, "a record must fit in a window");
/* What lies behind is unmapped two windows at a time: each munmap() makes
 * the kernel flush the TLB of every CPU the process runs on (the engine's
 * too); half as many for 2 MiB more resident (bench/: 2 % of the wall
 * time). */
#define UNMAP_STEP (2 * WINDOW)
/* how far ahead of the parse a mapped file is fetched into the cache */
#define PREFETCH_BYTES 4096

struct pcapfile {
	pcap_t *p;
	/* a classic pcap file read by us, when fd > 0 */
	int fd;
	struct readahead *ra;     /* reads, or (NULL) the mapping below */
	uint8_t *map;             /* the whole file, mapped */
	int guard;                /* its mapguard slot (-1: none) */
	size_t map_len, unmapped; /* its size, and the prefix unmapped again */
	size_t drop_at;           /* the offset of the next generation */
	size_t pref;              /* bytes fetched ahead of the parse */
	const uint8_t *base;      /* the chunk being parsed (after its carried part) */
	size_t len, off;          /* bytes in it, and the next record's offset */
	uint64_t gen;             /* refills so far */
	bool one_step;            /* at most one generation a call (pcapfile_one_step) */
	int swap, nsec, short_header;
	uint32_t linkfield, snaplen;  /* the classic header's last two words */
	const char *path;
	const char *filter;
	int link;
	uint64_t frames;
	/* the pcapng fallback */
	FILE *ngf;
	struct pcapng *ng;
	/* compiled filters, one per link type met */
	struct { int link; struct bpf_program prog; } flt[FILTERS_MAX];
	unsigned n_flt;
};

static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

/* The filter compiled for link type `link`; NULL when it cannot be. */
static struct bpf_program *filter_for(struct pcapfile *pf, int link, char *err, size_t errsz)
{
	pcap_t *dead;
	int rc;

	for (unsigned i = 0; i < pf->n_flt; i++)
		if (pf->flt[i].link == link)
			return &pf->flt[i].prog;
	if (pf->n_flt == FILTERS_MAX) {
		fmt_buf(err, errsz, "too many link types for one filter");
		return NULL;
	}
	/* pcap_open_dead takes a DLT; pcapng files carry LINKTYPE values,
	 * which differ only for raw IP among the types decode reads */
	dead = pcap_open_dead(link == 101 ? DLT_RAW : link, 262144);
	if (!dead) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	/* files open at once on threads of their own (analyze_many): one
	 * compile at a time, not every libpcap's parser is reentrant */
	pthread_mutex_lock(&compile_lock);
	rc = pcap_compile(dead, &pf->flt[pf->n_flt].prog, pf->filter, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		fmt_buf(err, errsz, "bad filter '%s': %s", pf->filter, pcap_geterr(dead));
	pthread_mutex_unlock(&compile_lock);
	pcap_close(dead);
	if (rc < 0)
		return NULL;
	pf->flt[pf->n_flt].link = link;
	return &pf->flt[pf->n_flt++].prog;
}

static uint32_t get32(const struct pcapfile *pf, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return pf->swap ? __builtin_bswap32(v) : v;
}

/* Refill: the unread tail of the current chunk goes before the next
 * chunk, so frames of the current one stay valid until the refill after
 * this one (readahead.h). 1: more bytes; 0: end of file (nothing changed);
 * -1: read error. The tail is shorter than CARRY: a record header whose
 * length is too large is an error before any refill. */
static int refill(struct pcapfile *pf)
{
	size_t keep = pf->len - pf->off, n;
	uint8_t *data;
	int rc;

	if (!pf->ra)
		return 0;              /* a mapped file is mapped whole */
	rc = readahead_next(pf->ra, &data, &n);
	if (rc <= 0)
		return rc;
	if (keep)
		memcpy(data - keep, pf->base + pf->off, keep);
	pf->base = data - keep;
	pf->len = keep + n;
	pf->off = 0;
	pf->gen++;
	return 1;
}

/* Map the window after the one at `at` into the page tables now (one call
 * instead of a fault every few pages; prefetches do not fault). */
static void populate(struct pcapfile *pf, size_t at)
{
#ifdef MADV_POPULATE_READ
	if (at < pf->map_len)
		(void)madvise(pf->map + at, at + WINDOW > pf->map_len ? pf->map_len - at : WINDOW,
			      MADV_POPULATE_READ);
#else
	(void)pf;
	(void)at;
#endif
}

/* The parse passed pf->drop_at: a new generation, and what lies more than
 * three windows behind is unmapped once it is UNMAP_STEP (its frames are
 * done; the resident set stays a few windows however large the file).
 * Generation k's frames end at k windows or after, so they begin after k-1
 * (a record is shorter than a window); generation m unmaps up to m-3
 * windows: generation k's frames are whole up to m = k+2. */
static void mapped_advance(struct pcapfile *pf)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	pf->gen++;
	if (pf->drop_at >= 4 * WINDOW) {
		size_t lo = (pf->drop_at - 3 * WINDOW) & ~(page - 1);

		if (lo >= pf->unmapped + UNMAP_STEP) {
			munmap(pf->map + pf->unmapped, lo - pf->unmapped);
			pf->unmapped = lo;
		}
	}
	pf->drop_at += WINDOW;
	populate(pf, pf->drop_at);
}

/* Read `path` ourselves when it is a classic pcap file: 1 yes, 0 not (let
 * libpcap read it, and report any error), -1 out of memory. */
static int open_classic(struct pcapfile *pf, const char *path)
{
	struct stat st;
	uint32_t magic;
	const char *mode;
	bool readit;
	int fd;

	if (!strcmp(path, "-"))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || pread(fd, &magic, 4, 0) != 4) {
		close(fd);
		return 0;
	}
	switch (magic) {
	case 0xa1b2c3d4: pf->swap = 0; pf->nsec = 0; break;
	case 0xd4c3b2a1: pf->swap = 1; pf->nsec = 0; break;
	case 0xa1b23c4d: pf->swap = 0; pf->nsec = 1; break;
	case 0x4d3cb2a1: pf->swap = 1; pf->nsec = 1; break;
	default:
		close(fd);
		return 0;
	}
	pf->fd = fd;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* RSTSCOPE_PCAP_READ=read reads instead of mapping (tests compare the two) */
	mode = getenv("RSTSCOPE_PCAP_READ");
	readit = mode && !strcmp(mode, "read");
	if (readit || st.st_size == 0) {
		pf->ra = readahead_new(fd, FILEBUF, CARRY);
		if (!pf->ra)
			return -1;
	} else {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		int guard = m == MAP_FAILED ? -1 : mapguard_add(m, (size_t)st.st_size);

		if (m != MAP_FAILED && guard < 0) {   /* no guard left: read it instead */
			munmap(m, (size_t)st.st_size);
			m = MAP_FAILED;
		}
		if (m == MAP_FAILED) {
			pf->ra = readahead_new(fd, FILEBUF, CARRY);
			if (!pf->ra)
				return -1;
		} else {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			pf->map = m;
			/* a file truncated under us: a reported cut, not SIGBUS */
			pf->guard = guard;
			pf->map_len = (size_t)st.st_size;
			pf->base = m;
			pf->len = pf->map_len;
			pf->drop_at = WINDOW;
			populate(pf, 0);
			populate(pf, WINDOW);
		}
	}
	if (pf->map ? pf->len < 24 : refill(pf) < 0 || pf->len < 24) {
		pf->short_header = 1;   /* reported by the first pcapfile_next() */
		return 1;
	}
	/* the link type: low 16 bits of the header's last word (the rest are FCS flags) */
	pf->linkfield = get32(pf, pf->base + 20);
	pf->snaplen = get32(pf, pf->base + 16);
	pf->link = (int)(pf->linkfield & 0xffff);
	if (pf->link == 101)
		pf->link = DLT_RAW;  /* as libpcap maps LINKTYPE_RAW */
	pf->off = 24;
	return 1;
}

/* The mapped file was truncated under us: what is left and where the
 * reading stopped. Returns -1. */
static int shrank(struct pcapfile *pf, size_t cut, char *err, size_t errsz)
{
	struct stat st;
	long long now = fstat(pf->fd, &st) ? -1 : (long long)st.st_size;

	fmt_buf(err, errsz, "frame %llu: the file shrank while it was read (to %lld bytes; "
		"byte %zu was gone): the frames from there on are lost",
		(unsigned long long)pf->frames + 1, now, cut);
	return -1;
}

/* One-step mode, and this call (which began at generation `entry`) has
 * already passed one: the next step waits for the next call (rc 2). A call
 * that skips frames a filter rejects could otherwise pass several. */
static inline bool stepped(const struct pcapfile *pf, uint64_t entry)
{
	return pf->one_step && pf->gen != entry;
}

static int next_classic(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	const uint64_t entry = pf->gen;

	if (pf->short_header) {
		fmt_buf(err, errsz, "truncated dump file; the file header has %zu of 24 bytes",
			pf->len);
		return -1;
	}
	for (;;) {
		size_t avail = pf->len - pf->off;
		uint32_t caplen, len, sec, frac;
		size_t next;
		const uint8_t *h;
		size_t cut = pf->map ? mapguard_cut(pf->guard) : SIZE_MAX;

		if (cut != SIZE_MAX && pf->off + 16 > cut) {
			return shrank(pf, cut, err, errsz);
		}
		/* a whole record in the buffer, or refill (a record too long for
		 * any refill is reported below without one) */
		if (avail < 16 || (avail - 16 < get32(pf, pf->base + pf->off + 8) &&
				   get32(pf, pf->base + pf->off + 8) <= RECORD_MAX)) {
			if (stepped(pf, entry))
				return 2;
			if (refill(pf) < 0) {
				fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1,
					strerror(errno));
				return -1;
			}
			avail = pf->len - pf->off;
			if (avail == 0)
				return 0;
		}
		h = pf->base + pf->off;
		if (avail < 16) {
			fmt_buf(err, errsz, "frame %llu: truncated dump file; the record header has "
				"%zu of 16 bytes", (unsigned long long)pf->frames + 1, avail);
			return -1;
		}
		sec = get32(pf, h);
		frac = get32(pf, h + 4);
		caplen = get32(pf, h + 8);
		len = get32(pf, h + 12);
		if (caplen > RECORD_MAX) {
			fmt_buf(err, errsz, "frame %llu: invalid packet capture length %u, bigger than "
				"%u", (unsigned long long)pf->frames + 1, caplen, RECORD_MAX);
			return -1;
		}
		if (avail - 16 < caplen) {
			fmt_buf(err, errsz, "frame %llu: truncated dump file; the record has %zu of %u "
				"bytes", (unsigned long long)pf->frames + 1, avail - 16, caplen);
			return -1;
		}
		next = pf->off + 16 + (size_t)caplen;
		if (cut != SIZE_MAX && next > cut) {
			return shrank(pf, cut, err, errsz);
		}
		if (pf->map && next >= pf->drop_at && stepped(pf, entry))
			return 2;          /* the record starts a generation: next call */
		pf->off = next;
		pf->frames++;
		if (pf->map) {
			/* the page cache's lines come from memory: ask for what
			 * follows ahead of its parse */
			for (; pf->pref < pf->off + PREFETCH_BYTES && pf->pref < pf->len; pf->pref += 64)
				__builtin_prefetch(pf->base + pf->pref);
			if (pf->off >= pf->drop_at)
				mapped_advance(pf);
		}
		if (pf->filter) {
			struct pcap_pkthdr ph = { .caplen = caplen, .len = len };

			if (!pcap_offline_filter(&pf->flt[0].prog, &ph, h + 16))
				continue;
		}
		fr->data = h + 16;
		fr->caplen = caplen;
		fr->wirelen = len;
		fr->ts_ns = (int64_t)sec * 1000000000 + (int64_t)(pf->nsec ? frac : frac * 1000ull);
		fr->link = pf->link;
		fr->number = pf->frames;
		return 1;
	}
}

struct pcapfile *pcapfile_open(const char *path, const char *filter, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapfile *pf = calloc(1, sizeof(*pf));

	if (!pf) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	pf->path = path;
	pf->filter = filter && *filter ? filter : NULL;
	switch (open_classic(pf, path)) {
	case -1:
		fmt_buf(err, errsz, "out of memory");
		pcapfile_close(pf);
		return NULL;
	case 1:
		if (pf->filter && !filter_for(pf, pf->link, err, errsz)) {
			pcapfile_close(pf);
			return NULL;
		}
		return pf;
	default:
		break;
	}
	pf->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pf->p) {
		size_t n = strlen(path);
		/* libpcap names the file itself; the caller names it once */
		const char *why = !strncmp(ebuf, path, n) && ebuf[n] == ':' && ebuf[n + 1] == ' '
				  ? ebuf + n + 2 : ebuf;

		fmt_buf(err, errsz, "%s", why[0] ? why : "cannot open");
		free(pf);
		return NULL;
	}
	pf->link = pcap_datalink(pf->p);
	/* compiled now so that a bad filter is an error before any output;
	 * applied per frame (pcap_offline_filter) so numbering stays the file's */
	if (pf->filter && !filter_for(pf, pf->link, err, errsz)) {
		pcapfile_close(pf);
		return NULL;
	}
	return pf;
}

/* Switch to the pcapng reader and skip the frames libpcap delivered. */
static int fall_back(struct pcapfile *pf, char *err, size_t errsz)
{
	struct pcapng_frame fr;
	uint64_t n = 0;

	if (!strcmp(pf->path, "-")) {
		fmt_buf(err, errsz, "interfaces of different link types, which a pipe cannot be "
			"read again for; save it to a file first");
		return -1;
	}
	pf->ngf = fopen(pf->path, "rb");
	if (!pf->ngf || !(pf->ng = pcapng_new(pf->ngf))) {
		fmt_buf(err, errsz, "cannot reopen for its mixed link types");
		return -1;
	}
	while (n < pf->frames) {
		int rc = pcapng_next(pf->ng, &fr, err, errsz);

		if (rc != 1) {
			if (rc == 0)
				fmt_buf(err, errsz, "the file changed while it was read");
			return -1;
		}
		n++;
	}
	return 0;
}

static int next_ng(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	for (;;) {
		struct pcapng_frame nf;
		char why[256];
		int rc = pcapng_next(pf->ng, &nf, why, sizeof(why));

		if (rc <= 0) {
			if (rc < 0)
				fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1, why);
			return rc;
		}
		pf->frames++;
		if (pf->filter) {
			struct bpf_program *prog = filter_for(pf, nf.link, err, errsz);
			struct pcap_pkthdr h = { .caplen = (bpf_u_int32)nf.caplen,
						 .len = (bpf_u_int32)nf.wirelen };

			if (!prog)
				return -1;
			if (!pcap_offline_filter(prog, &h, nf.data))
				continue;
		}
		fr->data = nf.data;
		fr->caplen = nf.caplen;
		fr->wirelen = nf.wirelen;
		fr->ts_ns = nf.ts_ns;
		fr->link = nf.link;
		fr->number = pf->frames;
		return 1;
	}
}

int pcapfile_next(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz)
{
	if (pf->fd > 0)
		return next_classic(pf, fr, err, errsz);
	if (pf->ng)
		return next_ng(pf, fr, err, errsz);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(pf->p, &h, &d);

		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			const char *why = rc == PCAP_ERROR ? pcap_geterr(pf->p) : "unreadable record";

			if (strstr(why, "different from the type of the first interface")) {
				if (fall_back(pf, err, errsz))
					return -1;
				return next_ng(pf, fr, err, errsz);
			}
			fmt_buf(err, errsz, "frame %llu: %s", (unsigned long long)pf->frames + 1, why);
			return -1;
		}
		pf->frames++;
		if (pf->filter && !pcap_offline_filter(&pf->flt[0].prog, h, d))
			continue;
		fr->data = d;
		fr->caplen = h->caplen;
		fr->wirelen = h->len;
		/* a pcapng timestamp can be far past 2262: saturate, do not overflow */
		fr->ts_ns = h->ts.tv_sec >= INT64_MAX / 1000000000 - 1 ? INT64_MAX / 1000000000 * 1000000000
			  : h->ts.tv_sec <= -(INT64_MAX / 1000000000 - 1) ? -(INT64_MAX / 1000000000) * 1000000000
			  : (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		fr->link = pf->link;
		fr->number = pf->frames;
		return 1;
	}
}

uint64_t pcapfile_generation(const struct pcapfile *pf)
{
	return pf->fd > 0 ? pf->gen : UINT64_MAX;
}

void pcapfile_one_step(struct pcapfile *pf)
{
	pf->one_step = true;
}

void pcapfile_read_here(struct pcapfile *pf)
{
	if (pf->ra)
		readahead_here(pf->ra);
}

unsigned pcapfile_generation_lag(const struct pcapfile *pf)
{
	return pf->map ? 2 : 1;
}

uint64_t pcapfile_frames(const struct pcapfile *pf)
{
	return pf->frames;
}

int pcapfile_link(const struct pcapfile *pf)
{
	return pf->link;
}

const char *pcapfile_link_name(const struct pcapfile *pf)
{
	const char *n = pcap_datalink_val_to_name(pf->link);  /* a DLT, as libpcap's */

	return n ? n : "unknown";
}

int pcapfile_header(const struct pcapfile *pf, struct pcapfile_header *h)
{
	if (pf->fd > 0) {
		h->linktype = (uint16_t)(pf->linkfield & 0xffff);
		/* bit 28: the FCS length, in 16-bit words, is in bits 29-31 */
		h->fcs_len = pf->linkfield >> 28 & 1 ? (uint8_t)((pf->linkfield >> 29) * 2) : 0;
		h->snaplen = pf->snaplen;
		h->nsec = pf->nsec;
		return 0;
	}
	if (!pf->p || pcap_file(pf->p) == NULL || pf->ng)
		return -1;
	/* a pcap variant libpcap read: its timestamps were asked in nanoseconds */
	h->linktype = pf->link == DLT_RAW ? 101 : (uint16_t)pf->link;
	h->fcs_len = 0;
	h->snaplen = (uint32_t)pcap_snapshot(pf->p);
	h->nsec = true;
	return 0;
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	for (unsigned i = 0; i < pf->n_flt; i++)
		pcap_freecode(&pf->flt[i].prog);
	pcapng_free(pf->ng);
	if (pf->ngf)
		fclose(pf->ngf);
	if (pf->p)
		pcap_close(pf->p);
	readahead_free(pf->ra);
	mapguard_remove(pf->map ? pf->guard : -1);
	if (pf->map && pf->map_len > pf->unmapped)
		munmap(pf->map + pf->unmapped, pf->map_len - pf->unmapped);
	if (pf->fd > 0)
		close(pf->fd);
	free(pf);
}
