#define _POSIX_C_SOURCE 200809L
#include "jsonptr.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int
rp_jsonptr_valid(const char *p)
{
	if (*p == '\0')
		return 1;
	if (*p != '/')
		return 0;
	for (; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return 0;
	return 1;
}

/* The array index a token names, or -1: "0", or digits without a leading
 * zero (RFC 6901 section 4), within size. */
static long
array_index(const char *tok, size_t size)
{
	size_t i, n = strlen(tok);
	long v = 0;

	if (n == 0 || n > 18 || (n > 1 && tok[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return -1;
		v = v * 10 + (tok[i] - '0');
	}
	return (size_t)v < size ? v : -1;
}

json_t *
rp_jsonptr_get(json_t *doc, const char *p)
{
	char *tok;
	json_t *v = doc;

	if (doc == NULL || !rp_jsonptr_valid(p))
		return NULL;
	tok = rp_xmalloc(strlen(p) + 1);
	while (v != NULL && *p == '/') {
		size_t n = 0;

		/* One reference token, unescaped: ~1 is "/", ~0 is "~" (in
		 * that order, so "~01" is "~1"). */
		for (p++; *p && *p != '/'; p++) {
			if (*p == '~') {
				tok[n++] = p[1] == '1' ? '/' : '~';
				p++;
			} else {
				tok[n++] = *p;
			}
		}
		tok[n] = '\0';
		if (json_is_object(v)) {
			v = json_object_get(v, tok);
		} else if (json_is_array(v)) {
			long i = array_index(tok, json_array_size(v));
			v = i < 0 ? NULL : json_array_get(v, (size_t)i);
		} else {
			v = NULL;
		}
	}
	free(tok);
	return v;
}
