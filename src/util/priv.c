/* priv: dropping privileges to a named user; see priv.h. */
#include "util/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

int priv_drop(const char *who, const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		warnx_("%s: unknown user '%s'", who, user);
		return -1;
	}
	/* groups first: after setuid there is no right left to change them */
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		warnx_("%s: cannot become '%s': %s", who, user, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		warnx_("%s: privileges of '%s' could be regained; refusing to go on", who, user);
		return -1;
	}
	return 0;
}
