/* kstore: kernel resets in a ring by arrival, matched by 4-tuple and time. */
#include "kernel/kernel.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LOCAL 4352   /* this namespace's 256 and every other one's */
#define MAX_LOSSES 64

struct kslot {
	struct kernel_reset r;
	bool claimed;
};

struct kstore {
	int64_t window_ns;
	unsigned cap, head, count;       /* ring of resets */
	struct kslot *s;
	struct ipaddr local[MAX_LOCAL];
	size_t nlocal;
	int64_t loss[MAX_LOSSES];        /* times events were lost (ring) */
	unsigned nloss;
	struct khost_event host[KHOST_MAX];   /* ring */
	unsigned nhost;
	struct kstore_stats st;
};

struct kstore *kstore_new(const struct kstore_opts *o)
{
	struct kstore *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	ks->window_ns = (int64_t)((o && o->window_s > 0 ? o->window_s : 1.0) * 1e9);
	ks->cap = o && o->cap ? o->cap : 4096;
	ks->s = calloc(ks->cap, sizeof(*ks->s));
	if (!ks->s) {
		free(ks);
		return NULL;
	}
	return ks;
}

void kstore_free(struct kstore *ks)
{
	if (!ks)
		return;
	free(ks->s);
	free(ks);
}

int64_t kstore_window_ns(const struct kstore *ks)
{
	return ks->window_ns;
}

void kstore_stats(const struct kstore *ks, struct kstore_stats *s)
{
	*s = ks->st;
}

void kstore_set_local(struct kstore *ks, const struct ipaddr *a, size_t n)
{
	ks->nlocal = n < MAX_LOCAL ? n : MAX_LOCAL;
	memcpy(ks->local, a, ks->nlocal * sizeof(*a));
}

bool kstore_is_local(const struct kstore *ks, const struct ipaddr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	if (ipaddr_is_v4(a) && a->b[12] == 127)
		return true;
	if (!memcmp(a->b, lo6, 16))
		return true;
	for (size_t i = 0; i < ks->nlocal; i++)
		if (!memcmp(&ks->local[i], a, sizeof(*a)))
			return true;
	return false;
}

bool kstore_full(const struct kstore *ks)
{
	return ks->count == ks->cap;
}

bool kstore_add(struct kstore *ks, const struct kernel_reset *r)
{
	struct kslot *s;

	if (ks->count == ks->cap)
		return false;
	s = &ks->s[(ks->head + ks->count++) % ks->cap];
	s->r = *r;
	s->claimed = false;
	ks->st.added++;
	return true;
}

void kstore_note_lost(struct kstore *ks, int64_t wall_ns)
{
	ks->loss[ks->nloss++ % MAX_LOSSES] = wall_ns;
	ks->st.losses++;
}

bool kstore_lost_near(const struct kstore *ks, int64_t t)
{
	unsigned n = ks->nloss < MAX_LOSSES ? ks->nloss : MAX_LOSSES;

	for (unsigned i = 0; i < n; i++) {
		int64_t d = ks->loss[i] - t;

		if (d > -ks->window_ns && d < 5 * ks->window_ns)
			return true;
	}
	return false;
}

static bool addr_zero(const struct ipaddr *a)
{
	static const uint8_t z[16];

	return !memcmp(a->b, z, 16) || (ipaddr_is_v4(a) && !memcmp(a->b + 12, z, 4));
}

static bool matches(const struct kernel_reset *r, const struct ipaddr *a, uint16_t ap,
		    const struct ipaddr *b, uint16_t bp)
{
	if (r->sport != ap)
		return false;
	if (r->dport == 0 && addr_zero(&r->dst))   /* a listener's: its side only */
		return addr_zero(&r->src) || !memcmp(&r->src, a, sizeof(*a));
	return r->dport == bp && !memcmp(&r->src, a, sizeof(*a)) && !memcmp(&r->dst, b, sizeof(*b));
}

static struct kslot *nearest(struct kstore *ks, enum kernel_dir d, int64_t t,
			     const struct ipaddr *a, uint16_t ap, const struct ipaddr *b,
			     uint16_t bp)
{
	struct kslot *best = NULL;
	int64_t bestd = 0;

	for (unsigned i = 0; i < ks->count; i++) {
		struct kslot *s = &ks->s[(ks->head + i) % ks->cap];
		int64_t dt = s->r.wall_ns > t ? s->r.wall_ns - t : t - s->r.wall_ns;

		if (s->claimed || s->r.dir != d || dt > ks->window_ns || !matches(&s->r, a, ap, b, bp))
			continue;
		if (!best || dt < bestd)
			best = s, bestd = dt;
	}
	return best;
}

const struct kernel_reset *kstore_claim(struct kstore *ks, enum kernel_dir d, int64_t t,
					const struct ipaddr *a, uint16_t ap,
					const struct ipaddr *b, uint16_t bp)
{
	struct kslot *s = nearest(ks, d, t, a, ap, b, bp);

	if (!s)
		return NULL;
	s->claimed = true;
	ks->st.claimed++;
	return &s->r;
}

int kstore_pop(struct kstore *ks, int64_t before_ns, struct kernel_reset *out)
{
	struct kslot *s, *twin;
	bool sent;

	if (!ks->count)
		return -1;
	s = &ks->s[ks->head];
	if (before_ns != INT64_MAX && s->r.wall_ns >= before_ns)
		return -1;
	ks->head = (ks->head + 1) % ks->cap;
	ks->count--;
	ks->st.popped++;
	if (s->claimed)
		return 0;
	/* one reset, two events: the sent one speaks for both */
	sent = s->r.dir == KRESET_SENT;
	twin = nearest(ks, sent ? KRESET_RECEIVED : KRESET_SENT, s->r.wall_ns, &s->r.dst,
		       s->r.dport, &s->r.src, s->r.sport);
	if (twin) {
		ks->st.paired++;
		if (!sent)
			return 0;   /* its sent twin is still in the store */
		twin->claimed = true;
	}
	*out = s->r;
	return 1;
}

void kstore_add_host(struct kstore *ks, const struct khost_event *ev)
{
	ks->host[ks->nhost++ % KHOST_MAX] = *ev;
}

const struct khost_event *kstore_host_near(const struct kstore *ks, int pid, const char *cgroup,
					   int64_t t)
{
	const struct khost_event *by_pid = NULL, *by_cg = NULL;
	unsigned n = ks->nhost < KHOST_MAX ? ks->nhost : KHOST_MAX;
	bool cg = cgroup && cgroup[0] && strcmp(cgroup, "/");

	for (unsigned i = 0; i < n; i++) {
		const struct khost_event *h = &ks->host[i];

		if (h->kind != KHOST_OOM_KILL ||
		    h->wall_ns < t - (int64_t)(KHOST_BEFORE_S * 1e9) || h->wall_ns > t + ks->window_ns)
			continue;
		if (pid > 0 && h->pid == pid && (!by_pid || h->wall_ns > by_pid->wall_ns))
			by_pid = h;
		if (cg && !strcmp(h->cgroup, cgroup) && (!by_cg || h->wall_ns > by_cg->wall_ns))
			by_cg = h;
	}
	return by_pid ? by_pid : by_cg;
}

static bool any_addr(const struct ipaddr *a)
{
	static const uint8_t zero[16], v4any[16] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a->b, zero, 16) || !memcmp(a->b, v4any, 16);
}

/* How far t lies outside h's interval (0: inside it). */
static int64_t outside_by(const struct khost_event *h, int64_t t)
{
	int64_t from = h->wall_ns - (int64_t)(h->interval_s * 1e9);

	return t < from ? from - t : t > h->wall_ns ? t - h->wall_ns : 0;
}

const struct khost_event *kstore_overflow_near(const struct kstore *ks, uint64_t netns,
					       const struct ipaddr *a, uint16_t port, int64_t t)
{
	const struct khost_event *best = NULL;
	int64_t best_off = 0;
	unsigned n = ks->nhost < KHOST_MAX ? ks->nhost : KHOST_MAX;

	for (unsigned i = 0; i < n; i++) {
		const struct khost_event *h = &ks->host[i];
		int64_t off;

		if (h->kind != KHOST_LISTEN_OVERFLOW || !h->drops || h->lport != port)
			continue;
		if (netns && h->netns && netns != h->netns)
			continue;
		if (!any_addr(&h->laddr) && memcmp(h->laddr.b, a->b, 16))
			continue;
		off = outside_by(h, t);
		if (off > ks->window_ns)
			continue;
		/* the interval that holds t; else the nearest; a tie: the later */
		if (!best || off < best_off || (off == best_off && h->wall_ns > best->wall_ns))
			best = h, best_off = off;
	}
	return best;
}
