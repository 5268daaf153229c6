/* analyze_pcapng: output names, the stdin spool and the atomic write of
 * analyze --write-pcapng (the copy itself is report/annotate.c). */
#include "cmd/analyze_pcapng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/annotate.h"
#include "util/util.h"

#define PATH_MAX_ 4096

static bool is_dir(const char *out)
{
	struct stat st;
	size_t n = strlen(out);

	return (n && out[n - 1] == '/') || (!stat(out, &st) && S_ISDIR(st.st_mode));
}

/* DIR/NAME.pcapng: the input's base name without a capture extension. */
static void out_name(const char *out, const char *in, char *buf, size_t size)
{
	static const char *const ext[] = { ".pcapng", ".pcap", ".cap", ".dmp", ".ntar" };
	const char *base = strrchr(in, '/');
	size_t n, dl = strlen(out);

	base = base ? base + 1 : in;
	if (!strcmp(in, "-"))
		base = "stdin";
	n = strlen(base);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t el = strlen(ext[i]);

		if (n > el && !strcmp(base + n - el, ext[i])) {
			n -= el;
			break;
		}
	}
	fmt_buf(buf, size, "%s%s%.*s.pcapng", out, dl && out[dl - 1] == '/' ? "" : "/", (int)n,
		base);
}

/* Where the copy of `in` goes. */
static void out_path(const char *out, int n_inputs, const char *in, char *buf, size_t size)
{
	if (n_inputs > 1 || is_dir(out))
		out_name(out, in, buf, size);
	else
		fmt_buf(buf, size, "%s", out);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int apng_check(const char *out, char *const *files, int n)
{
	char p[PATH_MAX_], q[PATH_MAX_];

	if (!*out || !strcmp(out, "-")) {
		/* standard output carries the report */
		warnx_("analyze: --write-pcapng needs a file or directory name, not '%s'", out);
		return -1;
	}
	if (n > 1 && !is_dir(out)) {
		warnx_("analyze: --write-pcapng '%s': %d captures need a directory (an existing one, "
		       "or end the name with '/')", out, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		out_path(out, n, files[i], p, sizeof(p));
		if (strcmp(files[i], "-") && same_file(p, files[i])) {
			warnx_("analyze: --write-pcapng: '%s' would overwrite its input", p);
			return -1;
		}
		for (int k = 0; k < i; k++) {
			out_path(out, n, files[k], q, sizeof(q));
			if (!strcmp(p, q)) {
				warnx_("analyze: --write-pcapng: '%s' and '%s' would both be written "
				       "to '%s'", files[k], files[i], p);
				return -1;
			}
		}
	}
	return 0;
}

int apng_spool_stdin(char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[PATH_MAX_], buf[1 << 16];
	ssize_t r;
	int fd;

	fmt_buf(tmpl, sizeof(tmpl), "%s/rstscope-stdin.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmpl);
	if (fd < 0) {
		warnx_("'-': cannot spool stdin to '%s': %s", tmpl, strerror(errno));
		return -1;
	}
	unlink(tmpl);   /* gone at exit, whatever ends the process */
	for (;;) {
		r = read(STDIN_FILENO, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t w = 0, k; w < r; w += k) {
			k = write(fd, buf + w, (size_t)(r - w));
			if (k < 0 && errno == EINTR)
				k = 0;
			else if (k < 0) {
				warnx_("'-': cannot spool stdin to %s: %s", dir && *dir ? dir : "/tmp",
				       strerror(errno));
				close(fd);
				return -1;
			}
		}
	}
	if (r < 0) {
		warnx_("'-': cannot read stdin: %s", strerror(errno));
		close(fd);
		return -1;
	}
	fmt_buf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

int apng_write(struct annot *a, const char *out, int n_inputs, const char *name,
	       const char *path, const char *diagnosis, bool verbose)
{
	char dst[PATH_MAX_], tmp[PATH_MAX_ + 16], err[512];
	struct annot_result res;
	size_t dl;
	mode_t um;
	FILE *f;
	int fd, rc;

	out_path(out, n_inputs, name, dst, sizeof(dst));
	dl = strlen(out);
	if (dl && out[dl - 1] == '/' && mkdir(out, 0777) && errno != EEXIST) {
		warnx_("cannot create directory '%s': %s", out, strerror(errno));
		return -1;
	}
	fmt_buf(tmp, sizeof(tmp), "%s.XXXXXX", dst);
	fd = mkstemp(tmp);
	if (fd < 0) {
		warnx_("cannot write '%s': %s", dst, strerror(errno));
		return -1;
	}
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(tmp);
		warnx_("cannot write '%s': %s", dst, strerror(errno));
		return -1;
	}
	rc = annot_write(a, path, f, diagnosis, &res, err, sizeof(err));
	if (fclose(f) && !rc) {
		fmt_buf(err, sizeof(err), "cannot write: %s", strerror(errno));
		rc = -1;
	}
	if (!rc && rename(tmp, dst)) {
		fmt_buf(err, sizeof(err), "cannot rename '%s' into place: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc) {
		unlink(tmp);
		warnx_("'%s': %s", dst, err);
		return -1;
	}
	if (annot_dropped(a))
		warnx_("'%s': %llu RSTs past the comment store's cap carry no comment", dst,
		       (unsigned long long)annot_dropped(a));
	if (verbose)
		fprintf(stderr, "analyze: wrote '%s': %llu frames, %llu RST comments%s\n", dst,
			(unsigned long long)res.frames, (unsigned long long)res.commented,
			res.input_error ? ", up to where the input was cut" : "");
	return res.input_error ? 1 : 0;
}
