/* counters: the named counter set and the file reader of the host sources. */
#include "sources/counters.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

_Static_assert((CTR_SLOTS & (CTR_SLOTS - 1)) == 0 && CTR_SLOTS >= 2 * CTR_MAX && CTR_MAX < UINT16_MAX,
	       "the index is a power of two at most half full, positions fit a slot");

void ctrset_clear(struct ctrset *s)
{
	s->n = 0;
	s->dropped = 0;
	memset(s->slot, 0, sizeof(s->slot));
}

/* FNV-1a over the name's bytes */
static uint32_t hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

/* The position in slot[] that holds name, or of the empty slot where it
 * would go; -1 if neither (cannot happen: the index is at most half full). */
static long lookup(const struct ctrset *s, const char *name, size_t len)
{
	uint32_t i = hash(name, len) & (CTR_SLOTS - 1);

	for (unsigned step = 0; step < CTR_SLOTS; step++, i = (i + 1) & (CTR_SLOTS - 1)) {
		unsigned k = s->slot[i];

		if (!k)
			return (long)i;
		if (k <= s->n && !strncmp(s->c[k - 1].name, name, len) && s->c[k - 1].name[len] == '\0')
			return (long)i;
	}
	return -1;
}

static struct ctr *find(const struct ctrset *s, const char *name, size_t len)
{
	long i;

	if (!len || len >= CTR_NAME_MAX)
		return NULL;
	i = lookup(s, name, len);
	return i >= 0 && s->slot[i] ? (struct ctr *)&s->c[s->slot[i] - 1] : NULL;
}

int ctrset_put(struct ctrset *s, const char *name, size_t len, uint64_t v)
{
	struct ctr *c;
	long i;

	if (!len || len >= CTR_NAME_MAX || memchr(name, '\0', len)) {
		s->dropped++;
		return -1;
	}
	i = lookup(s, name, len);
	if (i < 0 || (!s->slot[i] && s->n >= CTR_MAX)) {
		s->dropped++;
		return -1;
	}
	if (!s->slot[i]) {
		c = &s->c[s->n++];
		memcpy(c->name, name, len);
		c->name[len] = '\0';
		s->slot[i] = (uint16_t)s->n;
	} else {
		c = &s->c[s->slot[i] - 1];
	}
	c->v = v;
	return 0;
}

int ctrset_set(struct ctrset *s, const char *name, uint64_t v)
{
	return ctrset_put(s, name, strlen(name), v);
}

bool ctrset_get(const struct ctrset *s, const char *name, uint64_t *v)
{
	const struct ctr *c = find(s, name, strlen(name));

	if (!c)
		return false;
	*v = c->v;
	return true;
}

long ctr_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, err = 0;

	if (size < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!err && len == size - 1) {
		char extra;
		if (read(fd, &extra, 1) == 1)
			err = -EFBIG;
	}
	close(fd);
	buf[len] = '\0';
	return err ? err : (long)len;
}
