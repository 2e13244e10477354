/* application/x-www-form-urlencoded bodies for the token request. */
#ifndef RG_FORM_H
#define RG_FORM_H

#include <stddef.h>

struct rg_form_field {
  const char *name;
  const char *value;
};

/* Encodes the fields as name=value pairs joined by '&': letters, digits
 * and "-._~" stay, a space becomes '+', every other byte becomes %XX.
 *
 * The body holds the password, so it is measured first and allocated
 * once: a growing buffer would leave unwiped copies in freed memory,
 * which is why curl_easy_escape() is not used.  Free the result with
 * rg_secret_free().  Returns NULL when out of memory. */
char *rg_form_encode(const struct rg_form_field *fields, size_t count);

#endif
