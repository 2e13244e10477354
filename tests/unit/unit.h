/* Shared pieces of the unit tests: a main() that reports in TAP, and a
 * log sink that keeps what the library logged so tests can look at it. */
#ifndef RG_UNIT_H
#define RG_UNIT_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct captured_log {
  char text[8192];
};

static inline void capture_sink(void *arg, int priority, const char *line) {
  struct captured_log *c = arg;
  size_t used = strlen(c->text);

  snprintf(c->text + used, sizeof(c->text) - used, "%d %s\n", priority, line);
}

static inline struct rg_log capture_log(struct captured_log *c) {
  c->text[0] = '\0';
  return (struct rg_log){capture_sink, c, true};
}

static inline int unit_remove_entry(const char *path, const struct stat *st,
                                    int type, struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  return remove(path);
}

/* A scratch folder /tmp/rg-unit-NAME-XXXXXX for one test program, made in
 * an unchecked fixture so that it is removed even when a test dies. */
static inline void unit_make_root(char *root, size_t size, const char *name) {
  snprintf(root, size, "/tmp/rg-unit-%s-XXXXXX", name);
  ck_assert_ptr_nonnull(mkdtemp(root));
}

static inline void unit_remove_root(const char *root) {
  nftw(root, unit_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs suite in forked children (a crash fails one test, not the run) and
 * prints TAP for the automake driver. */
#define UNIT_MAIN(make_suite)                                                  \
  int main(void) {                                                             \
    SRunner *runner = srunner_create(make_suite());                            \
    srunner_set_tap(runner, "-");                                              \
    srunner_run_all(runner, CK_SILENT);                                        \
    srunner_free(runner);                                                      \
    return 0;                                                                  \
  }

#endif
