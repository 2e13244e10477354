#include "config.h"

#include "hasher.h"

#include <signal.h>
#include <string.h>

#include "verifier.h"

static void *hasher_main(void *arg) {
  struct rg_hasher *h = arg;

  h->verifier = rg_verifier_make(h->password, h->cost);
  return NULL;
}

bool rg_hasher_start(struct rg_hasher *h, const char *password, long cost) {
  sigset_t all, old;

  memset(h, 0, sizeof(*h));
  h->password = password;
  h->cost = cost;
  /* The new thread inherits the mask in force when it is created; the
   * caller's own mask is back in place before this returns. */
  sigfillset(&all);
  if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
    return false;
  h->running = pthread_create(&h->thread, NULL, hasher_main, h) == 0;
  /* Cannot fail: old is a mask the kernel has just handed out. */
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return h->running;
}

char *rg_hasher_join(struct rg_hasher *h) {
  char *verifier;

  if (h->running) {
    pthread_join(h->thread, NULL);
    h->running = false;
  }
  verifier = h->verifier;
  h->verifier = NULL;
  return verifier;
}
