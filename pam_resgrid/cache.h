/* The offline cache: one record per local user in a root-only folder.
 *
 * Only the process's effective user (root in production) may own the
 * folder and its files, and nobody else may read them.  Records are
 * replaced atomically and durably, and every read-modify-write of a
 * record happens under that record's own lock, so one user's login never
 * waits for another's.
 */
#ifndef RG_CACHE_H
#define RG_CACHE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "record.h"
#include "trust.h"

/* A file name stem: SHA-256 of the user name, in hex. */
#define RG_CACHE_STEM_LEN 64

struct rg_cache {
  int dirfd;
  uid_t owner;
};

/* Opens (and with create, makes, mode 0700) the cache folder, checking
 * that it is a real folder owned by the effective uid and closed to group
 * and others. */
enum rg_file_status rg_cache_open(struct rg_cache *cache, const char *dir,
                                  bool create, struct rg_why *why);

void rg_cache_close(struct rg_cache *cache);

/* The file name stem for user: the SHA-256 of the name in hex.  Whatever
 * the name holds ('/', "..", spaces, control characters, 256 letters), the
 * stem is 64 hex digits that stay inside the folder, and the record keeps
 * the name itself, which rg_cache_load() checks.  False if user is empty
 * or the digest fails. */
bool rg_cache_stem(const char *user, char stem[RG_CACHE_STEM_LEN + 1]);

/* Takes user's record lock, waiting at most a few seconds for another
 * login of the same user.  Returns a descriptor for rg_cache_unlock(), or
 * -1 with why filled. */
int rg_cache_lock(const struct rg_cache *cache, const char *user,
                  struct rg_why *why);

void rg_cache_unlock(int lock);

/* Loads and checks user's record.  RG_FILE_MISSING when there is none;
 * RG_FILE_UNTRUSTED (why says why) for one that fails a check, does not
 * parse, or belongs to another user. */
enum rg_file_status rg_cache_load(const struct rg_cache *cache,
                                  const char *user, struct rg_record *record,
                                  struct rg_why *why);

/* Replaces record->user's record: temporary file, fsync, rename, fsync
 * of the folder.  Call with the record's lock held. */
enum rg_file_status rg_cache_store(const struct rg_cache *cache,
                                   const struct rg_record *record,
                                   struct rg_why *why);

/* Calls visit for every record file in the folder, in no particular
 * order, with what loading it gave: RG_FILE_OK and the record, or
 * another status and why.  A record is loaded with rg_cache_load()'s
 * checks, and its file name must be its user's stem.  The record is
 * freed after visit returns.  Returns false if the folder cannot be read. */
typedef void rg_cache_visit(void *arg, const char *file,
                            enum rg_file_status status,
                            const struct rg_record *record,
                            const struct rg_why *why);
bool rg_cache_each(const struct rg_cache *cache, rg_cache_visit *visit,
                   void *arg);

/* Deletes user's record and lock file; missing ones are fine. */
enum rg_file_status rg_cache_remove(const struct rg_cache *cache,
                                    const char *user, struct rg_why *why);

/* The outage marker: when Resgrid was last found unreachable. */
void rg_cache_note_outage(const struct rg_cache *cache, time_t now);
void rg_cache_clear_outage(const struct rg_cache *cache);
bool rg_cache_outage_recent(const struct rg_cache *cache, time_t now,
                            long window);

#endif
