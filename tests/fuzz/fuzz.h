/* Shared by the fuzz harnesses in this folder.
 *
 * Each harness is one LLVMFuzzerTestOneInput() over one parser or
 * decision of the private library.  libFuzzer drives it in the fuzz build
 * (make fuzz); replay.c drives it over the checked-in corpus in make
 * check, so that every seed, regression seeds included, runs on every
 * build, under the sanitizers too.
 */
#ifndef RG_FUZZ_H
#define RG_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Allocation failures.  Between arm and disarm, malloc, calloc, realloc
 * and strdup of the library fail now and then: a PRNG seeded from the
 * input decides, so a crash replays.  The first few allocations always
 * succeed, so that the deep paths are reached too.  Outside arm and
 * disarm nothing fails. */
void fuzz_alloc_arm(const uint8_t *data, size_t size);

/* Lets jansson's own allocations fail as well, until disarm.  Only around
 * building and dumping JSON: jansson 2.14's parser ignores a failed
 * allocation while lexing and then trips its own assert (akheron/jansson
 * issue 362), so failures inside json_loadb() would only find that. */
void fuzz_alloc_json(bool may_fail);

/* Stops the failures; returns how many allocations were failed. */
unsigned long fuzz_alloc_disarm(void);

/* How many allocations have been failed since fuzz_alloc_arm(). */
unsigned long fuzz_alloc_failed(void);

/* Aborts with a message when a harness finds a broken promise, so that
 * libFuzzer (or replay) reports the input. */
#define FUZZ_REQUIRE(cond)                                                     \
  do {                                                                         \
    if (!(cond))                                                               \
      fuzz_broken(__FILE__, __LINE__, #cond);                                  \
  } while (0)

void fuzz_broken(const char *file, int line, const char *what)
    __attribute__((noreturn));

/* A log whose sink checks every line: printable ASCII only (no forged
 * lines, no terminal escapes), and counts lines at LOG_ERR or worse. */
struct fuzz_log {
  unsigned long lines;
  unsigned long errors;
};

struct rg_log fuzz_log_open(struct fuzz_log *counts);

/* Whether text is only printable ASCII. */
bool fuzz_printable(const char *text);

/* A private copy of data with a NUL after it, in its own allocation, so
 * that the sanitizers see any read past the end.  Made before arming. */
char *fuzz_dup(const uint8_t *data, size_t size);

/* A private, per-process folder for files the library must read: on
 * tmpfs when there is one.  Created on first use, removed at exit. */
const char *fuzz_scratch_dir(void);

/* Writes size bytes of data to name in the scratch folder, mode 0644,
 * owned by the effective uid; returns the full path (static storage). */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

#endif
