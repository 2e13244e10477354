#include "config.h"

#include "form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static size_t encoded_length(const char *s) {
  size_t n = 0;

  for (; *s != '\0'; s++)
    n += unreserved((unsigned char)*s) || *s == ' ' ? 1 : 3;
  return n;
}

static char *encode_into(char *out, const char *s) {
  static const char hex[] = "0123456789ABCDEF";

  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;

    if (unreserved(c)) {
      *out++ = (char)c;
    } else if (c == ' ') {
      *out++ = '+';
    } else {
      *out++ = '%';
      *out++ = hex[c >> 4];
      *out++ = hex[c & 0x0f];
    }
  }
  return out;
}

char *rg_form_encode(const struct rg_form_field *fields, size_t count) {
  size_t total = 1;
  char *body;
  char *p;

  for (size_t i = 0; i < count; i++)
    total +=
        encoded_length(fields[i].name) + encoded_length(fields[i].value) + 2;
  body = malloc(total);
  if (body == NULL)
    return NULL;
  p = body;
  for (size_t i = 0; i < count; i++) {
    if (i > 0)
      *p++ = '&';
    p = encode_into(p, fields[i].name);
    *p++ = '=';
    p = encode_into(p, fields[i].value);
  }
  *p = '\0';
  return body;
}
