/*
 * sources: where a workflow's state comes from. Batchy first:
 * GET http://<server>:<port>/get_status/<wf_name> answers a JSON object whose
 * member "global" holds batch_start, batch_end (null while a batch runs) and
 * status; times are naive UTC ISO-8601.
 */
#ifndef RP_SOURCES_H
#define RP_SOURCES_H

#include <stddef.h>
#include <time.h>

#include "util.h"

enum rp_wf_status {
	RP_WF_NEW,
	RP_WF_OPEN,
	RP_WF_SUCCESS,
	RP_WF_FAILURE
};

struct rp_wf {
	enum rp_wf_status status;
	int has_start, has_end;
	time_t start, end;
};

#define RP_BATCHY_MAX_BYTES (1024 * 1024)

/* The status URL of workflow wf on server:port; the caller frees it. A
 * server given as a URL (http://host:port/prefix) is used as the base. */
char *rp_batchy_url(const char *server, long port, const char *wf);

/* Parses a batchy answer. Returns 0, or -1 with a one-line reason in why
 * (what a user needs to see the answer was unusable). */
int rp_batchy_parse(const char *body, size_t len, struct rp_wf *out, char *why, size_t whylen);

const char *rp_wf_status_name(enum rp_wf_status s);

#endif
