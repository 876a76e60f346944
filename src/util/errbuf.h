/*
 * The caller-supplied error buffer (char *err, size_t errlen) that
 * functions returning -1 fill with a reason, as Core words it.
 */
#ifndef BR_ERRBUF_H
#define BR_ERRBUF_H

#include <stddef.h>

/*
 * Formats into err, truncated to errlen - 1 characters; does nothing when
 * errlen is 0 (the caller wants no reason). Any thread.
 */
void errbuf_printf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
