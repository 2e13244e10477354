/* The secret-handling helpers: wiping release, and the hooks that make
 * jansson use it. */
#include "config.h"

#include <jansson.h>

#include "secret.h"
#include "unit.h"

START_TEST(test_realloc_keeps_contents_when_growing) {
  char *p = malloc(16);

  memcpy(p, "abcdefghijklmno", 16);
  p = rg_wiping_realloc(p, 4096);
  ck_assert_ptr_nonnull(p);
  ck_assert_str_eq(p, "abcdefghijklmno");
  rg_wiping_free(p);
}
END_TEST

START_TEST(test_realloc_keeps_the_prefix_when_shrinking) {
  char *p = malloc(4096);

  memset(p, 'x', 4096);
  p = rg_wiping_realloc(p, 8);
  ck_assert_ptr_nonnull(p);
  ck_assert_mem_eq(p, "xxxxxxxx", 8);
  rg_wiping_free(p);
}
END_TEST

START_TEST(test_realloc_of_null_allocates) {
  char *p = rg_wiping_realloc(NULL, 32);

  ck_assert_ptr_nonnull(p);
  rg_wiping_free(p);
}
END_TEST

START_TEST(test_realloc_to_zero_frees) {
  ck_assert_ptr_null(rg_wiping_realloc(malloc(8), 0));
}
END_TEST

START_TEST(test_wiping_free_accepts_null) {
  rg_wiping_free(NULL);
  rg_secret_free(NULL);
  rg_secret_free_n(NULL, 10);
}
END_TEST

START_TEST(test_init_makes_jansson_free_through_the_wiping_free) {
  json_malloc_t m = NULL;
  json_free_t f = NULL;

  rg_secret_init();
  rg_secret_init();
  json_get_alloc_funcs(&m, &f);
  ck_assert_ptr_eq(m, malloc);
  ck_assert_ptr_eq(f, rg_wiping_free);
  json_decref(json_pack("{s:s}", "access_token", "still works"));
}
END_TEST

static void custom_free(void *p) {
  free(p);
}

START_TEST(test_init_leaves_a_host_allocator_alone) {
  json_malloc_t m = NULL;
  json_free_t f = NULL;

  json_set_alloc_funcs(malloc, custom_free);
  rg_secret_init();
  json_get_alloc_funcs(&m, &f);
  ck_assert_ptr_eq(f, custom_free);
}
END_TEST

START_TEST(test_equal_compares_whole_strings) {
  ck_assert(rg_secret_equal("same", "same"));
  ck_assert(!rg_secret_equal("same", "sane"));
  ck_assert(!rg_secret_equal("same", "samesame"));
  ck_assert(rg_secret_equal("", ""));
}
END_TEST

static Suite *secret_suite(void) {
  Suite *s = suite_create("secret");
  TCase *tc = tcase_create("secret");

  tcase_add_test(tc, test_realloc_keeps_contents_when_growing);
  tcase_add_test(tc, test_realloc_keeps_the_prefix_when_shrinking);
  tcase_add_test(tc, test_realloc_of_null_allocates);
  tcase_add_test(tc, test_realloc_to_zero_frees);
  tcase_add_test(tc, test_wiping_free_accepts_null);
  tcase_add_test(tc, test_init_makes_jansson_free_through_the_wiping_free);
  tcase_add_test(tc, test_init_leaves_a_host_allocator_alone);
  tcase_add_test(tc, test_equal_compares_whole_strings);
  suite_add_tcase(s, tc);
  return s;
}

UNIT_MAIN(secret_suite)
