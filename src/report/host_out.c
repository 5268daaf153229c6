/* host_out: the host command's reports. */
#include "report/host_out.h"

#include <inttypes.h>
#include <string.h>

#include "report/report.h"
#include "util/util.h"

static void json_where(FILE *f, const struct hf_where *w)
{
	if (w->netns)
		fprintf(f, ",\"netns\":%" PRIu64, w->netns);
	else
		fputs(",\"netns\":null", f);
	if (w->pid > 0) {
		fprintf(f, ",\"pid\":%d,\"comm\":", w->pid);
		report_json_string(f, w->comm);
	} else {
		fputs(",\"pid\":null,\"comm\":null", f);
	}
	fputs(",\"cgroup\":", f);
	if (w->cgroup[0]) {
		report_json_string(f, w->cgroup);
		if (w->cgroup_version)
			fprintf(f, ",\"cgroup_version\":%u", w->cgroup_version);
		else
			fputs(",\"cgroup_version\":null", f);
	} else {
		fputs("null,\"cgroup_version\":null", f);
	}
	fputs(",\"listener\":", f);
	if (w->listener[0])
		report_json_string(f, w->listener);
	else
		fputs("null", f);
}

void host_out_source(FILE *f, bool json, enum host_source_id id, const struct host_source_status *st)
{
	if (json) {
		fputs("{\"type\":\"source\",\"name\":", f);
		report_json_string(f, host_source_name(id));
		fputs(",\"state\":", f);
		report_json_string(f, host_source_state_name(st->state));
		fputs(",\"path\":", f);
		report_json_string(f, st->where);
		fputs(",\"detail\":", f);
		report_json_string(f, st->detail);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "source  %-16s %-12s %s%s%s\n", host_source_name(id), host_source_state_name(st->state),
		st->where, st->detail[0] ? ": " : "", st->detail);
}

static void text_where(FILE *f, const struct hf_where *w)
{
	if (w->listener[0])
		fprintf(f, "  listener %s", w->listener);
	if (w->pid > 0)
		fprintf(f, "  pid %d (%s)", w->pid, w->comm);
	if (w->cgroup[0])
		fprintf(f, "  cgroup %s%s", w->cgroup, w->cgroup_version == 1 ? " (v1 memory)" : "");
	if (w->netns)
		fprintf(f, "  netns %" PRIu64, w->netns);
	else
		fputs("  host-wide", f);
}

void host_out_finding(FILE *f, bool json, const struct host_finding *x)
{
	const struct host_rule *r = host_rule(x->id);

	if (json) {
		fputs("{\"type\":\"finding\",\"id\":", f);
		report_json_string(f, r->name);
		fprintf(f, ",\"state\":\"%s\",\"ts\":%.3f,", host_finding_state_name(x->state), (double)x->ts_ns / 1e9);
		if (x->has_rate)
			fprintf(f, "\"interval_s\":%.3f,\"rate_per_s\":%.4f,", x->interval_s, x->rate_per_s);
		else
			fputs("\"interval_s\":null,\"rate_per_s\":null,", f);
		fprintf(f, "\"count\":%" PRIu64 ",\"trigger\":", x->count);
		report_json_string(f, x->trigger ? x->trigger : "");
		fputs(",\"evidence\":{", f);
		for (unsigned i = 0; i < x->nvalues; i++) {
			if (i)
				fputc(',', f);
			report_json_string(f, x->v[i].name);
			fprintf(f, ":{\"value\":%" PRIu64, x->v[i].value);
			if (x->v[i].has_delta)
				fprintf(f, ",\"delta\":%" PRIu64 "}", x->v[i].delta);
			else
				fputs(",\"delta\":null}", f);
		}
		fputc('}', f);
		json_where(f, &x->where);
		fputs(",\"detail\":", f);
		if (x->detail[0])
			report_json_string(f, x->detail);
		else
			fputs("null", f);
		fputs(",\"kernel_path\":", f);
		report_json_string(f, r->kernel_path);
		fputs(",\"fix\":", f);
		report_json_string(f, r->fix);
		fputs("}\n", f);
		return;
	}
	if (x->state == HFS_HISTORY)
		fprintf(f, "%-16s history  %" PRIu64 " before the run (not a current rate)", r->name, x->count);
	else
		fprintf(f, "%-16s %-8s %.2f/s (%" PRIu64 " in %.1f s)", r->name, host_finding_state_name(x->state),
			x->rate_per_s, x->count, x->interval_s);
	text_where(f, &x->where);
	fputc('\n', f);
	fprintf(f, "  why      %s", x->trigger ? x->trigger : "");
	for (unsigned i = 0; i < x->nvalues; i++) {
		fprintf(f, "%s%s %" PRIu64, i ? ", " : ": ", x->v[i].name, x->v[i].value);
		if (x->v[i].has_delta && x->state != HFS_HISTORY)
			fprintf(f, " (+%" PRIu64 ")", x->v[i].delta);
	}
	fputc('\n', f);
	if (x->detail[0])
		fprintf(f, "  log      %s\n", x->detail);
	fprintf(f, "  kernel   %s\n  fix      %s\n", r->kernel_path, r->fix);
}

void host_out_counters(FILE *f, const struct host_sample *prev, const struct host_sample *cur)
{
	unsigned n;
	const char *const *names = host_rule_counters(&n);
	bool first = true;

	fprintf(f, "{\"type\":\"counters\",\"ts\":%.3f,\"interval_s\":%.3f,", (double)cur->ts_ns / 1e9,
		(double)(cur->ts_ns - prev->ts_ns) / 1e9);
	if (cur->netns)
		fprintf(f, "\"netns\":%" PRIu64 ",\"counters\":{", cur->netns);
	else
		fputs("\"netns\":null,\"counters\":{", f);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v, p;

		if (!ctrset_get(&cur->ctr, names[i], &v))
			continue;
		fprintf(f, "%s\"%s\":{\"value\":%" PRIu64 ",\"delta\":", first ? "" : ",", names[i], v);
		if (ctrset_get(&prev->ctr, names[i], &p))
			fprintf(f, "%" PRId64 "}", (int64_t)(v - p));
		else
			fputs("null}", f);
		first = false;
	}
	fputs("}}\n", f);
}

void host_out_summary(FILE *f, bool json, const struct host_track *t, uint64_t netns,
		      double duration_s, const struct host_sample *last)
{
	unsigned cur = host_track_current(t), srcs[5] = { 0 };

	for (int i = 0; last && i < HS__COUNT; i++)
		srcs[last->src[i].state]++;
	if (json) {
		fprintf(f, "{\"type\":\"summary\",\"intervals\":%u,\"duration_s\":%.3f,", t->interval ? t->interval - 1 : 0,
			duration_s);
		if (netns)
			fprintf(f, "\"netns\":%" PRIu64, netns);
		else
			fputs("\"netns\":null", f);
		fprintf(f, ",\"current\":%u,\"history\":%u,\"dropped\":%u,\"sources\":{\"ok\":%u,\"missing\":%u,"
			"\"needs-rights\":%u,\"partial\":%u,\"error\":%u},\"findings\":[",
			cur, t->n - cur, t->dropped, srcs[HSS_OK], srcs[HSS_MISSING], srcs[HSS_NO_RIGHTS],
			srcs[HSS_PARTIAL], srcs[HSS_ERROR]);
		for (unsigned i = 0; i < t->n; i++) {
			const struct host_track_entry *e = &t->e[i];

			fprintf(f, "%s{\"id\":\"%s\",\"state\":\"%s\",\"intervals\":%u,\"count\":%" PRIu64 ",",
				i ? "," : "", host_finding_name(e->id), e->history ? "history" : "current",
				e->history ? 0 : e->intervals, e->count);
			if (e->history)
				fputs("\"max_rate_per_s\":null", f);
			else
				fprintf(f, "\"max_rate_per_s\":%.4f", e->max_rate);
			json_where(f, &e->where);
			fputc('}', f);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "\nsummary: %u intervals, %.1f s: ", t->interval ? t->interval - 1 : 0, duration_s);
	if (!cur)
		fputs("no current finding", f);
	else
		fprintf(f, "%u current finding%s", cur, cur == 1 ? "" : "s");
	if (t->n - cur)
		fprintf(f, ", %u from before the run (history)", t->n - cur);
	fputc('\n', f);
	for (unsigned i = 0; i < t->n; i++) {
		const struct host_track_entry *e = &t->e[i];

		if (e->history)
			continue;
		fprintf(f, "  %-16s %u interval%s, %" PRIu64 " events, peak %.2f/s", host_finding_name(e->id),
			e->intervals, e->intervals == 1 ? "" : "s", e->count, e->max_rate);
		text_where(f, &e->where);
		fputc('\n', f);
	}
}

#define PUT(...) do { if (len < size) len += fmt_buf(buf + len, size - len, __VA_ARGS__); } while (0)

/* node_exporter's name for one of our counters, or NULL when it exports
 * none by that name (then an rstscope_host_ name is used). */
static bool prom_name(const char *ours, char *out, size_t size)
{
	static const struct { const char *prefix, *to; } map[] = {
		{ "sockstat6.", "node_sockstat_" }, { "sockstat.", "node_sockstat_" },
		{ "vmstat.", "node_vmstat_" }, { "filefd.", "node_filefd_" },
		{ "conntrack.", "node_nf_conntrack_" }, { "sysctl.", "rstscope_host_sysctl_" },
	};
	const char *rest = ours, *pre = "node_netstat_";
	size_t o;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(ours, map[i].prefix, strlen(map[i].prefix))) {
			rest = ours + strlen(map[i].prefix);
			pre = map[i].to;
			break;
		}
	o = fmt_buf(out, size, "%s", pre);
	for (; *rest && o + 1 < size; rest++)
		out[o++] = (*rest >= 'a' && *rest <= 'z') || (*rest >= 'A' && *rest <= 'Z') ||
			   (*rest >= '0' && *rest <= '9') ? *rest : '_';
	out[o] = '\0';
	return true;
}

size_t host_out_metrics(char *buf, size_t size, const struct host_sample *cur,
			const struct host_finding *f, unsigned nf)
{
	size_t len = 0;
	unsigned per[HF__COUNT] = { 0 };

	if (!size)
		return 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < cur->ctr.n; i++) {
		const struct ctr *c = &cur->ctr.c[i];
		char name[128];

		/* vmstat has hundreds of lines: node_exporter's default is a few */
		if (!strncmp(c->name, "vmstat.", 7) && strcmp(c->name, "vmstat.oom_kill"))
			continue;
		prom_name(c->name, name, sizeof(name));
		PUT("# TYPE %s untyped\n%s %" PRIu64 "\n", name, name, c->v);
	}
	for (unsigned i = 0; i < nf; i++)
		if (f[i].state != HFS_HISTORY)
			per[f[i].id]++;
	PUT("# HELP rstscope_host_findings Current host findings of the last interval, by id.\n"
	    "# TYPE rstscope_host_findings gauge\n");
	for (unsigned i = 0; i < HF__COUNT; i++)
		PUT("rstscope_host_findings{id=\"%s\"} %u\n", host_finding_name((enum host_finding_id)i), per[i]);
	PUT("# HELP rstscope_host_source_up 1 when the source was read in the last sample.\n"
	    "# TYPE rstscope_host_source_up gauge\n");
	for (int i = 0; i < HS__COUNT; i++)
		PUT("rstscope_host_source_up{source=\"%s\"} %d\n", host_source_name((enum host_source_id)i),
		    cur->src[i].state == HSS_OK || cur->src[i].state == HSS_PARTIAL);
	return len < size ? len : size - 1;
}
