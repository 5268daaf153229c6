/* analyze_many: many capture files at once, the output in file order. */
#include "cmd/analyze_many.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define WORKERS_MAX 64
#define AHEAD 2          /* files started past the one written out: workers x AHEAD */
#define OUT_BUF 65536    /* a file's results are buffered this much in its log */
#define REC_MAX (1u << 30)
/* A log this long waits for its turn, then goes straight out (the
 * environment's RSTSCOPE_MANY_LOG, bytes, for the tests). */
#define LOG_MAX (16u << 20)

unsigned many_window(unsigned workers)
{
	return (workers > WORKERS_MAX ? WORKERS_MAX : workers ? workers : 1) * AHEAD;
}

/* What one file wrote: records of a stream byte (1 stdout, 2 stderr), a
 * 4-byte length and the bytes, in the order written. */
struct mlog {
	char *b;
	size_t len, cap;
	bool oom;            /* a record could not be kept: the file runs again */
	bool direct;         /* it is the file's turn: writes go straight out */
};

struct many;

struct mstream {
	struct mlog *log;
	uint8_t which;
	FILE *before;        /* flushed into the log first (stdout before a warning) */
	struct many *m;
	unsigned i;          /* the file */
	size_t log_max;
};

static void replay(const struct mlog *l);
static void wait_turn(struct many *m, unsigned i);

static ssize_t log_write(void *c, const char *p, size_t n)
{
	struct mstream *s = c;
	struct mlog *l = s->log;
	size_t done = 0;

	if (s->before)
		fflush(s->before);
	if (!l->direct && !l->oom && l->len + n > s->log_max) {
		/* a file with that much to say: its turn, then the log and the
		 * rest straight out (the files before it are written: nothing
		 * else writes to the streams now) */
		wait_turn(s->m, s->i);
		replay(l);
		l->len = 0;
		l->direct = true;
	}
	if (l->direct) {
		if (s->which == 2)
			fflush(stdout);
		fwrite(p, 1, n, s->which == 2 ? stderr : stdout);
		return (ssize_t)n;
	}
	while (done < n && !l->oom) {
		uint32_t k = n - done > REC_MAX ? REC_MAX : (uint32_t)(n - done);
		size_t need = l->len + 5 + k;

		if (need > l->cap) {
			size_t nc = l->cap ? l->cap : 4096;
			char *nb;

			while (nc < need)
				nc *= 2;
			if (!(nb = realloc(l->b, nc))) {
				l->oom = true;
				break;
			}
			l->b = nb;
			l->cap = nc;
		}
		l->b[l->len] = (char)s->which;
		memcpy(l->b + l->len + 1, &k, 4);
		memcpy(l->b + l->len + 5, p + done, k);
		l->len = need;
		done += k;
	}
	return (ssize_t)n;   /* taken (a lost record is caught by oom) */
}

struct slot {
	struct mlog log;
	int rc;
	bool done;
};

struct many {
	unsigned n, workers, next, written;
	size_t log_max;
	struct slot *s;
	int (*job)(unsigned i, FILE *out, void *ctx);
	void *ctx;
	pthread_mutex_t mu;
	pthread_cond_t to_main, to_workers;
};

/* Run file i into its log (oom set when the log could not be made). */
static int run_logged(struct many *m, unsigned i)
{
	static const cookie_io_functions_t io = { .write = log_write };
	struct slot *s = &m->s[i];
	struct mstream so = { &s->log, 1, NULL, m, i, m->log_max },
		       se = { &s->log, 2, NULL, m, i, m->log_max };
	FILE *out = fopencookie(&so, "w", io), *err = fopencookie(&se, "w", io);
	int rc = 0;

	if (out && err && !setvbuf(out, NULL, _IOFBF, OUT_BUF) && !setvbuf(err, NULL, _IONBF, 0)) {
		se.before = out;
		warnx_to(err);
		rc = m->job(i, out, m->ctx);
		warnx_to(NULL);
		se.before = NULL;
	} else {
		s->log.oom = true;
	}
	if (err)
		fclose(err);
	if (out)
		fclose(out);
	return rc;
}

static void *worker(void *arg)
{
	struct many *m = arg;

	for (;;) {
		unsigned i;
		int rc;

		pthread_mutex_lock(&m->mu);
		while (m->next < m->n && m->next >= m->written + many_window(m->workers))
			pthread_cond_wait(&m->to_workers, &m->mu);
		if (m->next >= m->n) {
			pthread_mutex_unlock(&m->mu);
			return NULL;
		}
		i = m->next++;
		pthread_mutex_unlock(&m->mu);
		rc = run_logged(m, i);
		pthread_mutex_lock(&m->mu);
		m->s[i].rc = rc;
		m->s[i].done = true;
		pthread_cond_signal(&m->to_main);
		pthread_mutex_unlock(&m->mu);
	}
}

/* Wait (a worker) until every file before i is written out. */
static void wait_turn(struct many *m, unsigned i)
{
	pthread_mutex_lock(&m->mu);
	while (m->written < i)
		pthread_cond_wait(&m->to_workers, &m->mu);
	pthread_mutex_unlock(&m->mu);
}

/* File i's log onto the real streams. */
static void replay(const struct mlog *l)
{
	for (size_t at = 0; at + 5 <= l->len;) {
		uint32_t k;

		memcpy(&k, l->b + at + 1, 4);
		if (l->b[at] == 2) {
			fflush(stdout);
			fwrite(l->b + at + 5, 1, k, stderr);
		} else {
			fwrite(l->b + at + 5, 1, k, stdout);
		}
		at += 5 + (size_t)k;
	}
}

int many_run(unsigned n, unsigned workers, int (*job)(unsigned i, FILE *out, void *ctx),
	     void (*done)(unsigned i, int rc, void *ctx), void *ctx)
{
	struct many m = { .n = n, .job = job, .ctx = ctx, .log_max = LOG_MAX };
	pthread_t th[WORKERS_MAX];
	unsigned started = 0;
	const char *lm = getenv("RSTSCOPE_MANY_LOG");

	if (lm && *lm)
		m.log_max = strtoull(lm, NULL, 10);
	if (workers > WORKERS_MAX)
		workers = WORKERS_MAX;
	if (workers > n)
		workers = n;
	m.workers = workers;
	m.s = calloc(n ? n : 1, sizeof(*m.s));
	if (!m.s)
		return -1;
	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.to_main, NULL);
	pthread_cond_init(&m.to_workers, NULL);
	while (started < workers && !pthread_create(&th[started], NULL, worker, &m))
		started++;
	if (!started) {
		free(m.s);
		return -1;
	}
	pthread_mutex_lock(&m.mu);
	m.workers = started;   /* the window follows the workers there are */
	pthread_mutex_unlock(&m.mu);
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &m.s[i];
		int rc;

		pthread_mutex_lock(&m.mu);
		while (!s->done)
			pthread_cond_wait(&m.to_main, &m.mu);
		pthread_mutex_unlock(&m.mu);
		rc = s->rc;
		if (s->log.oom)
			rc = job(i, stdout, ctx);   /* again, straight out: nothing lost */
		else
			replay(&s->log);
		free(s->log.b);
		s->log.b = NULL;
		done(i, rc, ctx);
		pthread_mutex_lock(&m.mu);
		m.written = i + 1;
		pthread_cond_broadcast(&m.to_workers);
		pthread_mutex_unlock(&m.mu);
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&m.mu);
	pthread_cond_destroy(&m.to_main);
	pthread_cond_destroy(&m.to_workers);
	free(m.s);
	return 0;
}
