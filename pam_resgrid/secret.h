/* Handling of passwords and tokens in memory.
 *
 * Every heap copy of a secret is released through these, so that no
 * password or token lingers in freed memory of sshd, sudo or login.
 */
#ifndef RG_SECRET_H
#define RG_SECRET_H

#include <stddef.h>

/* Wipes a NUL-terminated secret and frees it; NULL is allowed. */
void rg_secret_free(char *secret);

/* Wipes len bytes at buf and frees it; NULL is allowed. */
void rg_secret_free_n(void *buf, size_t len);

/* Compares two NUL-terminated strings in time that depends only on their
 * lengths, never on where they first differ.  Returns nonzero if equal. */
int rg_secret_equal(const char *a, const char *b);

#endif
