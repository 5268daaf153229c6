/* watch-gen: paced TCP traffic on loopback for bench/watch-rate.sh.
 * usage: watch-gen RATE SECONDS  -- RATE small writes per second (TCP_NODELAY:
 * each is one segment, plus the peer's ACKs) over one connection to a
 * listener of its own on 127.0.0.1; prints the writes done. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	char buf[65536] = { 0 };
	double rate, secs, t0;
	long done = 0;
	int l, c, one = 1;
	pid_t pid;

	if (argc != 3 || (rate = strtod(argv[1], NULL)) <= 0 || (secs = strtod(argv[2], NULL)) <= 0 ||
	    secs > 60) {
		fprintf(stderr, "usage: watch-gen RATE SECONDS\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		return perror("watch-gen: listen"), 1;
	pid = fork();
	if (pid == 0) {             /* the reader */
		int s = accept(l, NULL, NULL);
		alarm((unsigned)secs + 5);
		while (s >= 0 && read(s, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		return perror("watch-gen: connect"), 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now();
	for (;;) {
		double t = now() - t0;
		long want = (long)(t * rate);
		if (t >= secs)
			break;
		while (done < want && write(c, buf, 64) == 64)
			done++;
		struct timespec ms = { 0, 200000 };
		nanosleep(&ms, NULL);
	}
	close(c);
	waitpid(pid, NULL, 0);
	printf("%ld\n", done);
	return 0;
}
