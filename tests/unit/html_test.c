/* html: analyze --html's escaping of capture strings for the script and
 * HTML contexts, the page's shape around hostile input, and the SHA-256
 * its Content-Security-Policy carries (FIPS 180-4 examples). */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "report/html.h"
#include "unit.h"
#include "util/sha256.h"

static char *js(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	html_js_string(f, s);
	fclose(f);
	return buf;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_escape(void)
{
	char *s = js("</script><img src=x onerror=alert(1)>");

	CHECK_EQ_STR(s, "\"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e\"");
	free(s);
	s = js("a\"b\\c\nd&'\x01\xc3\xa9");
	CHECK_EQ_STR(s, "\"a\\\"b\\\\c\\nd\\u0026\\u0027\\u0001\\u00c3\\u00a9\"");
	free(s);
	s = js("<!--");
	CHECK_EQ_STR(s, "\"\\u003c!--\"");
	free(s);
	s = js(NULL);
	CHECK_EQ_STR(s, "null");
	free(s);
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256(void)
{
	uint8_t d[32];
	char h[65], b[48];
	static const char *const two =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	sha256("abc", 3, d);
	hex(d, h);
	CHECK_EQ_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256(two, strlen(two), d);
	hex(d, h);
	CHECK_EQ_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha256("", 0, d);
	hex(d, h);
	CHECK_EQ_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	base64_encode((const uint8_t *)"foob", 4, b);
	CHECK_EQ_STR(b, "Zm9vYg==");
	base64_encode((const uint8_t *)"fooba", 5, b);
	CHECK_EQ_STR(b, "Zm9vYmE=");
}

/* A whole page around a verdict whose capture strings are hostile: the
 * only script elements are the page's own two. */
static void test_page(void)
{
	static const char evil[] = "</script><img src=x onerror=alert(1)>";
	struct html_report *h = html_new();
	struct diagnosis *d = malloc(sizeof(*d));
	struct engine_stats st = { .frames = 3 };
	struct rst_verdict v;
	char *page = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(h && d);
	if (!h || !d)
		goto out;
	memset(&v, 0, sizeof(v));
	v.file = evil;
	v.frame = 3;
	v.ts_ns = 1700000000000000000LL;
	v.src.b[10] = v.src.b[11] = 0xff, v.src.b[12] = 192, v.src.b[15] = 1;
	v.dst.b[10] = v.dst.b[11] = 0xff, v.dst.b[12] = 10, v.dst.b[15] = 2;
	v.sport = 80, v.dport = 40000, v.ipver = 4, v.ttl = 60, v.flags = TH_RST | TH_ACK;
	v.idle_gap_s = -1, v.reap_gap_s = -1, v.cluster_size = 1, v.pid = -1;
	v.cause = CAUSE_UNKNOWN;
	strcpy(v.payload_text, evil);
	strcpy(v.forged_evidence, evil);
	strcpy(v.cause_evidence, "<!-- <script>alert(2)</script>");
	strcpy(v.http_method, "GET");
	diagnosis_init(d);
	diagnosis_add(d, &v, 0.5, -1);
	diagnosis_finish(d);
	CHECK_EQ_INT(html_capture_begin(h, evil), 0);
	html_rst(h, &v);
	html_capture_end(h, NULL, d, &st, evil, evil);
	html_correlation(h, evil);
	f = open_memstream(&page, &len);
	CHECK_EQ_INT(html_write(h, f), 0);
	fclose(f);
	CHECK_EQ_INT(count(page, "<script"), 2);
	CHECK_EQ_INT(count(page, "</script"), 2);
	CHECK_EQ_INT(count(page, "<img"), 0);
	CHECK_EQ_INT(count(page, "<!--"), 0);
	CHECK(count(page, "onerror=alert(1)") >= 5);  /* kept, as text */
	CHECK(strstr(page, "script-src 'sha256-") != NULL);
	CHECK(strstr(page, "@DATA@") == NULL && strstr(page, "@SCRIPT@") == NULL);
	free(page);
out:
	html_free(h);
	free(d);
}

int main(void)
{
	test_escape();
	test_sha256();
	test_page();
	return unit_done("html");
}
