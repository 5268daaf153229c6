/* mapguard: SIGBUS in a guarded file mapping becomes zero pages and a
 * recorded cut. */
#include "sources/mapguard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static struct {
	uint8_t *volatile lo;
	volatile size_t len;
	volatile size_t cut;
} slots[MAPGUARD_SLOTS];
static int installed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;   /* add, remove: files open at once */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	(void)uc;
	for (int i = 0; i < MAPGUARD_SLOTS; i++) {
		uint8_t *lo = slots[i].lo;
		size_t len = slots[i].len, page = (size_t)sysconf(_SC_PAGESIZE);

		if (!lo || a < lo || a >= lo + len)
			continue;
		/* zero pages from the faulting one to the mapping's end: the
		 * reader meets zeros, then the cut */
		uint8_t *from = (uint8_t *)((uintptr_t)a & ~(uintptr_t)(page - 1));

		if (mmap(from, (size_t)(lo + len - from), PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		if (slots[i].cut == SIZE_MAX || (size_t)(from - lo) < slots[i].cut)
			slots[i].cut = (size_t)(from - lo);
		return;
	}
	/* not ours: the default action, as if there were no handler */
	signal(sig, SIG_DFL);
	raise(sig);
}

int mapguard_add(uint8_t *map, size_t len)
{
	int slot = -1;

	pthread_mutex_lock(&lock);
	if (!installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (!sigaction(SIGBUS, &sa, NULL))
			installed = 1;
	}
	for (int i = 0; installed && i < MAPGUARD_SLOTS; i++)
		if (!slots[i].lo) {
			slots[i].cut = SIZE_MAX;
			slots[i].len = len;
			slots[i].lo = map;
			slot = i;
			break;
		}
	pthread_mutex_unlock(&lock);
	return slot;
}

void mapguard_remove(int slot)
{
	if (slot >= 0 && slot < MAPGUARD_SLOTS) {
		pthread_mutex_lock(&lock);
		slots[slot].lo = NULL;
		slots[slot].len = 0;
		pthread_mutex_unlock(&lock);
	}
}

size_t mapguard_cut(int slot)
{
	return slot >= 0 && slot < MAPGUARD_SLOTS ? slots[slot].cut : SIZE_MAX;
}
