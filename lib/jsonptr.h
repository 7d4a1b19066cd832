/*
 * jsonptr: JSON pointers (RFC 6901), the way an http check names the
 * values it reads in an answer: "/last_run/state", "/runs/0/end",
 * "/a~1b" for the member "a/b", "/m~0n" for "m~n". The empty pointer is
 * the whole document.
 */
#ifndef RP_JSONPTR_H
#define RP_JSONPTR_H

#include <jansson.h>

/* Whether p is a pointer: "" or "/"-separated reference tokens in which
 * "~" is only ever followed by "0" or "1". */
int rp_jsonptr_valid(const char *p);

/* The value p points at in doc (borrowed: it lives as long as doc), or
 * NULL when there is none: a member that is not there, an array index out
 * of range, "-" (the element after the last), an index with a leading zero
 * or a sign, a token into a value that is neither an object nor an array,
 * or p not valid. */
json_t *rp_jsonptr_get(json_t *doc, const char *p);

#endif
