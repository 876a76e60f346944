/*
 * One out-of-memory policy: these call fatal() on failure, so callers never
 * check for NULL.
 */
#ifndef BR_XMALLOC_H
#define BR_XMALLOC_H

#include <stddef.h>
#include <stdlib.h> /* free() goes with every x*alloc */

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

/*
 * Call after freeing `freed` bytes that one request or one peer held (a
 * large RPC answer, a peer's part-received message). glibc keeps freed
 * memory in its arenas, so one 2,000-call batch left ~350 MB resident for
 * good; from XMALLOC_RELEASE_MIN up this hands the whole free pages of
 * every arena back to the system (malloc_trim(0)). Costs a walk of the
 * heap (about a millisecond), hence the threshold. No-op without glibc.
 * Any thread.
 */
#define XMALLOC_RELEASE_MIN (1u << 20)
void xmalloc_release(size_t freed);

#endif
