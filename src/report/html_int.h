/* html_int: what the collector of analyze --html (html.c) keeps for its
 * writer (html_write.c). Private to those two files. */
#ifndef RSTSCOPE_HTML_INT_H
#define RSTSCOPE_HTML_INT_H
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "report/html.h"
#include "report/ladder.h"

#define HTML_NONE UINT32_MAX

/* One RST of the table: enum values and ids into the report's strings. */
struct html_row {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t src, dst;      /* string ids of the addresses */
	uint32_t method;        /* string id, HTML_NONE: no HTTP request */
	uint32_t ladder;        /* index into the capture's ladders, or HTML_NONE */
	uint32_t evid;          /* index into its evidence, or HTML_NONE */
	uint32_t cluster;
	float idle_gap_s;       /* < 0: none */
	uint16_t sport, dport;
	uint8_t kind, role, forged, cause, shape, ttl, flags, ipver;
	uint8_t seen, absent;   /* --correlate masks */
};

struct html_evid {
	char forged[256], cause[256];
	char payload[64];
	uint64_t bytes_in_flight;
	uint32_t prior_requests;
	uint16_t last_status;
	uint8_t expect_100, unanswered, tls;
};

struct html_pkt {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t seq, ack, len;
	uint16_t win;
	uint8_t flags, ttl;
	uint8_t dir;            /* 0: towards the RST's sender (left to right) */
	char text[HTML_TEXT_MAX]; /* printable start of the payload, "" none */
};

/* A flow's packets around its first RST. a is the first RST's receiver
 * (drawn left), b its claimed sender (right). */
struct html_ladder {
	struct ipaddr a, b;
	uint16_t pa, pb;
	uint64_t anchor;        /* frame of the flow's first RST */
	struct html_pkt head[HTML_LADDER_HEAD];
	struct html_pkt ring[HTML_LADDER_BEFORE];
	struct html_pkt after[HTML_LADDER_AFTER];
	struct ladder_win win;  /* which of them head, ring and after hold */
};

#define HTML_CAUSE_EX 3

struct html_capture {
	char *name;
	struct html_row *rows;
	size_t n_rows, cap_rows;
	uint64_t rows_dropped;
	struct html_ladder *lad;
	unsigned n_lad;
	uint32_t lad_slot[HTML_LADDERS_MAX * 4]; /* tuple hash -> ladder, HTML_NONE empty */
	unsigned lad_taken[CAUSE__COUNT];
	uint64_t rows_no_ladder;
	struct html_evid *ev;
	unsigned n_ev;
	uint32_t cause_ex[CAUSE__COUNT][HTML_CAUSE_EX]; /* rows of each cause's first RSTs */
	unsigned n_cause_ex[CAUSE__COUNT];
	struct diagnosis *diag; /* NULL until the capture ended */
	struct engine_stats stats;
	char *text, *read_error;
	char *ladder_note;      /* why the ladders are missing, NULL: they are there */
	int64_t t_first, t_last; /* the capture's span (INT64_MAX/MIN: unknown) */
	const char *const *corr_files;
	unsigned corr_n;
};

struct html_report {
	struct html_capture *cap;
	unsigned n_cap;
	char *corr_text;
	/* strings: addresses, methods; interned */
	char **str;
	uint32_t n_str, cap_str;
	uint32_t *str_slot;     /* open addressing, HTML_NONE empty */
	uint32_t n_slot;
};

#endif
