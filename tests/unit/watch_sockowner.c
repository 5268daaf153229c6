/* watch_sockowner: socket -> process on a saved /proc root (PROC_ROOT
 * style) and live through sock_diag on a loopback connection of our own. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/sockowner.h"
#include "sources/tracefs.h"
#include "fakeproc.h"
#include "unit.h"

static void key(struct sock_key *k, const char *l, unsigned lp, const char *r, unsigned rp)
{
	uint8_t v;
	memset(k, 0, sizeof(*k));
	CHECK(tfs_parse_addr(l, strlen(l), &k->laddr, &v) == 0);
	CHECK(tfs_parse_addr(r, strlen(r), &k->raddr, &v) == 0);
	k->lport = (uint16_t)lp;
	k->rport = (uint16_t)rp;
}

static void test_proc_root(void)
{
	char root[] = "/tmp/rstscope-proc.XXXXXX", path[600];
	struct sockowner_opts o = { 0 };
	struct sockowner *so;
	struct sock_key k;
	struct sock_owner own;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/net", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/100", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/100/fd", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/200", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/200/fd", root); mkdir(path, 0700);
	fp_put(root, "net/tcp",
	    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000   33        0 4444 1 0000000097fd9227 100 0 0 10 0\n"
	    "   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   33        0 5555 1 0000000097fd9227 100 0 0 10 0\n"
	    "   2: 0100007F:1F90 0100007F:9C41 06 00000000:00000000 03:00001435 00000000    0        0 0 3 00000000bd435dc6\n");
	fp_put(root, "net/tcp6",
	    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 00000000000000000000000001000000:01BB 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 7777 1 0000000000000000 20 4 1 10 -1\n");
	fp_put(root, "100/comm", "nginx\n");
	fp_put(root, "200/comm", "curl\n");
	snprintf(path, sizeof(path), "%s/100/fd/3", root); CHECK(symlink("socket:[4444]", path) == 0);
	snprintf(path, sizeof(path), "%s/100/fd/4", root); CHECK(symlink("socket:[5555]", path) == 0);
	snprintf(path, sizeof(path), "%s/100/fd/5", root); CHECK(symlink("pipe:[5555]", path) == 0);
	snprintf(path, sizeof(path), "%s/200/fd/3", root); CHECK(symlink("socket:[7777]", path) == 0);

	o.proc_root = root;
	so = sockowner_new(&o);
	CHECK(so != NULL);
	CHECK_EQ_INT(sockowner_refresh(so, 1000), 4);
	key(&k, "127.0.0.1", 8080, "127.0.0.1", 40000);
	CHECK(sockowner_lookup(so, &k, 2000, &own));
	CHECK_EQ_INT(own.pid, 100);
	CHECK_EQ_STR(own.comm, "nginx");
	CHECK_EQ_INT(own.uid, 33);
	CHECK_EQ_INT(own.inode, 5555);
	key(&k, "127.0.0.1", 8080, "0.0.0.0", 0);          /* the listener */
	CHECK(sockowner_lookup(so, &k, 2000, &own) && own.pid == 100 && own.inode == 4444);
	key(&k, "::1", 443, "::1", 54321);
	CHECK(sockowner_lookup(so, &k, 2000, &own) && own.pid == 200);
	CHECK_EQ_STR(own.comm, "curl");
	key(&k, "127.0.0.1", 8080, "127.0.0.1", 40001);    /* time-wait: no inode */
	CHECK(!sockowner_lookup(so, &k, 2000, &own));
	CHECK_EQ_INT(own.pid, -1);
	sockowner_note(so, &k, 321, "closer", 3000);       /* learned from an event */
	CHECK(sockowner_lookup(so, &k, 4000, &own) && own.pid == 321);
	CHECK_EQ_STR(own.comm, "closer");
	key(&k, "10.0.0.1", 1, "10.0.0.2", 2);
	CHECK(!sockowner_lookup(so, &k, 5000, &own));
	sockowner_free(so);

	/* junk lines are refused */
	struct sock_key kk;
	uint32_t uid;
	uint64_t ino;
	unsigned st;
	CHECK(sockowner_parse_proc_line("  sl  local_address rem_address st", &kk, &uid, &ino, &st) < 0);
	CHECK(sockowner_parse_proc_line("   0: 0100007F:1F9 00000000:0000 0A 0:0 0:0 0 0 0 1", &kk, &uid, &ino, &st) < 0);
	CHECK(sockowner_parse_proc_line("   0: 0100007G:1F90 00000000:0000 0A 0:0 0:0 0 0 0 1", &kk, &uid, &ino, &st) < 0);
	CHECK(sockowner_parse_proc_line("", &kk, &uid, &ino, &st) < 0);

	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}

static void test_live_netlink(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct sockowner_opts o = { .netlink = true };
	struct sockowner *so;
	struct sock_key k;
	struct sock_owner own;
	char comm[17] = "";
	int l, c, s;
	FILE *f;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 1) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&a, &al) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	s = accept(l, NULL, NULL);
	CHECK(s >= 0);
	struct sockaddr_in cl;
	socklen_t cll = sizeof(cl);
	CHECK(getsockname(c, (struct sockaddr *)&cl, &cll) == 0);
	f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}

	so = sockowner_new(&o);
	key(&k, "127.0.0.1", ntohs(a.sin_port), "127.0.0.1", ntohs(cl.sin_port));
	CHECK(sockowner_lookup(so, &k, 1, &own));     /* one sock_diag query */
	CHECK_EQ_INT(own.pid, getpid());
	CHECK_EQ_STR(own.comm, comm);
	CHECK(own.inode != 0);
	CHECK(sockowner_refresh(so, 2000000000) >= 3);  /* a dump sees at least ours */
	key(&k, "127.0.0.1", ntohs(cl.sin_port), "127.0.0.1", ntohs(a.sin_port));
	CHECK(sockowner_lookup(so, &k, 2000000001, &own) && own.pid == getpid());
	struct sockowner_stats st;
	sockowner_stats(so, &st);
	CHECK_EQ_INT(st.netlink_errors, 0);
	sockowner_free(so);
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	test_proc_root();
	test_live_netlink();
	return unit_done("watch_sockowner");
}
