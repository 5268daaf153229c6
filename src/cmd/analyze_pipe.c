/* analyze_pipe: one capture file over two threads. A reader thread reads
 * and decodes batches of frames (engine_decode_batch touches no engine)
 * while the calling thread feeds them to the engine in file order, so the
 * output is that of the single path byte for byte. Frames stay valid while
 * the file's generation grows by at most its lag (pcapfile.h): before a
 * read that may end a generation's frames the reader waits until every
 * batch holding them is done (for a mapped file, whose lag is 2, that is
 * long done: the queue holds less than a window of ordinary frames). */
#include "cmd/analyze_pipe.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define QUEUE 64    /* batches between the threads (about 4000 frames) */
/* A side that must wait first spins this many times (a pause each, some
 * 10 to 100 microseconds in all: longer than the other side takes for a
 * batch) watching the other's counter, and only then sleeps. Waking a
 * sleeping thread costs a system call on the waker and, on a virtual
 * machine, an interrupt between processors; most waits end within the
 * spin. Not when the process may use only one CPU: there the spin would
 * hold off the very thread it waits for. */
#define SPIN 2048
/* generations whose first batch the reader remembers (lag + 1 at most) */
#define LAG_RING 4

/* The queue is a ring with one writer a counter: `put` (batches queued,
 * the reader's) and `got` (batches done, the feeder's); both only grow.
 * Batch k is q[k % QUEUE]; queued and not done: put - got. A side that
 * found nothing to do after its spin sleeps under the lock with its
 * `*_sleeps` flag set; the other side, after moving its counter, reads
 * the flag (all sequentially consistent: either the sleeper sees the new
 * counter or the mover sees the flag) and wakes it under the lock. */
struct pipe {
	struct pcapfile *pf;
	const char *path;
	struct engine_batch *q;
	uint64_t put, got;
	unsigned spin;             /* SPIN, or 0 on one CPU */
	bool done;                 /* the reader's last batch is queued */
	bool reader_sleeps, feeder_sleeps;
	int rc;                    /* the reader's last pcapfile_next() */
	char err[512];
	pthread_mutex_t mu;
	pthread_cond_t to_reader, to_feeder;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline uint64_t load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_SEQ_CST);
}

/* reader: are the batches before `need` done? */
static bool done_(struct pipe *p, uint64_t need)
{
	return load(&p->got) >= need;
}

/* feeder: a batch queued, or the reader done? */
static bool ready(struct pipe *p, uint64_t unused)
{
	(void)unused;
	return load(&p->put) != p->got || __atomic_load_n(&p->done, __ATOMIC_SEQ_CST);
}

/* Spin, then sleep under the lock until ok(p, arg); the flag tells the
 * other side to wake it. */
static void sleep_until(struct pipe *p, bool *sleeps, pthread_cond_t *cv,
			bool (*ok)(struct pipe *p, uint64_t arg), uint64_t arg)
{
	for (unsigned i = 0; i < p->spin; i++) {
		if (ok(p, arg))
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(sleeps, true, __ATOMIC_SEQ_CST);
	while (!ok(p, arg))
		pthread_cond_wait(cv, &p->mu);
	__atomic_store_n(sleeps, false, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&p->mu);
}

static void wake(struct pipe *p, bool *sleeps, pthread_cond_t *cv)
{
	if (__atomic_load_n(sleeps, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_signal(cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Wait (reader) until the batches before `need` are done (need is at least
 * put - QUEUE + 1: the slot of batch put is then free; the feeder never
 * touches it until put moves). */
static struct engine_batch *reader_wait(struct pipe *p, uint64_t need)
{
	sleep_until(p, &p->reader_sleeps, &p->to_reader, done_, need);
	return &p->q[p->put % QUEUE];
}

static void push(struct pipe *p)
{
	__atomic_store_n(&p->put, p->put + 1, __ATOMIC_SEQ_CST);
	wake(p, &p->feeder_sleeps, &p->to_feeder);
}

/* Wait (feeder) for the next batch; NULL when the reader is done and
 * every batch it queued was processed (done is set after its last put,
 * so put is read again after done was seen). */
static struct engine_batch *feeder_wait(struct pipe *p)
{
	sleep_until(p, &p->feeder_sleeps, &p->to_feeder, ready, 0);
	if (load(&p->put) == p->got)
		return NULL;
	return &p->q[p->got % QUEUE];
}

static void pop(struct pipe *p)
{
	__atomic_store_n(&p->got, p->got + 1, __ATOMIC_SEQ_CST);
	wake(p, &p->reader_sleeps, &p->to_reader);
}

/* The reader's loop. Before any read it waits for a free slot and, when
 * the read may start a generation (any read may; one at most, in one-step
 * mode), for every batch of the generations it ends to be done: with a
 * lag of L (pcapfile.h), reading into generation c + 1 ends the frames of
 * c - L, so in generation c the batches before the first of c - L + 1
 * must be done. Batches hold frames of one generation. */
static void *reader(void *arg)
{
	struct pipe *p = arg;
	uint64_t gen = pcapfile_generation(p->pf);
	unsigned lag = pcapfile_generation_lag(p->pf);
	/* first[g % LAG_RING]: the first batch of generation g (0 before the
	 * file's first; only the last `lag` are ever asked for) */
	uint64_t first[LAG_RING] = { 0 }, need = 0;
	struct pcap_frame fr;
	bool have = false, step = false;
	int rc = 1;

	if (lag < 1)
		lag = 1;
	if (lag > LAG_RING - 1)
		lag = LAG_RING - 1;
	pcapfile_one_step(p->pf);
	while (rc >= 1 || have) {
		uint64_t slot = p->put >= QUEUE ? p->put - QUEUE + 1 : 0;
		struct engine_batch *b;

		if (step) {   /* generation gen starts with the batch put now */
			first[gen % LAG_RING] = p->put;
			need = first[(gen - lag + 1) % LAG_RING];
			step = false;
		}
		b = reader_wait(p, need > slot ? need : slot);
		b->n = 0;
		if (have) {                /* the first frame of a new generation */
			b->in[b->n++] = (struct engine_input){ fr.data, fr.caplen, fr.ts_ns, fr.number,
							       fr.link };
			have = false;
		}
		while (b->n < ENGINE_BATCH_MAX &&
		       (rc = pcapfile_next(p->pf, &fr, p->err, sizeof(p->err))) >= 1) {
			uint64_t now = pcapfile_generation(p->pf);

			if (now != gen) {  /* always so for rc 2: a step, no frame */
				gen = now;
				step = true;
				have = rc == 1;   /* in a batch of its own generation */
				break;
			}
			b->in[b->n++] = (struct engine_input){ fr.data, fr.caplen, fr.ts_ns, fr.number,
							       fr.link };
		}
		if (!b->n)
			continue;
		engine_decode_batch(b);
		push(p);
	}
	p->rc = rc;
	__atomic_store_n(&p->done, true, __ATOMIC_SEQ_CST);
	wake(p, &p->feeder_sleeps, &p->to_feeder);
	return NULL;
}

int analyze_pipe(struct pcapfile *pf, struct engine *e, const char *path,
		 void (*after)(const struct engine_batch *b, void *ctx), void *ctx,
		 char *err, size_t errsz)
{
	struct pipe p = { .pf = pf, .path = path, .spin = cpus_usable() > 1 ? SPIN : 0 };
	pthread_t th;

	p.q = malloc(QUEUE * sizeof(*p.q));
	if (!p.q)
		return -2;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.to_reader, NULL);
	pthread_cond_init(&p.to_feeder, NULL);
	if (pthread_create(&th, NULL, reader, &p)) {
		free(p.q);
		return -2;
	}
	for (;;) {
		struct engine_batch *b = feeder_wait(&p);

		if (!b)
			break;
		engine_process_batch(e, b, path);
		if (after)
			after(b, ctx);
		pop(&p);
	}
	pthread_join(th, NULL);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.to_reader);
	pthread_cond_destroy(&p.to_feeder);
	free(p.q);
	if (p.rc < 0) {
		snprintf(err, errsz, "%s", p.err);
		return -1;
	}
	return 0;
}
