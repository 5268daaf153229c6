/* kstore_overflow: a listener's overflows, sampled as consecutive intervals
 * the way watch samples the host (drawn lengths, drawn drops, some
 * intervals with none while the queue stays full), among other listeners'
 * (other port, namespace, address). A reset sent at a drawn time is named
 * the overflow of the interval that holds it when that interval had drops;
 * an interval without drops is never named; another listener's never. */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "unit.h"

#define NIV 12

static struct ipaddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ipaddr x;

	memset(&x, 0, sizeof(x));
	x.b[10] = x.b[11] = 0xff;
	x.b[12] = a, x.b[13] = b, x.b[14] = c, x.b[15] = d;
	return x;
}

static struct khost_event ev(int64_t end_ns, double iv_s, uint64_t drops, struct ipaddr a,
			     uint16_t port, uint64_t netns)
{
	struct khost_event h;

	memset(&h, 0, sizeof(h));
	h.kind = KHOST_LISTEN_OVERFLOW;
	h.wall_ns = end_ns;
	h.interval_s = iv_s;
	h.drops = drops;
	h.laddr = a;
	h.lport = port;
	h.netns = netns;
	h.rate = iv_s > 0 ? (double)drops / iv_s : 0;
	return h;
}

static int64_t draw_ns(int64_t lo, int64_t hi)
{
	return lo + (int64_t)((double)rand() / ((double)RAND_MAX + 1) * (double)(hi - lo));
}

/* one draw, from the seed srand was given */
static void one(void)
{
	struct kstore_opts ko = { .window_s = 0.2 + (rand() % 9) / 10.0 };
	struct kstore *ks = kstore_new(&ko);
	int64_t end[NIV], start0 = 1700000000LL * 1000000000LL + draw_ns(0, 1000000000);
	double iv[NIV];
	uint64_t drops[NIV];
	uint16_t port = (uint16_t)(1024 + rand() % 60000);
	uint64_t netns = 4026531840ULL + (unsigned)(rand() % 1000);
	struct ipaddr any = v4(0, 0, 0, 0), me = v4(10, 0, (uint8_t)(rand() % 256), 2);
	struct ipaddr bound = rand() % 2 ? any : me;
	int64_t t = start0;

	for (int i = 0; i < NIV; i++) {
		/* a soon sample (0.2 s) or a regular one (drawn 0.5..3 s) */
		iv[i] = rand() % 3 ? 0.2 + (rand() % 5) / 100.0 : 0.5 + (rand() % 250) / 100.0;
		t += (int64_t)(iv[i] * 1e9);
		end[i] = t;
		drops[i] = rand() % 3 ? 0 : 1 + (uint64_t)(rand() % 20);
	}
	/* the other listeners first, then ours, then more others: order must
	 * not matter */
	for (int i = 0; i < NIV; i++) {
		struct khost_event o = ev(end[i], iv[i], 5, bound, (uint16_t)(port + 1), netns);

		if (rand() % 2)
			kstore_add_host(ks, &o);
		o = ev(end[i], iv[i], 5, bound, port, netns + 1);
		if (rand() % 2)
			kstore_add_host(ks, &o);
	}
	for (int i = 0; i < NIV; i++) {
		struct khost_event h = ev(end[i], iv[i], drops[i], bound, port, netns);

		kstore_add_host(ks, &h);
	}
	if (rand() % 2 && bound.b[15]) {
		struct ipaddr other = v4(10, 0, bound.b[14], 3);
		struct khost_event o = ev(end[NIV / 2], iv[NIV / 2], 7, other, port, netns);

		kstore_add_host(ks, &o);
	}
	for (int k = 0; k < 40; k++) {
		int i = rand() % NIV;
		int64_t from = end[i] - (int64_t)(iv[i] * 1e9);
		/* strictly inside interval i */
		int64_t rst = draw_ns(from + 1, end[i]);
		struct ipaddr src = bound.b[15] ? bound : v4(10, 0, 9, (uint8_t)(1 + rand() % 200));
		uint64_t ns = rand() % 4 ? netns : 0;   /* 0: the reset's namespace unknown */
		const struct khost_event *h = kstore_overflow_near(ks, ns, &src, port, rst);

		int64_t off = -1;

		if (h) {
			int64_t hf = h->wall_ns - (int64_t)(h->interval_s * 1e9);

			off = rst < hf ? hf - rst : rst > h->wall_ns ? rst - h->wall_ns : 0;
			/* never an interval without drops, another port or address;
			 * another namespace's only when the reset's is unknown */
			CHECK(h->drops > 0);
			CHECK_EQ_INT(h->lport, port);
			CHECK(!memcmp(h->laddr.b, bound.b, 16));
			CHECK(!ns || h->netns == netns);
			CHECK(off <= (int64_t)(ko.window_s * 1e9));
		}
		if (drops[i] && ns) {
			/* its own interval */
			CHECK(h != NULL);
			if (h) {
				CHECK_EQ_INT(h->wall_ns, end[i]);
				CHECK_EQ_INT(h->drops, drops[i]);
			}
		} else if (drops[i]) {
			CHECK(h && off == 0);
		} else if (h && h->netns == netns) {
			/* an interval of its listener with drops near it */
			CHECK(off > 0);
		}
	}
	/* a reset far from every interval: none */
	CHECK(kstore_overflow_near(ks, netns, &bound, port, t + 10LL * 1000000000LL) == NULL);
	/* another port: none */
	CHECK(kstore_overflow_near(ks, netns, &bound, (uint16_t)(port + 2), end[0]) == NULL);
	kstore_free(ks);
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20261201u;

	for (unsigned d = 0; d < 200; d++) {
		srand(seed + d);
		int before = unit_failures;

		one();
		if (unit_failures != before)
			fprintf(stderr, "kstore_overflow: failed with seed %u\n", seed + d);
	}
	return unit_done("kstore_overflow");
}
