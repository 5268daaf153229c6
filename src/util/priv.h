/* priv: giving up root after the sources that need it are open
 * (tcpdump -Z), shared by the commands that take -Z USER. */
#ifndef RSTSCOPE_PRIV_H
#define RSTSCOPE_PRIV_H

/* Become user (its groups, gid, then uid). 0; -1 with a message on stderr
 * prefixed "who: " when the user is unknown, a call fails, or root could
 * be regained afterwards. */
int priv_drop(const char *who, const char *user);

#endif
