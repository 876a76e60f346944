#include <stdarg.h>
#include <stdio.h>

#include "util/errbuf.h"

void
errbuf_printf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
