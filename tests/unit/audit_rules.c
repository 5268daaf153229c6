/* audit_rules: each finding rule fires on its own evidence and stays quiet
 * just past its threshold (values drawn); the named-hop table has a source
 * for every row, no overlapping versions, and versioned defaults. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "unit.h"

static struct audit_hop H[8];
static struct audit_finding F[AUDIT_MAX_FINDINGS];

static double drawd(unsigned lo, unsigned hi)
{
	return lo + (unsigned)rand() % (hi - lo + 1);
}

static void client(int i, double up)
{
	audit_hop_init(&H[i], "client", AUDIT_CLIENT, "t");
	audit_val_set(&H[i].up, up, "pool idle", "t:1");
	H[i].reuse = up > 0;
}

static void proxy(int i, double down, double up)
{
	audit_hop_init(&H[i], "proxy", AUDIT_PROXY, "t");
	audit_val_set(&H[i].down, down, "client side", "t:2");
	audit_val_set(&H[i].up, up, "upstream", "t:3");
	H[i].reuse = up > 0;
}

static void server(int i, double down)
{
	audit_hop_init(&H[i], "server", AUDIT_SERVER, "t");
	audit_val_set(&H[i].down, down, "keepalive", "t:4");
}

static void box(int i, double idle, bool silent)
{
	audit_hop_init(&H[i], "box", AUDIT_BOX, "t");
	audit_val_set(&H[i].box, idle, "idle", "t:5");
	H[i].silent = silent;
}

static unsigned count(unsigned n, enum audit_finding_id id)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += F[i].id == id;
	return k;
}

static const struct audit_finding *first(unsigned n, enum audit_finding_id id)
{
	for (unsigned i = 0; i < n; i++)
		if (F[i].id == id)
			return &F[i];
	return NULL;
}

static unsigned run(unsigned n)
{
	return audit_findings(H, n, F, AUDIT_MAX_FINDINGS);
}

static void inversion(void)
{
	double c = drawd(20, 600), a = c + drawd(0, 100);
	const struct audit_finding *f;
	unsigned n;

	/* a client pool above the proxy's client side */
	client(0, a);
	proxy(1, c, c / 2);
	server(2, c * 2);
	n = run(3);
	CHECK_EQ_INT(count(n, AUDIT_F_INVERSION), 1);
	f = first(n, AUDIT_F_INVERSION);
	CHECK(f && f->down.hop == 0 && f->up.hop == 1 && f->down.s == a && f->up.s == c);
	CHECK(f && strstr(f->fix, "below") && strstr(f->evidence, "t:1") && strstr(f->evidence, "t:2"));
	CHECK_EQ_INT(n, 1);
	/* within the race margin still counts; past it does not */
	client(0, c - AUDIT_RACE_MARGIN_S / 2);
	CHECK_EQ_INT(count(run(3), AUDIT_F_INVERSION), 1);
	client(0, c - AUDIT_RACE_MARGIN_S - 1);
	CHECK_EQ_INT(run(3), 0);
	/* a box in between closes first: it is the closer named */
	client(0, c - 2);
	box(1, c / 2, false);
	proxy(2, c, c / 4);
	server(3, c);
	n = run(4);
	f = first(n, AUDIT_F_INVERSION);
	CHECK(f && f->up.hop == 1 && f->up.s == c / 2);
	/* the proxy's upstream above the server's keep-alive */
	client(0, 1);
	proxy(1, c, a);
	server(2, c);
	f = first(run(3), AUDIT_F_INVERSION);
	CHECK(f && f->down.hop == 1 && f->up.hop == 2 && strstr(f->fix, "raise"));
	/* no reuse: no inversion */
	H[1].reuse = false;
	CHECK_EQ_INT(count(run(3), AUDIT_F_INVERSION), 0);
	/* a server with keep-alive off ends the segment */
	client(0, a);
	server(1, 0);
	H[1].ka_off = true;
	CHECK_EQ_INT(run(2), 0);
	/* an unbounded pool before a closer is an inversion */
	client(0, AUDIT_NONE);
	server(1, c);
	CHECK_EQ_INT(count(run(2), AUDIT_F_INVERSION), 1);
}

static void keepalive(void)
{
	double m = drawd(60, 3600);
	unsigned n;

	audit_hop_init(&H[0], "host", AUDIT_HOST, "t");
	audit_val_set(&H[0].ka, m + drawd(0, 5000), "tcp_keepalive_time", "s:1");
	box(1, m, false);
	n = run(2);
	CHECK_EQ_INT(count(n, AUDIT_F_KEEPALIVE), 1);
	CHECK(first(n, AUDIT_F_KEEPALIVE)->down.hop == 0 && first(n, AUDIT_F_KEEPALIVE)->up.hop == 1);
	audit_val_set(&H[0].ka, m - AUDIT_RACE_MARGIN_S - drawd(1, 50), "tcp_keepalive_time", "s:1");
	CHECK_EQ_INT(count(run(2), AUDIT_F_KEEPALIVE), 0);
	/* the host's own conntrack */
	audit_val_set(&H[0].ka, m, "tcp_keepalive_time", "s:1");
	audit_val_set(&H[0].box, m / 2, "nf_conntrack", "s:2");
	CHECK_EQ_INT(count(run(1), AUDIT_F_KEEPALIVE), 1);
}

static void unbounded(void)
{
	double a = drawd(5, 300);
	unsigned n;

	client(0, a);
	server(1, AUDIT_NONE);
	n = run(2);
	CHECK_EQ_INT(count(n, AUDIT_F_UNBOUNDED), 1);
	CHECK_EQ_INT(n, 1);
	CHECK(first(n, AUDIT_F_UNBOUNDED)->up.hop == 1 && strstr(first(n, AUDIT_F_UNBOUNDED)->fix, "above"));
	server(1, a + 10);
	CHECK_EQ_INT(run(2), 0);
	/* a pool for ever with nothing after it that closes */
	client(0, AUDIT_NONE);
	server(1, AUDIT_NONE);
	CHECK_EQ_INT(count(run(2), AUDIT_F_UNBOUNDED), 2);
	CHECK_EQ_INT(count(run(2), AUDIT_F_INVERSION), 0);
}

static void silent(void)
{
	double m = drawd(60, 3600), a = m + drawd(0, 600);
	const struct audit_finding *f;
	unsigned n;

	client(0, a);
	box(1, m, true);
	server(2, a + 100);
	n = run(3);
	CHECK_EQ_INT(count(n, AUDIT_F_SILENT), 1);
	f = first(n, AUDIT_F_SILENT);
	CHECK(f && f->down.hop == 0 && f->up.hop == 1);
	CHECK_EQ_INT(count(n, AUDIT_F_INVERSION), 1);
	/* not silent: the inversion alone */
	H[1].silent = false;
	CHECK_EQ_INT(count(run(3), AUDIT_F_SILENT), 0);
	/* connections closed before the box forgets them: quiet */
	H[1].silent = true;
	client(0, m - AUDIT_RACE_MARGIN_S - drawd(1, 30));
	CHECK_EQ_INT(run(3), 0);
	/* the server closes first even with a long pool */
	client(0, a);
	server(2, m / 2);
	n = run(3);
	CHECK_EQ_INT(count(n, AUDIT_F_SILENT), 0);
}

static void hops_table(void)
{
	struct audit_hop h;

	for (unsigned i = 0; i < audit_named_count; i++) {
		const struct audit_named *r = &audit_named_table[i];

		CHECK(r->source && (!strncmp(r->source, "https://", 8)));
		CHECK(r->note && *r->note);
		for (unsigned j = i + 1; j < audit_named_count; j++) {
			const struct audit_named *s = &audit_named_table[j];

			if (strcmp(r->name, s->name))
				continue;
			/* ranges [since, until) must not overlap */
			bool apart = (*r->until && *s->since && audit_version_cmp(r->until, s->since) <= 0) ||
				     (*s->until && *r->since && audit_version_cmp(s->until, r->since) <= 0);
			CHECK(apart);
		}
	}
	static const char *const must[] = { "aws-alb", "aws-nlb", "gcp-lb", "azure-lb", "node", "node-agent",
					     "go-http", "go-http-client", "gunicorn", "uvicorn", "apache",
					     "tomcat", "pgbouncer", "envoy", "nginx", "haproxy" };
	for (unsigned i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		CHECK_EQ_INT(audit_named_hop(must[i], &h), 0);
	CHECK(!audit_named_hop("node@20", &h) && h.down.s == 5);
	CHECK(!audit_named_hop("node@20.11.1", &h) && h.down.s == 5);
	CHECK(!audit_named_hop("node@26", &h) && h.down.s == 65);
	CHECK(!audit_named_hop("node", &h) && h.down.s == 65);
	CHECK(!audit_named_hop("node-agent@18", &h) && !h.reuse);
	CHECK(!audit_named_hop("node-agent@22", &h) && h.reuse && h.up.s == 5);
	CHECK(!audit_named_hop("aws-alb", &h) && h.down.s == 60 && strstr(h.down.src, "https://"));
	CHECK(!audit_named_hop("go-http", &h) && isinf(h.down.s));
	CHECK(!audit_named_hop("azure-lb", &h) && h.silent && h.box.s == 240);
	CHECK(audit_named_hop("nosuch", &h));
	CHECK(audit_named_hop("node@x", &h));
	CHECK(audit_named_hop("node@", &h));
	CHECK(audit_version_cmp("1.10", "1.9") > 0 && audit_version_cmp("26", "26.0") == 0);
	CHECK(audit_suggest_below(60) == 55 && audit_suggest_below(5) == 2.5);
	/* a default chain the reference names: ALB in front of Node 20 */
	audit_named_hop("aws-alb", &H[0]);
	audit_named_hop("node@20", &H[1]);
	CHECK_EQ_INT(count(run(2), AUDIT_F_INVERSION), 1);
	audit_named_hop("node@26", &H[1]);
	CHECK_EQ_INT(run(2), 0);
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

	printf("audit_rules: seed %u\n", seed);
	srand(seed);
	for (int r = 0; r < 20; r++) {
		inversion();
		keepalive();
		unbounded();
		silent();
	}
	hops_table();
	CHECK_EQ_INT(audit_rule_count, AUDIT_F__COUNT);
	return unit_done("audit_rules");
}
