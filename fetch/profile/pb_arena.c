/* pb_arena.c — chunks bumped through for small blocks, malloc for the rest.
 *
 * Under AddressSanitizer the unused part of each chunk stays poisoned and
 * every small block is followed by a poisoned gap, so that reading past a
 * decoded array is still caught in the sanitizer and fuzzing builds. */
#include "pb_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define PB_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PB_ARENA_ASAN 1
#endif
#endif

#ifdef PB_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define REDZONE        16
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define REDZONE        0
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Chunks start small, so that decoding a small profile costs little, and
 * double up to CHUNK_MAX; the tail a chunk wastes is below PB_ARENA_SMALL. */
#define CHUNK_MIN ((size_t)16 << 10)
#define CHUNK_MAX ((size_t)1 << 20)

/* Every type protobuf-c puts in a block (pointers, 64-bit integers,
 * doubles) is aligned at most to 8 bytes. */
#define ALIGN 8

/* The header of a block too large for a chunk: two pointers, so the block
 * after it keeps malloc's alignment on 64-bit systems, 8 bytes elsewhere. */
struct big {
	struct big *prev, *next;
};

struct chunk {
	unsigned char *base;
	size_t size;
};

struct pb_arena {
	ProtobufCAllocator pb;
	unsigned char *cur; /* the free part of the newest chunk */
	size_t left;
	struct chunk *chunks; /* sorted by address, for pb_free to search */
	size_t nchunks, capchunks, next_size;
	struct big *big; /* live large blocks */
};

static int chunk_add(pb_arena *a, unsigned char *base, size_t size)
{
	uintptr_t b = (uintptr_t)base;
	size_t i;

	if (a->nchunks == a->capchunks) {
		size_t cap = a->capchunks ? 2 * a->capchunks : 16;
		struct chunk *c = realloc(a->chunks, cap * sizeof *c);
		if (!c)
			return -1;
		a->chunks = c;
		a->capchunks = cap;
	}
	for (i = a->nchunks; i > 0 && (uintptr_t)a->chunks[i - 1].base > b; i--)
		;
	memmove(&a->chunks[i + 1], &a->chunks[i], (a->nchunks - i) * sizeof *a->chunks);
	a->chunks[i] = (struct chunk){base, size};
	a->nchunks++;
	return 0;
}

static int chunk_new(pb_arena *a)
{
	size_t size = a->next_size;
	unsigned char *c = malloc(size);

	if (!c)
		return -1;
	if (chunk_add(a, c, size) != 0) {
		free(c);
		return -1;
	}
	POISON(c, size);
	a->cur = c;
	a->left = size;
	if (a->next_size < CHUNK_MAX)
		a->next_size *= 2;
	return 0;
}

static void *big_alloc(pb_arena *a, size_t n)
{
	struct big *b = n <= SIZE_MAX - sizeof *b ? malloc(sizeof *b + n) : NULL;

	if (!b)
		return NULL;
	b->prev = NULL;
	b->next = a->big;
	if (a->big)
		a->big->prev = b;
	a->big = b;
	return b + 1;
}

static void *pb_alloc(void *data, size_t n)
{
	pb_arena *a = data;
	size_t need = n ? (n + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN;
	unsigned char *p;

	if (n > PB_ARENA_SMALL)
		return big_alloc(a, n);
	need += REDZONE;
	if (a->left < need && chunk_new(a) != 0)
		return NULL;
	p = a->cur;
	a->cur += need;
	a->left -= need;
	UNPOISON(p, n);
	return p;
}

/* Whether p lies in one of the chunks. */
static int in_chunk(const pb_arena *a, const void *p)
{
	uintptr_t x = (uintptr_t)p;
	size_t lo = 0, hi = a->nchunks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)a->chunks[mid].base <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && x - (uintptr_t)a->chunks[lo - 1].base < a->chunks[lo - 1].size;
}

/* Small blocks go with the arena; large ones are freed now. */
static void pb_free(void *data, void *p)
{
	pb_arena *a = data;
	struct big *b;

	if (!p || in_chunk(a, p))
		return;
	b = (struct big *)p - 1;
	if (b->prev)
		b->prev->next = b->next;
	else
		a->big = b->next;
	if (b->next)
		b->next->prev = b->prev;
	free(b);
}

pb_arena *pb_arena_new(void)
{
	pb_arena *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->pb.alloc = pb_alloc;
	a->pb.free = pb_free;
	a->pb.allocator_data = a;
	a->next_size = CHUNK_MIN;
	return a;
}

static void big_free_all(pb_arena *a)
{
	struct big *b, *next;

	for (b = a->big; b; b = next) {
		next = b->next;
		free(b);
	}
	a->big = NULL;
}

void pb_arena_free(pb_arena *a)
{
	size_t i;

	if (!a)
		return;
	big_free_all(a);
	for (i = 0; i < a->nchunks; i++) {
		UNPOISON(a->chunks[i].base, a->chunks[i].size);
		free(a->chunks[i].base);
	}
	free(a->chunks);
	free(a);
}

void pb_arena_reset(pb_arena *a)
{
	size_t i, keep = 0;

	big_free_all(a);
	if (a->nchunks == 0)
		return;
	for (i = 1; i < a->nchunks; i++)
		if (a->chunks[i].size > a->chunks[keep].size)
			keep = i;
	for (i = 0; i < a->nchunks; i++) {
		UNPOISON(a->chunks[i].base, a->chunks[i].size);
		if (i != keep)
			free(a->chunks[i].base);
	}
	a->chunks[0] = a->chunks[keep];
	a->nchunks = 1;
	a->cur = a->chunks[0].base;
	a->left = a->chunks[0].size;
	POISON(a->cur, a->left);
}

ProtobufCAllocator *pb_arena_allocator(pb_arena *a)
{
	return &a->pb;
}
