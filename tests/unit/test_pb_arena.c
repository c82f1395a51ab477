/* Unit tests of fetch/pb_arena: blocks are aligned, distinct and usable;
 * large blocks freed early are freed once; a reset arena reuses its memory;
 * a message unpacked into an arena is whole, and freeing it with
 * *_free_unpacked as well is harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pb_arena.h"
#include "profile.pb-c.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define NBLOCKS 20000

static void test_blocks(void **state)
{
	pb_arena *a = pb_arena_new();
	ProtobufCAllocator *pa;
	unsigned char **p = calloc(NBLOCKS, sizeof *p);
	size_t i, j, n;

	(void)state;
	assert_non_null(a);
	assert_non_null(p);
	pa = pb_arena_allocator(a);
	/* Sizes on both sides of PB_ARENA_SMALL, enough to fill many chunks. */
	for (i = 0; i < NBLOCKS; i++) {
		n = (i * 37) % (2 * PB_ARENA_SMALL) + 1;
		p[i] = pa->alloc(pa->allocator_data, n);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		memset(p[i], (int)(i & 0xff), n);
	}
	/* Free every third large block now, as protobuf-c frees its scratch. */
	for (i = 0; i < NBLOCKS; i += 3)
		if ((i * 37) % (2 * PB_ARENA_SMALL) + 1 > PB_ARENA_SMALL) {
			pa->free(pa->allocator_data, p[i]);
			p[i] = NULL;
		}
	pa->free(pa->allocator_data, NULL);
	/* No block overlaps another: each still holds its own pattern. */
	for (i = 0; i < NBLOCKS; i++) {
		if (!p[i])
			continue;
		n = (i * 37) % (2 * PB_ARENA_SMALL) + 1;
		for (j = 0; j < n; j++)
			assert_int_equal(p[i][j], i & 0xff);
	}
	pb_arena_free(a);
	pb_arena_free(NULL);
	free(p);
}

static void test_zero_size(void **state)
{
	pb_arena *a = pb_arena_new();
	ProtobufCAllocator *pa = pb_arena_allocator(a);
	void *x = pa->alloc(pa->allocator_data, 0), *y = pa->alloc(pa->allocator_data, 0);

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	assert_ptr_not_equal(x, y);
	pb_arena_free(a);
}

/* Under AddressSanitizer the bytes after a small block are poisoned, so a
 * read past a decoded array is still caught. */
static void test_redzone(void **state)
{
#ifdef HAVE_ASAN
	pb_arena *a = pb_arena_new();
	ProtobufCAllocator *pa = pb_arena_allocator(a);
	unsigned char *x = pa->alloc(pa->allocator_data, 13), *y = pa->alloc(pa->allocator_data, 8);

	(void)state;
	assert_false(__asan_address_is_poisoned(x + 12));
	assert_true(__asan_address_is_poisoned(x + 13));
	assert_true(__asan_address_is_poisoned(x + 16)); /* the gap before y */
	assert_false(__asan_address_is_poisoned(y));
	pb_arena_free(a);
#else
	(void)state;
	skip();
#endif
}

/* A reset arena hands out its largest chunk again, from its start; the
 * blocks from before the reset are poisoned under AddressSanitizer. */
static void test_reset(void **state)
{
	pb_arena *a = pb_arena_new();
	ProtobufCAllocator *pa = pb_arena_allocator(a);
	unsigned char *first = NULL, *p, *q;
	size_t round, i, n;

	(void)state;
	pb_arena_reset(a); /* nothing allocated yet */
	/* Several chunks' worth, and large blocks left to the reset. */
	for (i = 0; i < 2000; i++) {
		n = i % 7 ? 200 : 2 * PB_ARENA_SMALL;
		p = pa->alloc(pa->allocator_data, n);
		assert_non_null(p);
		memset(p, 0xab, n);
	}
	for (round = 0; round < 3; round++) {
		pb_arena_reset(a);
		p = pa->alloc(pa->allocator_data, 16);
		q = pa->alloc(pa->allocator_data, 16);
		assert_non_null(p);
		assert_non_null(q);
		assert_ptr_not_equal(p, q);
		memset(p, 1, 16);
		memset(q, 2, 16);
		if (round == 0)
			first = p;
		assert_ptr_equal(p, first); /* the kept chunk, from its start */
#ifdef HAVE_ASAN
		assert_true(__asan_address_is_poisoned(q + 16 + 64));
#endif
	}
	pb_arena_free(a);
}

static void test_unpack(void **state)
{
	Perftools__Profiles__Profile m = PERFTOOLS__PROFILES__PROFILE__INIT, *u;
	Perftools__Profiles__Sample s[300], *sp[300];
	uint64_t ids[300][40];
	int64_t vals[300][2];
	char big[2 * PB_ARENA_SMALL], *strings[3] = {"", "cpu", big};
	unsigned char *buf;
	size_t len, i, j;
	pb_arena *a = pb_arena_new();

	(void)state;
	memset(big, 'x', sizeof big - 1); /* a string too long for the chunks */
	big[sizeof big - 1] = '\0';
	for (i = 0; i < 300; i++) {
		perftools__profiles__sample__init(&s[i]);
		for (j = 0; j < 40; j++)
			ids[i][j] = i * 1000 + j + 1;
		vals[i][0] = (int64_t)i;
		vals[i][1] = -(int64_t)i;
		s[i].n_location_id = 1 + i % 40;
		s[i].location_id = ids[i];
		s[i].n_value = 2;
		s[i].value = vals[i];
		sp[i] = &s[i];
	}
	m.n_sample = 300;
	m.sample = sp;
	m.n_string_table = 3;
	m.string_table = strings;
	len = perftools__profiles__profile__get_packed_size(&m);
	buf = malloc(len);
	assert_non_null(buf);
	perftools__profiles__profile__pack(&m, buf);
	u = perftools__profiles__profile__unpack(pb_arena_allocator(a), len, buf);
	/* The message holds copies: the bytes can go. */
	memset(buf, 0xff, len);
	free(buf);
	assert_non_null(u);
	assert_int_equal(u->n_sample, 300);
	for (i = 0; i < 300; i++) {
		assert_int_equal(u->sample[i]->n_location_id, 1 + i % 40);
		for (j = 0; j < u->sample[i]->n_location_id; j++)
			assert_int_equal(u->sample[i]->location_id[j], i * 1000 + j + 1);
		assert_int_equal(u->sample[i]->value[1], -(int64_t)i);
	}
	assert_string_equal(u->string_table[2], big);
	perftools__profiles__profile__free_unpacked(u, pb_arena_allocator(a));
	pb_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blocks),  cmocka_unit_test(test_zero_size),
	    cmocka_unit_test(test_redzone), cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_unpack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
