/* Runs every file of one harness's corpus through the harness, in make
 * check: the seeds, and the inputs that once crashed it, stay fixed on
 * every build, the sanitizer build included.  A harness aborts on a
 * broken promise; the file it was running is named on standard error.
 *
 * Built once per harness with FUZZ_CORPUS naming the corpus folder. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS must name the corpus folder"
#endif

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_seed(const struct dirent *e) {
  return e->d_name[0] != '.';
}

static uint8_t *read_seed(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  uint8_t *data;
  long len;

  ck_assert_msg(f != NULL, "cannot open %s", path);
  ck_assert(fseek(f, 0, SEEK_END) == 0);
  len = ftell(f);
  ck_assert(len >= 0 && fseek(f, 0, SEEK_SET) == 0);
  data = malloc((size_t)len + 1);
  ck_assert(data != NULL);
  ck_assert(fread(data, 1, (size_t)len, f) == (size_t)len);
  fclose(f);
  *size = (size_t)len;
  return data;
}

START_TEST(every_seed_passes_the_harness) {
  struct dirent **seeds;
  int n = scandir(FUZZ_CORPUS, &seeds, is_seed, by_name);

  ck_assert_msg(n > 0, "no seeds in %s", FUZZ_CORPUS);
  for (int i = 0; i < n; i++) {
    char path[4096];
    uint8_t *data;
    size_t size;

    snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS, seeds[i]->d_name);
    fprintf(stderr, "replay %s\n", path);
    data = read_seed(path, &size);
    ck_assert_int_eq(LLVMFuzzerTestOneInput(data, size), 0);
    free(data);
    free(seeds[i]);
  }
  free(seeds);
}
END_TEST

static Suite *replay_suite(void) {
  Suite *s = suite_create("replay");
  TCase *tc = tcase_create("corpus");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, every_seed_passes_the_harness);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *runner = srunner_create(replay_suite());

  srunner_set_tap(runner, "-");
  srunner_run_all(runner, CK_SILENT);
  srunner_free(runner);
  return 0;
}
