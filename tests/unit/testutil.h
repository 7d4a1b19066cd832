/* Helpers for the unit tests: temporary files with given contents, and
 * temporary directories. */
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

/* A new directory of ours (mode 0700) under /tmp, its path in out (64
 * bytes at least); returns out. */
static inline const char *
tmpdir_make(char *out)
{
	snprintf(out, 64, "/tmp/rp-unit-dir-XXXXXX");
	if (mkdtemp(out) == NULL)
		abort();
	return out;
}

/* Removes dir and all below it. */
static inline void
tmpdir_remove(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

#endif
