/* mapguard: a mapped capture file that shrinks while it is read (another
 * program truncates it, a capture being rotated) must not kill rstscope
 * with SIGBUS. A mapping registered here is guarded: a fault inside it
 * maps zero pages over the rest of it, records where, and returns; the
 * reader then sees mapguard_cut() and reports the file as cut at that
 * point, with the results so far. A SIGBUS anywhere else keeps its
 * default action. One mapping at a time per slot; MAPGUARD_SLOTS slots. */
#ifndef RSTSCOPE_MAPGUARD_H
#define RSTSCOPE_MAPGUARD_H
#include <stddef.h>
#include <stdint.h>

#define MAPGUARD_SLOTS 8

/* Guard [map, map + len): a slot number, or -1 when none is free or the
 * handler cannot be installed (the mapping then stays unguarded). */
int mapguard_add(uint8_t *map, size_t len);
/* Stop guarding slot (before munmap of the whole mapping). -1 is fine. */
void mapguard_remove(int slot);
/* Where the mapping in slot faulted (its offset; SIZE_MAX: it has not). */
size_t mapguard_cut(int slot);

#endif
