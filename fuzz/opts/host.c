/* opts/host.c: the option parser of 'rstscope host', and only it, for
 * fuzz_options. The command's source is compiled here whole, its entry
 * point renamed out of the way (it is never called): the parser is static
 * there, and stays so. */
#define cmd_host fuzz_cmd_host_unused
#include "cmd/host.c"
#undef cmd_host

int fuzz_opts_host(int argc, char **argv);

int fuzz_opts_host(int argc, char **argv)
{
	struct host_opts o;

	memset(&o, 0, sizeof(o));
	return parse_opts(argc, argv, &o);
}
