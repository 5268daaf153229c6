/* procnet: parsers of the kernel's counter files; see procnet.h. */
#include "sources/procnet.h"

#include <string.h>

#include "util/cursor.h"

/* "Proto:" at the start of a line: the protocol name without the colon */
static bool proto_of(struct cur *line, struct cur *proto)
{
	struct cur t;

	if (!cur_token(line, &t) || cur_left(&t) < 2 || t.end[-1] != ':')
		return false;
	proto->p = t.p;
	proto->end = t.end - 1;
	return true;
}

static int put2(struct ctrset *out, struct cur a, struct cur b, uint64_t v)
{
	char name[CTR_NAME_MAX];
	size_t la = cur_left(&a), lb = cur_left(&b);

	if (la + 1 + lb >= sizeof(name))
		return -1;
	memcpy(name, a.p, la);
	name[la] = '.';
	memcpy(name + la + 1, b.p, lb);
	return ctrset_put(out, name, la + 1 + lb, v);
}

int procnet_parse_pairs(const char *buf, size_t len, struct ctrset *out)
{
	struct cur c = cur_make(buf, len), names, values;
	int added = 0;
	bool any_pair = false;

	while (cur_line(&c, &names)) {
		struct cur np, vp, n, v;

		if (!proto_of(&names, &np))
			continue;
		if (!cur_line(&c, &values) || !proto_of(&values, &vp) ||
		    cur_left(&np) != cur_left(&vp) || memcmp(np.p, vp.p, cur_left(&np)))
			return -1;
		any_pair = true;
		while (cur_token(&names, &n)) {
			uint64_t x;
			int64_t sx;

			if (!cur_token(&values, &v))
				return -1;
			/* a few snmp fields are signed (Tcp: MaxConn -1) */
			struct cur vv = v;
			if (cur_u64(&vv, &x) || !cur_eof(&vv)) {
				vv = v;
				if (cur_i64(&vv, &sx) || !cur_eof(&vv))
					return -1;
				continue;
			}
			if (put2(out, np, n, x) == 0)
				added++;
		}
	}
	return any_pair ? added : -1;
}

int procnet_parse_snmp6(const char *buf, size_t len, struct ctrset *out)
{
	static const char *const protos[] = { "UdpLite6", "Icmp6", "Udp6", "Ip6" };
	struct cur c = cur_make(buf, len), line;
	int added = 0, lines = 0;

	while (cur_line(&c, &line)) {
		struct cur name, val;
		uint64_t v;

		if (!cur_token(&line, &name))
			continue;
		if (!cur_token(&line, &val) || cur_whole_u64(val, 0, UINT64_MAX, &v))
			return -1;
		lines++;
		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			size_t pl = strlen(protos[i]);

			if (cur_left(&name) > pl && !memcmp(name.p, protos[i], pl)) {
				struct cur a = { name.p, name.p + pl }, b = { name.p + pl, name.end };

				if (put2(out, a, b, v) == 0)
					added++;
				break;
			}
		}
	}
	return lines ? added : -1;
}

int procnet_parse_sockstat(const char *buf, size_t len, const char *prefix, struct ctrset *out)
{
	struct cur c = cur_make(buf, len), line, pre = cur_make(prefix, strlen(prefix));
	int added = 0, lines = 0;

	while (cur_line(&c, &line)) {
		struct cur proto, key, val;
		char name[CTR_NAME_MAX];

		if (!proto_of(&line, &proto))
			continue;
		lines++;
		while (cur_token(&line, &key)) {
			uint64_t v;
			size_t n;

			if (!cur_token(&line, &val) || cur_whole_u64(val, 0, UINT64_MAX, &v))
				return -1;
			n = cur_left(&pre) + 1 + cur_left(&proto) + 1 + cur_left(&key);
			if (n >= sizeof(name))
				continue;
			memcpy(name, pre.p, cur_left(&pre));
			n = cur_left(&pre);
			name[n++] = '.';
			memcpy(name + n, proto.p, cur_left(&proto));
			n += cur_left(&proto);
			name[n++] = '.';
			memcpy(name + n, key.p, cur_left(&key));
			n += cur_left(&key);
			if (ctrset_put(out, name, n, v) == 0)
				added++;
		}
	}
	return lines ? added : -1;
}

int procnet_parse_kv(const char *buf, size_t len, const char *prefix, struct ctrset *out)
{
	struct cur c = cur_make(buf, len), line, pre = cur_make(prefix, strlen(prefix));
	int added = 0, lines = 0;

	while (cur_line(&c, &line)) {
		struct cur key, val;
		uint64_t v;

		if (!cur_token(&line, &key))
			continue;
		if (!cur_token(&line, &val) || cur_whole_u64(val, 0, UINT64_MAX, &v))
			return -1;
		lines++;
		if (put2(out, pre, key, v) == 0)
			added++;
	}
	return lines ? added : -1;
}

int procnet_parse_numbers(const char *buf, size_t len, const char *const *names,
			  unsigned n, struct ctrset *out)
{
	struct cur c = cur_make(buf, len), line, tok;
	uint64_t v[16];
	int added = 0;

	if (n > 16 || !cur_line(&c, &line))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (!cur_token(&line, &tok) || cur_whole_u64(tok, 0, UINT64_MAX, &v[i]))
			return -1;
	for (unsigned i = 0; i < n; i++)
		if (names[i] && ctrset_set(out, names[i], v[i]) == 0)
			added++;
	return added;
}
