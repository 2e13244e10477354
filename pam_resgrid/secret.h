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

/* free() and realloc() that wipe what they release.  libcurl copies the
 * request body (the password) into buffers of its own, and jansson keeps
 * the strings it parses (the tokens): both are handed these, so that
 * their copies are wiped too.  Safe wherever plain malloc'd memory is. */
void rg_wiping_free(void *ptr);
void *rg_wiping_realloc(void *ptr, size_t size);

/* Makes jansson release through rg_wiping_free(), once per process, if
 * the host has not given jansson allocators of its own. */
void rg_secret_init(void);

#endif
