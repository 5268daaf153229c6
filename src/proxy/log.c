/* proxy/log: one stderr line per event, as "key=value" text or JSON lines.
 *
 * Text:  proxy: t=0.512 close conn=3 how=rst reason=idle-timeout up=10 down=10
 * JSON:  {"t":0.512,"event":"close","conn":3,"how":"rst",...}
 * Events take their fields as "k=v k=v" with values that hold spaces in
 * double quotes (error="Connection refused"); numbers stay numbers in JSON. */
#include "proxy/internal.h"

#include <netdb.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

#define LOG_LINE 1024

double proxy_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void proxy_addr_text(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t size)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		fmt_buf(buf, size, "?");
		return;
	}
	fmt_buf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

static bool is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	bool dot = false;

	if (i < n && s[i] == '-')
		i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot && digits)
			dot = true;
		else
			return false;
	}
	return digits > 0 && s[n - 1] != '.' && !(n > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9');
}

/* Append s[0..n) to out as the body of a JSON string. */
static size_t json_str(char *out, size_t pos, size_t size, const char *s, size_t n)
{
	for (size_t i = 0; i < n && pos + 7 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			out[pos++] = '\\';
			out[pos++] = (char)ch;
		} else if (ch < 0x20) {
			pos += fmt_buf(out + pos, size - pos, "\\u%04x", ch);
		} else {
			out[pos++] = (char)ch;
		}
	}
	return pos;
}

/* Turn "k=v k2=\"a b\"" into ,"k":v,"k2":"a b" appended at out+pos. */
static size_t json_fields(char *out, size_t pos, size_t size, const char *kv)
{
	const char *s = kv;

	while (*s && pos + 16 < size) {
		const char *k, *v, *eq;
		size_t kn, vn;
		bool quoted = false;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		k = s;
		eq = strchr(s, '=');
		if (!eq)
			break;
		kn = (size_t)(eq - k);
		v = eq + 1;
		if (*v == '"') {
			const char *q = strchr(v + 1, '"');

			quoted = true;
			v++;
			vn = q ? (size_t)(q - v) : strlen(v);
			s = q ? q + 1 : v + vn;
		} else {
			vn = strcspn(v, " ");
			s = v + vn;
		}
		out[pos++] = ',';
		out[pos++] = '"';
		pos = json_str(out, pos, size, k, kn);
		pos += fmt_buf(out + pos, size - pos, "\":");
		if (!quoted && is_number(v, vn)) {
			pos = json_str(out, pos, size, v, vn);
		} else {
			if (pos + 2 < size)
				out[pos++] = '"';
			pos = json_str(out, pos, size, v, vn);
			if (pos + 2 < size)
				out[pos++] = '"';
		}
	}
	out[pos < size ? pos : size - 1] = '\0';
	return pos;
}

static void log_line(const struct proxy *p, const char *event, const struct proxy_conn *c,
		     const char *kv)
{
	char line[LOG_LINE + 64];
	double t = proxy_now() - p->t_start;
	size_t pos;

	if (p->o->json_log) {
		pos = fmt_buf(line, LOG_LINE, "{\"t\":%.6f,\"event\":\"%s\"", t, event);
		if (c)
			pos += fmt_buf(line + pos, LOG_LINE - pos, ",\"conn\":%llu",
				       (unsigned long long)c->id);
		pos = json_fields(line, pos, LOG_LINE - 2, kv);
		pos += fmt_buf(line + pos, sizeof(line) - pos, "}\n");
	} else {
		pos = fmt_buf(line, LOG_LINE, "proxy: t=%.3f %s", t, event);
		if (c)
			pos += fmt_buf(line + pos, LOG_LINE - pos, " conn=%llu",
				       (unsigned long long)c->id);
		if (*kv)
			pos += fmt_buf(line + pos, LOG_LINE - pos, " %s", kv);
		pos += fmt_buf(line + pos, sizeof(line) - pos, "\n");
	}
	fputs(line, stderr);
}

void proxy_log(const struct proxy *p, const char *event, const struct proxy_conn *c,
	       const char *fmt, ...)
{
	char kv[LOG_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(kv, sizeof(kv), fmt, ap);
	va_end(ap);
	if (n < 0)
		kv[0] = '\0';
	log_line(p, event, c, kv);
}

void proxy_log_summary(const struct proxy *p)
{
	const struct proxy_counts *n = &p->n;

	proxy_log(p, "summary", NULL,
		  "accepted=%llu refused=%llu upstream_fail=%llu connected=%llu closed=%llu "
		  "rst_idle=%llu fin_idle=%llu silenced=%llu silent_max=%llu rst_bytes=%llu "
		  "rst_random=%llu peer_reset=%llu bytes_up=%llu bytes_down=%llu",
		  (unsigned long long)n->accepted, (unsigned long long)n->refused,
		  (unsigned long long)n->upstream_fail, (unsigned long long)n->connected,
		  (unsigned long long)n->closed, (unsigned long long)n->rst_idle,
		  (unsigned long long)n->fin_idle, (unsigned long long)n->silenced,
		  (unsigned long long)n->silent_max, (unsigned long long)n->rst_bytes,
		  (unsigned long long)n->rst_random, (unsigned long long)n->peer_reset,
		  (unsigned long long)n->bytes_up, (unsigned long long)n->bytes_down);
}
