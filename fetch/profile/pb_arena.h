/* pb_arena.h — a protobuf-c allocator that carves small blocks out of large
 * chunks and gives them all back at once.
 *
 * A raw profile unpacks into millions of small blocks (a Sample, its
 * location ids, its values, …); from malloc each costs a header and rounding,
 * about a sixth of the decoded profile, and freeing them one by one takes a
 * walk over the whole message. Blocks up to PB_ARENA_SMALL bytes come from
 * the arena's chunks and are only released with the arena; larger ones (the
 * top-level arrays, protobuf-c's scratch space for scanning a message) come
 * from malloc and are freed when protobuf-c frees them, so scratch space does
 * not pile up while a message unpacks.
 *
 * Ownership: pb_arena_new returns an arena the caller owns and releases with
 * pb_arena_free (free of NULL is a no-op), which frees every block allocated
 * from it, so a message unpacked with pb_arena_allocator needs no
 * *_free_unpacked (calling it anyway is harmless) and must not outlive the
 * arena.
 */
#ifndef PGO_GO_PB_ARENA_H
#define PGO_GO_PB_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* Blocks up to this size come from the chunks. It stays below the smallest
 * scratch block protobuf-c allocates and frees while unpacking (32 scanned
 * fields of at least 20 bytes), so that one is really freed. */
#define PB_ARENA_SMALL 512

typedef struct pb_arena pb_arena;

/* NULL when out of memory. */
pb_arena *pb_arena_new(void);

void pb_arena_free(pb_arena *a);

/* Frees every block allocated from a, keeping its largest chunk for the
 * blocks to come: a loop unpacking one small message at a time so reuses
 * the same memory. */
void pb_arena_reset(pb_arena *a);

/* The allocator to pass to protobuf-c; valid as long as a. */
ProtobufCAllocator *pb_arena_allocator(pb_arena *a);

#endif
