/* counters: the named counter set and the file reader of the host sources. */
#include "sources/counters.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void ctrset_clear(struct ctrset *s)
{
	s->n = 0;
	s->dropped = 0;
}

static struct ctr *find(const struct ctrset *s, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strncmp(s->c[i].name, name, len) && s->c[i].name[len] == '\0')
			return (struct ctr *)&s->c[i];
	return NULL;
}

int ctrset_put(struct ctrset *s, const char *name, size_t len, uint64_t v)
{
	struct ctr *c;

	if (!len || len >= CTR_NAME_MAX || memchr(name, '\0', len)) {
		s->dropped++;
		return -1;
	}
	c = find(s, name, len);
	if (!c) {
		if (s->n >= CTR_MAX) {
			s->dropped++;
			return -1;
		}
		c = &s->c[s->n++];
		memcpy(c->name, name, len);
		c->name[len] = '\0';
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
