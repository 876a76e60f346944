/*
 * One out-of-memory policy: these call fatal() on failure, so callers never
 * check for NULL.
 */
#ifndef BR_XMALLOC_H
#define BR_XMALLOC_H

#include <stddef.h>
#include <stdlib.h>	/* free() goes with every x*alloc */

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Overflow-checked realloc of an array of nmemb elements of size bytes. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* The first n bytes of s (fewer if s is shorter), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
/* asprintf that never fails. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
