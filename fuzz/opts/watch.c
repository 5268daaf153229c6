/* opts/watch.c: the option parser of 'rstscope watch', and only it, for
 * fuzz_options. The command's source is compiled here whole, its entry
 * point renamed out of the way (it is never called): the parser is static
 * there, and stays so. */
#define cmd_watch fuzz_cmd_watch_unused
#include "cmd/watch.c"
#undef cmd_watch

int fuzz_opts_watch(int argc, char **argv);

int fuzz_opts_watch(int argc, char **argv)
{
	struct watch_opts o;

	memset(&o, 0, sizeof(o));
	engine_opts_default(&o.eng);
	return parse_opts(argc, argv, &o);
}
