/* The verifier of an online login, made on a thread of its own while
 * the login waits for Resgrid.
 *
 * The hash is the costliest step of a login and needs nothing from the
 * network, so it runs beside the TCP and TLS handshakes and the server's
 * wait instead of after them.  The thread never outlives the login: it
 * is joined before the module returns, whatever the outcome.
 */
#ifndef RG_HASHER_H
#define RG_HASHER_H

#include <pthread.h>
#include <stdbool.h>

struct rg_hasher {
  pthread_t thread;
  bool running;
  const char *password; /* the caller's, left alone until joined */
  long cost;
  char *verifier;
};

/* Starts hashing password at the yescrypt cost on a new thread, with
 * every signal blocked in it so that the host's signals keep going to
 * the host's own threads.  password must stay unchanged and allocated
 * until rg_hasher_join().  Returns false if no thread could be started:
 * the caller then makes the verifier itself if it still needs one. */
bool rg_hasher_start(struct rg_hasher *h, const char *password, long cost);

/* Waits for the thread, if one was started, and hands over its verifier
 * (free it with rg_secret_free()); NULL when there is none.  Safe to call
 * again: later calls return NULL. */
char *rg_hasher_join(struct rg_hasher *h);

#endif
