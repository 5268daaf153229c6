/* correlate/internal.h: the records the correlate stage shares between its
 * files (table.c reads captures, match.c pairs flows, clock.c aligns,
 * presence.c decides and answers). Not an interface: see correlate.h. */
#ifndef RSTSCOPE_CORRELATE_INTERNAL_H
#define RSTSCOPE_CORRELATE_INTERNAL_H
#include "correlate/correlate.h"

#define CORR_NONE UINT32_MAX

/* One kept segment (never an RST). */
struct corr_anchor {
	int64_t ts;
	uint32_t seq, ack;
	uint16_t len;
	uint8_t flags;
};

/* One flow of one capture. Direction 0 is from endpoint 0, which is the
 * client once a SYN or SYN-ACK said so, else the first sender seen. */
struct corr_flow {
	struct ipaddr addr[2];
	uint16_t port[2];
	bool client_known;
	uint8_t has_isn;            /* bit d: isn[d] known */
	uint8_t nfirst[2], nlast[2], lastpos[2];
	uint32_t isn[2];
	int64_t first_ts, last_ts, syn_ts;
	uint32_t prev;              /* the older flow of the same tuple */
	struct corr_anchor first[2][CORR_ANCHORS];
	struct corr_anchor last[2][CORR_ANCHORS];  /* a ring */
};

struct corr_rst {
	uint64_t frame;
	int64_t ts;
	uint32_t flow;              /* CORR_NONE: beyond the flow cap */
	uint32_t seq, ack;
	uint8_t dir, flags;
	uint8_t seen, absent;       /* after corr_finish */
};

struct corr_file {
	const char *name;
	struct corr_flow *flows;
	uint32_t nflows, capflows;
	uint32_t *slots;            /* open addressing: the newest flow of a tuple */
	uint32_t nslots;            /* a power of two, or 0 */
	struct corr_rst *rsts;
	uint32_t nrsts, caprsts;
	uint32_t *by_flow;          /* RST indices sorted by (flow, ts) */
	int64_t first_ts, last_ts;
	bool any, read_error;
	uint64_t dropped_flows, dropped_rsts;
};

enum corr_how { HOW_NONE, HOW_TUPLE, HOW_NAT_ISN, HOW_NAT_DATA };

/* Flow `flow` of the other capture; a packet of direction d here is
 * direction d ^ swap there, with seq + dseq[d]. */
struct corr_link {
	uint32_t flow;
	uint32_t dseq[2];
	uint8_t swap, how;
};

struct corr_samples {
	int64_t *v;
	uint32_t n, seen;
	uint32_t rng;               /* the reservoir's draws */
};

struct corr_pairstate {
	unsigned a, b;
	struct corr_link *ab, *ba;  /* per flow of a / of b */
	struct corr_samples s[3];   /* from a's client, from a's server, orientation unknown */
	int64_t offset_ns, delay_ns, window_ns;
	bool clock_known, delay_known;
	uint64_t samples;
	uint64_t by_how[4], seq_shifted;
};

struct corr {
	unsigned n;
	const char *const *files;
	struct corr_file f[CORR_MAX];
	unsigned npairs;
	struct corr_pairstate p[CORR_PAIRS_MAX];
	bool finished;
};

/* table.c */
bool corr_flow_same_tuple(const struct corr_flow *x, const struct corr_flow *y);
uint32_t corr_find_tuple(const struct corr_file *cf, const struct corr_flow *like);
void corr_file_release(struct corr_file *cf);
/* match.c */
int corr_match_pair(struct corr *c, struct corr_pairstate *ps);
/* The anchor of g (direction gd) that is the same packet as anchor x of a
 * flow linked to g with offsets l; NULL when none. */
const struct corr_anchor *corr_same_packet(const struct corr_flow *g, unsigned gd,
					   const struct corr_anchor *x, const struct corr_link *l,
					   unsigned xd);
/* clock.c */
void corr_samples_add(struct corr_samples *s, int64_t v);
void corr_samples_release(struct corr_samples *s);
/* Collect the samples of every linked flow and estimate the pair's clock. */
int corr_clock_pair(struct corr *c, struct corr_pairstate *ps);
/* presence.c */
int corr_presence(struct corr *c);
/* The pair state of captures i, j (any order), and whether i is its a. */
struct corr_pairstate *corr_pair_of(struct corr *c, unsigned i, unsigned j, bool *i_is_a);

#endif
