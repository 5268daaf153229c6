/* cursor: bounds-checked reading of text (procfs files, kernel log lines).
 * A cursor is a [p, end) window; every reader checks the end, none needs a
 * NUL terminator, and a failed read leaves the cursor where it was. */
#ifndef RSTSCOPE_CURSOR_H
#define RSTSCOPE_CURSOR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cur {
	const char *p, *end;
};

static inline struct cur cur_make(const char *s, size_t n)
{
	struct cur c = { s, s + n };
	return c;
}

static inline bool cur_eof(const struct cur *c)
{
	return c->p >= c->end;
}

static inline size_t cur_left(const struct cur *c)
{
	return c->p < c->end ? (size_t)(c->end - c->p) : 0;
}

/* Skip spaces and tabs (not newlines). */
void cur_skip_blank(struct cur *c);
/* The next line (without its '\n') into *line; false at the end. */
bool cur_line(struct cur *c, struct cur *line);
/* The next token of blanks-separated text into *tok; false when none. */
bool cur_token(struct cur *c, struct cur *tok);
/* A decimal number (no sign); -1 on no digit or overflow. */
int cur_u64(struct cur *c, uint64_t *out);
/* A signed decimal number. */
int cur_i64(struct cur *c, int64_t *out);
/* A hexadecimal number (no 0x); -1 on no digit or overflow. */
int cur_hex(struct cur *c, uint64_t *out);
/* Consume lit if the text starts with it. */
bool cur_lit(struct cur *c, const char *lit);
/* Consume one character ch if it is next. */
bool cur_char(struct cur *c, char ch);
/* Advance past the first occurrence of needle; false (cursor unmoved) when
 * absent. */
bool cur_skip_past(struct cur *c, const char *needle);
/* Advance to the first of the characters in set (or the end); returns the
 * text skipped. A NUL byte in the window is text, never one of set. */
struct cur cur_until(struct cur *c, const char *set);
/* The whole window is a decimal number in [min, max]. */
int cur_whole_u64(struct cur t, uint64_t min, uint64_t max, uint64_t *out);
/* The window equals s. */
bool cur_eq(struct cur t, const char *s);
/* Copy the window into buf (NUL-terminated, cut to size - 1). */
size_t cur_copy(struct cur t, char *buf, size_t size);

#endif
