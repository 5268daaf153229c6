/* probe/report: the trials and the result, as text for a person or as
 * JSON lines (schema in docs/output.md). */
#include "probe/internal.h"

#include <string.h>

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v, bool present)
{
	if (present)
		fprintf(f, "%.3f", v);
	else
		fputs("null", f);
}

void probe_report_trial(FILE *f, const struct probe_opts *o, const struct probe_trial *t)
{
	if (o->json) {
		fprintf(f, "{\"type\":\"trial\",\"round\":%u,\"idle_s\":%.3f,\"outcome\":\"%s\",\"died_after_s\":",
			t->round, t->idle, probe_outcome_name(t->outcome));
		json_num(f, t->died_at, t->died_at >= 0);
		fprintf(f, ",\"local_port\":%u,\"ttl\":", t->lport);
		if (t->ttl >= 0)
			fprintf(f, "%d", t->ttl);
		else
			fputs("null", f);
		fputs(",\"error\":", f);
		if (t->err)
			json_str(f, strerror(t->err));
		else
			fputs("null", f);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "  round %u  idle %7.3f s  %-6s", t->round, t->idle, probe_outcome_name(t->outcome));
	if (t->died_at >= 0)
		fprintf(f, "  while idle, after %.3f s", t->died_at);
	if (t->ttl >= 0)
		fprintf(f, "  ttl %d", t->ttl);
	fprintf(f, "  (port %u)\n", t->lport);
}

void probe_report_result(FILE *f, const struct probe_result *r)
{
	const struct probe_bracket *b = &r->b;
	double est = probe_bracket_estimate(b);
	const char *death = b->has_died ? probe_outcome_name(b->death) : "none";

	if (r->o->json) {
		fputs("{\"type\":\"probe\",\"target\":", f);
		json_str(f, r->o->target.text);
		fprintf(f, ",\"mode\":\"%s\",\"idle_timeout_s\":", r->o->http ? "http" : "ack");
		json_num(f, est, est >= 0);
		fprintf(f, ",\"survived_s\":%.3f,\"died_s\":", b->survived);
		json_num(f, b->died, b->has_died);
		fprintf(f, ",\"converged\":%s,\"death\":\"%s\",\"sender\":\"%s\",\"evidence\":",
			r->converged ? "true" : "false", death, r->sender);
		json_str(f, r->evidence);
		fprintf(f, ",\"rounds\":%u,\"trials\":%u,\"moot\":%u,\"failed\":%u,\"conflicts\":%u,"
			   "\"wait_s\":%.3f,\"max_s\":%.3f,\"wall_s\":%.3f}\n",
			r->rounds, r->trials, r->moot, r->failed, r->conflicts, r->wait_s, r->o->max_s, r->wall_s);
		return;
	}
	fprintf(f, "probe %s (%s): ", r->o->target.text, r->o->http ? "keep-alive GETs" : "acknowledged bytes");
	if (!b->has_died)
		fprintf(f, "no idle timeout up to %.2f s (death none)\n", b->survived);
	else
		fprintf(f, "idle timeout %.2f s, death %s, sent by %s\n", est, death, r->sender);
	if (b->has_died)
		fprintf(f, "  bracket   survived %.3f s, died %.3f s%s\n", b->survived, b->died,
			r->converged ? "" : " (not narrowed to 5 %: raise --max or --parallel)");
	fprintf(f, "  evidence  %s\n", r->evidence);
	fprintf(f, "  run       %u trials in %u rounds (%u stopped early, %u failed), %.1f s\n",
		r->trials, r->rounds, r->moot, r->failed, r->wall_s);
	if (r->conflicts)
		fprintf(f, "  note      %u trials disagree with the bracket (more than one timeout on the path?)\n",
			r->conflicts);
}
