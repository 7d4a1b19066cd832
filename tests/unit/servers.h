/* The servers tests/run-tests.sh starts for the unit tests that need one.
 * A test run without them fails: it does not skip. */
#ifndef RP_SERVERS_H
#define RP_SERVERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "http.h"
#include "util.h"

static inline int
test_port(const char *var)
{
	const char *v = getenv(var);
	long port;

	if (v == NULL || rp_parse_long(v, 1, 65535, &port) != 0)
		ck_abort_msg("%s is not set: run the unit tests through make check", var);
	return (int)port;
}

/* http://127.0.0.1:<port of var><path>, in a static buffer. */
static inline const char *
test_url(const char *var, const char *path)
{
	static char b[256];
	snprintf(b, sizeof(b), "http://127.0.0.1:%d%s", test_port(var), path);
	return b;
}

/* POSTs body to a control path of the PagerDuty stand-in (/_reset,
 * /_fail...); it must answer 200. */
static inline void
pd_control(const char *path, const char *body)
{
	struct rp_http_req r = {0};

	r.url = test_url("RP_TEST_PD_PORT", path);
	r.body = body;
	r.timeout_ms = 5000;
	r.max_bytes = 1 << 20;
	rp_http_perform(&r, 1, 1);
	ck_assert_int_eq(r.status, 200);
	rp_http_req_reset(&r);
}

#endif
