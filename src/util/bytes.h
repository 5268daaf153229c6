/* bytes: reading integers out of byte buffers without alignment or
 * aliasing assumptions (netlink headers and attributes). The caller has
 * checked that the bytes are there. */
#ifndef RSTSCOPE_BYTES_H
#define RSTSCOPE_BYTES_H
#include <stdint.h>
#include <string.h>

/* host order (netlink headers, attribute headers) */
static inline uint16_t bytes_ne16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t bytes_ne32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* network order (ctnetlink's attribute values) */
static inline uint32_t bytes_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
