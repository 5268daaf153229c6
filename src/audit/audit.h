/* audit: the idle timeouts along one path from a client to a server, read
 * from configuration files (nginx, HAProxy, Envoy, sysctl) and from named
 * products' documented defaults, and the findings their order makes.
 *
 * A path is an ordered list of hops, client first. A hop that terminates
 * TCP (a client pool, a proxy, a server) has a client side (the idle
 * timeout it applies to connections from the hop before it) and an
 * upstream side (how long it keeps idle pooled connections to the next
 * hop). A box in between (a cloud L4 load balancer, conntrack) forgets
 * idle flows after its own timeout. A host's sysctls give the TCP
 * keepalive time. Every value carries where it came from.
 *
 * Parsers read bytes with an explicit length and never read past it; on
 * failure they fill struct audit_err with the file, the line and why. */
#ifndef RSTSCOPE_AUDIT_H
#define RSTSCOPE_AUDIT_H
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

#define AUDIT_NONE INFINITY      /* no idle timeout at all */
#define AUDIT_MAX_HOPS 32
#define AUDIT_MAX_FINDINGS 64
#define AUDIT_INCLUDE_DEPTH 8    /* nginx include nesting */
#define AUDIT_MAX_FILES 64       /* files one nginx configuration may pull in */
#define AUDIT_MAX_FILE_BYTES (8u << 20)

enum audit_kind {
	AUDIT_CLIENT,   /* a client's connection pool: upstream side only */
	AUDIT_PROXY,    /* both sides */
	AUDIT_SERVER,   /* client side only */
	AUDIT_BOX,      /* an L4 box that forgets idle flows */
	AUDIT_HOST,     /* a host's kernel settings: keepalive, maybe conntrack */
};

/* One value: s < 0 is unset, AUDIT_NONE is "no timeout". */
struct audit_val {
	double s;
	char param[64];   /* the setting's name: "keepalive_timeout" */
	char src[224];    /* "nginx.conf:12", or "the default of nginx (URL)" */
};

struct audit_hop {
	char name[48];
	char version[16];
	char origin[160];           /* the file, or "named" */
	enum audit_kind kind;
	struct audit_val down;      /* idle timeout of connections from the client side */
	struct audit_val up;        /* idle timeout of pooled connections to the next hop */
	struct audit_val box;       /* an L4 box's (LB, conntrack) idle timeout */
	struct audit_val ka;        /* TCP keepalive time (first probe after idle) */
	struct audit_val info[4];   /* shown, not judged: proxy_read_timeout, ... */
	unsigned n_info;
	bool reuse;                 /* keeps idle connections to the next hop */
	bool ka_off;                /* closes client connections after each response */
	bool silent;                /* forgets idle flows without an RST */
	char silent_fix[160];       /* how to make the box reset instead */
	char note[200];
};

struct audit_err {
	char file[160];
	unsigned line;              /* 0: the file as a whole */
	char msg[160];
};

/* Reads a file for the parsers (nginx includes). Returns a malloc'd
 * buffer and its length, or NULL with errno set. NULL io: no includes. */
struct audit_io {
	char *(*read)(void *ctx, const char *path, size_t *len);
	void *ctx;
};
char *audit_read_file(void *ctx, const char *path, size_t *len);

enum audit_format { AUDIT_FMT_UNKNOWN, AUDIT_FMT_NGINX, AUDIT_FMT_HAPROXY, AUDIT_FMT_ENVOY,
		    AUDIT_FMT_SYSCTL };
extern const char *const audit_format_name[];
enum audit_format audit_sniff(const char *buf, size_t n);

/* Each parser: 0, or -1 with *e filled. name is the file as named (for
 * sources); nginx resolves includes relative to it through io. A sysctl
 * file gives one hop; the others one hop each. */
int audit_parse_nginx(const char *buf, size_t n, const char *name, const struct audit_io *io,
		      struct audit_hop *h, struct audit_err *e);
int audit_parse_haproxy(const char *buf, size_t n, const char *name, struct audit_hop *h,
			struct audit_err *e);
int audit_parse_envoy(const char *buf, size_t n, const char *name, struct audit_hop *h,
		      struct audit_err *e);
int audit_parse_sysctl(const char *buf, size_t n, const char *name, struct audit_hop *h,
		       struct audit_err *e);
/* Sniff and parse a file from disk. */
int audit_parse_file(const char *path, struct audit_hop *h, struct audit_err *e);

/* Durations. nginx: "75", "75s", "1m30s", "500ms" (no unit: seconds);
 * HAProxy: "30s", "5000" (no unit: milliseconds); Envoy: "3600s", "1.5s".
 * Return 0 and seconds, or -1. */
enum audit_dur { AUDIT_DUR_NGINX, AUDIT_DUR_HAPROXY, AUDIT_DUR_ENVOY };
int audit_duration(const char *s, size_t n, enum audit_dur style, double *out);

/* Named hops: NAME or NAME@VERSION, the row for that version of the
 * table in hops.def. Returns 0, or -1 for an unknown name or version. */
int audit_named_hop(const char *spec, struct audit_hop *h);
struct audit_named {
	const char *name, *since, *until;  /* versions [since, until); "" = any */
	enum audit_kind kind;
	double down, up, box, ka;          /* -1: n/a; AUDIT_NONE: none */
	const char *down_param, *up_param, *box_param;
	bool reuse, silent;
	const char *silent_fix, *note, *source;
};
extern const struct audit_named audit_named_table[];
extern const unsigned audit_named_count;
/* Compare dotted versions: <0, 0, >0. */
int audit_version_cmp(const char *a, const char *b);

/* Set every idle timeout a hop has (its client side, upstream side, box)
 * to s, from src (an option). */
void audit_hop_set_idle(struct audit_hop *h, double s, const char *src);
void audit_hop_init(struct audit_hop *h, const char *name, enum audit_kind kind,
		    const char *origin);
void audit_val_set(struct audit_val *v, double s, const char *param, const char *src);

/* The findings: a decision table with named thresholds. */
enum audit_finding_id {
	AUDIT_F_INVERSION,          /* timeout-inversion */
	AUDIT_F_KEEPALIVE,          /* keepalive-above-idle */
	AUDIT_F_UNBOUNDED,          /* unbounded */
	AUDIT_F_SILENT,             /* silent-drop */
	AUDIT_F__COUNT
};
extern const char *const audit_finding_name[];

struct audit_end {
	int hop;                    /* index into the path, -1: none */
	double s;
	char param[64];
	char src[224];
};
struct audit_finding {
	enum audit_finding_id id;
	struct audit_end down;      /* the hop nearer the client */
	struct audit_end up;        /* the hop nearer the server */
	char evidence[640];
	char fix[480];
};

struct audit_threshold {
	const char *name;
	double value;
	const char *unit, *meaning;
};
extern const struct audit_threshold audit_thresholds[];
extern const unsigned audit_threshold_count;
#define AUDIT_RACE_MARGIN_S 1.0    /* this close counts as at or above */
#define AUDIT_FIX_HEADROOM_S 5.0   /* a suggested value stays this far below... */
#define AUDIT_FIX_HEADROOM_FRAC 0.05 /* ...or this fraction, whichever is more */

struct audit_rule {
	enum audit_finding_id id;
	const char *when;
	unsigned (*eval)(const struct audit_hop *hops, unsigned n, struct audit_finding *out,
			 unsigned max);
};
extern const struct audit_rule audit_rules[];
extern const unsigned audit_rule_count;

/* Run every rule over the path; returns the number of findings (at most max). */
unsigned audit_findings(const struct audit_hop *hops, unsigned n, struct audit_finding *out,
			unsigned max);
/* A value suggested below a limit c: c minus the headroom, floored. */
double audit_suggest_below(double c);

/* Output: the path and the findings, as text or JSON Lines. */
void audit_print_text(FILE *f, const struct audit_hop *hops, unsigned n,
		      const struct audit_finding *fs, unsigned nf);
void audit_print_json(FILE *f, const struct audit_hop *hops, unsigned n,
		      const struct audit_finding *fs, unsigned nf);
void audit_print_hops_table(FILE *f);

#endif
