/* rules: print the cause rule table (detect/cause_rules.c), the one that
 * decides every RST's cause, as the Markdown that docs/output.md carries. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "detect/detect.h"
#include "verdict/verdict.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: rstscope rules\n\n"
		   "The ordered rules that decide an RST's cause: the first whose condition holds\n"
		   "gives the cause, its confidence and the evidence; then the thresholds they\n"
		   "name. Markdown, as in docs/output.md.\n\n"
		   "EXAMPLES\n"
		   "  rstscope rules\n"
		   "  rstscope analyze --json x.pcap | jq -r 'select(.type==\"rst\") | .cause'\n");
}

int cmd_rules(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return RS_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "rules: unexpected argument '%s'\n", argv[1]);
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	printf("| # | rule | cause | confidence | when |\n|---|---|---|---|---|\n");
	for (unsigned i = 0; i < cause_rule_count; i++) {
		const struct cause_rule *r = &cause_rules[i];
		char conf[32];

		if (r->confidence == RULE_CONF_SENDER)
			snprintf(conf, sizeof(conf), "the sender verdict's");
		else
			snprintf(conf, sizeof(conf), "%.2f", r->confidence);
		printf("| %u | `%s` | %s | %s | %s%s%s |\n", i + 1, r->id,
		       r->cause == RULE_CAUSE_FIRST ? "the first RST's" : rst_cause_name[r->cause],
		       conf, r->doc, r->race ? " (a keep-alive race)" : "",
		       r->reap == REAP_FIN ? "; the reaper's timeout: the silence before the FIN"
		       : r->reap == REAP_TIMER ? "; the reaper's timeout: the silence up to the RST" : "");
	}
	printf("\n| threshold | value | meaning |\n|---|---|---|\n");
	for (unsigned i = 0; i < cause_threshold_count; i++)
		printf("| `%s` | %.10g %s | %s |\n", cause_thresholds[i].name, cause_thresholds[i].value,
		       cause_thresholds[i].unit, cause_thresholds[i].meaning);
	return ferror(stdout) ? RS_EXIT_RUNTIME : RS_EXIT_OK;
}
