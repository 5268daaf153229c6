/* opts/analyze.c: the option parser of 'rstscope analyze', and only it, for
 * fuzz_options. The command's source is compiled here whole, its entry
 * point renamed out of the way (it is never called): the parser is static
 * there, and stays so. */
#define cmd_analyze fuzz_cmd_analyze_unused
#include "cmd/analyze.c"
#undef cmd_analyze

int fuzz_opts_analyze(int argc, char **argv);

int fuzz_opts_analyze(int argc, char **argv)
{
	struct analyze_opts o;

	memset(&o, 0, sizeof(o));
	engine_opts_default(&o.eng);
	return parse_args(argc, argv, &o);
}
