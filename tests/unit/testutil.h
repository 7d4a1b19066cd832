/* Helpers for the unit tests: temporary files with given contents. */
#ifndef RP_TESTUTIL_H
#define RP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a new temporary file; returns its path (static buffer
 * rotated among four, so a test can hold a few at once). */
static inline const char *
tmpfile_with(const char *text)
{
	static char paths[4][64];
	static int next;
	char *p = paths[next++ % 4];
	int fd;
	FILE *f;

	snprintf(p, 64, "/tmp/rp-unit-XXXXXX");
	fd = mkstemp(p);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return p;
}

#endif
