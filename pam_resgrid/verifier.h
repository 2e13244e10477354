/* Slow password verifiers for offline logins (yescrypt, libxcrypt). */
#ifndef RG_VERIFIER_H
#define RG_VERIFIER_H

#include <stdbool.h>

/* Hashes password with a fresh random salt at the given yescrypt cost.
 * Returns a verifier string to free with rg_secret_free(), or NULL, also
 * for passwords of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more, which
 * libxcrypt refuses; PAM conversations stop at 512 bytes anyway. */
char *rg_verifier_make(const char *password, long cost);

/* Whether password hashes to verifier; the final comparison takes the
 * same time wherever the two differ.  A malformed verifier never
 * matches. */
bool rg_verifier_matches(const char *verifier, const char *password);

#endif
