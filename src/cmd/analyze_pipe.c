/* analyze_pipe: one capture file over two threads. A reader thread reads
 * and decodes batches of frames (engine_decode_batch touches no engine)
 * while the calling thread feeds them to the engine in file order, so the
 * output is that of the single path byte for byte. Frames stay valid while
 * the file's generation grows by at most one (pcapfile.h): at each new
 * generation the reader waits until every batch queued before it is done. */
#include "cmd/analyze_pipe.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE 16    /* batches between the threads (about 1000 frames) */

struct pipe {
	struct pcapfile *pf;
	const char *path;
	struct engine_batch *q;
	unsigned head, len;        /* len: queued and not yet processed */
	bool done, reader_waits, feeder_waits;
	int rc;                    /* the reader's last pcapfile_next() */
	char err[512];
	pthread_mutex_t mu;
	pthread_cond_t to_reader, to_feeder;
};

/* Wait (reader) until at most `most` batches are queued; the free slot
 * after them (the feeder never touches it until push()). */
static struct engine_batch *reader_wait(struct pipe *p, unsigned most)
{
	struct engine_batch *b;

	pthread_mutex_lock(&p->mu);
	while (p->len > most) {
		p->reader_waits = true;
		pthread_cond_wait(&p->to_reader, &p->mu);
	}
	p->reader_waits = false;
	b = &p->q[(p->head + p->len) % QUEUE];
	pthread_mutex_unlock(&p->mu);
	return b;
}

static void push(struct pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->len++;
	if (p->feeder_waits)
		pthread_cond_signal(&p->to_feeder);
	pthread_mutex_unlock(&p->mu);
}

static void *reader(void *arg)
{
	struct pipe *p = arg;
	uint64_t gen = pcapfile_generation(p->pf);
	struct pcap_frame fr;
	bool have = false, drain = false;
	int rc = 1;

	while (rc == 1 || have) {
		struct engine_batch *b;

		b = reader_wait(p, drain ? 0 : QUEUE - 1);
		drain = false;
		b->n = 0;
		if (have) {                /* the first frame of a new generation */
			b->in[b->n++] = (struct engine_input){ fr.data, fr.caplen, fr.ts_ns, fr.number,
							       fr.link };
			have = false;
		}
		while (b->n < ENGINE_BATCH_MAX &&
		       (rc = pcapfile_next(p->pf, &fr, p->err, sizeof(p->err))) == 1) {
			uint64_t now = pcapfile_generation(p->pf);

			if (now != gen) {
				gen = now;
				have = true;
				drain = true;   /* the next frames only when these are done */
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
	pthread_mutex_lock(&p->mu);
	p->rc = rc;
	p->done = true;
	pthread_cond_signal(&p->to_feeder);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int analyze_pipe(struct pcapfile *pf, struct engine *e, const char *path,
		 void (*after)(const struct engine_batch *b, void *ctx), void *ctx,
		 char *err, size_t errsz)
{
	struct pipe p = { .pf = pf, .path = path };
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
		struct engine_batch *b;

		pthread_mutex_lock(&p.mu);
		while (!p.len && !p.done) {
			p.feeder_waits = true;
			pthread_cond_wait(&p.to_feeder, &p.mu);
		}
		p.feeder_waits = false;
		if (!p.len) {
			pthread_mutex_unlock(&p.mu);
			break;
		}
		b = &p.q[p.head];
		pthread_mutex_unlock(&p.mu);
		engine_process_batch(e, b, path);
		if (after)
			after(b, ctx);
		pthread_mutex_lock(&p.mu);
		p.head = (p.head + 1) % QUEUE;
		p.len--;
		/* wake the reader at half a queue (fewer wake-ups), or when it
		 * waits for the queue to drain */
		if (p.reader_waits && p.len <= QUEUE / 2)
			pthread_cond_signal(&p.to_reader);
		pthread_mutex_unlock(&p.mu);
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
