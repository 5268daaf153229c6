/* pcapfile: capture files (pcap, pcapng, "-" for stdin) through libpcap,
 * one frame at a time, with the file's own frame numbers kept even when a
 * BPF filter skips frames. A pcapng file mixing link types (which libpcap
 * refuses) is read on by src/sources/pcapng.c. */
#ifndef RSTSCOPE_PCAPFILE_H
#define RSTSCOPE_PCAPFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapfile;

struct pcap_frame {
	const uint8_t *data;
	size_t caplen, wirelen;
	int64_t ts_ns;
	uint64_t number;   /* 1-based frame number in the file */
	int link;          /* the frame's link type (pcapng files can mix them) */
};

/* Open `path` with an optional tcpdump filter. On error, NULL and a message
 * (without the file name) in err. */
struct pcapfile *pcapfile_open(const char *path, const char *filter, char *err, size_t errsz);
/* 1: a frame (passing the filter); 0: end of file; -1: error, message in
 * err naming the frame number that could not be read; 2 (one-step mode
 * only): no frame yet, the generation grew by one and must be dealt with
 * before the next call (which may grow it again). */
int pcapfile_next(struct pcapfile *pf, struct pcap_frame *fr, char *err, size_t errsz);
/* One-step mode: a call grows the generation by at most one. Without it
 * a call that skips frames a filter rejects may pass several generations
 * at once, ending the frames of all of them: for callers that keep frames
 * across calls (batches), which must see every step. */
void pcapfile_one_step(struct pcapfile *pf);
/* Frames of files read by rstscope itself stay valid while this number
 * grows by at most pcapfile_generation_lag() (one at least): they can be
 * fed to the engine in batches, flushed when it changes. UINT64_MAX: a
 * frame is valid only until the next pcapfile_next() (libpcap). */
uint64_t pcapfile_generation(const struct pcapfile *pf);
/* How far the generation may grow while a frame stays valid: 1, or 2 for a
 * mapped file (its frames outlive a generation more: a reader ahead of its
 * consumer need not wait at every generation). */
unsigned pcapfile_generation_lag(const struct pcapfile *pf);
/* A file read ahead (not mapped) is read on the calling thread from now
 * on, not on one of its own: for a caller that is itself a reading thread
 * beside a busy one, with no CPU for a third. */
void pcapfile_read_here(struct pcapfile *pf);
/* Frames read so far (an error is about the next one). */
uint64_t pcapfile_frames(const struct pcapfile *pf);
/* The link type of the file's first interface. */
int pcapfile_link(const struct pcapfile *pf);
const char *pcapfile_link_name(const struct pcapfile *pf);
/* The file header of a classic pcap file, for a writer that copies it. */
struct pcapfile_header {
	uint16_t linktype;   /* LINKTYPE_ value (not libpcap's DLT) */
	uint8_t fcs_len;     /* bytes of FCS each frame ends with, when the header says */
	uint32_t snaplen;
	bool nsec;           /* timestamps in nanoseconds (else microseconds) */
};
/* 0, or -1 when rstscope cannot tell (its pcapng fallback). A pcapng file
 * read by libpcap is not told from a pcap file here: check its magic. */
int pcapfile_header(const struct pcapfile *pf, struct pcapfile_header *h);
void pcapfile_close(struct pcapfile *pf);

#endif
