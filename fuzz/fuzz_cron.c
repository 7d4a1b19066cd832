/* Cron expressions (ping checks' schedule): the parser, and prev/next
 * around DST changes of America/New_York and the leap day. A refusal must
 * be one line; a schedule must satisfy prev(t) <= t < next(t) and the
 * round trips of cron.h at every instant tried. */
#include "fuzz.h"

#include "clock.h"
#include "cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const instants[] = {
	"2026-03-08T06:30:00Z", /* 01:30 EST, half an hour before the gap */
	"2026-03-08T07:00:00Z", /* 03:00 EDT, the end of the gap */
	"2026-11-01T05:30:00Z", /* 01:30 EDT, the first of two */
	"2026-11-01T06:30:00Z", /* 01:30 EST, the second */
	"2026-11-26T14:00:00Z",
	"2028-02-29T04:59:59Z", /* the last second before a leap day */
	"2099-12-31T23:59:59Z", /* a century that is not a leap year ahead */
};
#define NINSTANTS (sizeof(instants) / sizeof(instants[0]))

static void
check_schedule(const struct rp_cron *c, time_t t)
{
	time_t p = rp_cron_prev(c, t), n = rp_cron_next(c, t);

	if (p == (time_t)-1 || n == (time_t)-1 || p > t || n <= t)
		abort();
	if (rp_cron_prev(c, n) != n || rp_cron_next(c, p) <= p)
		abort();
	/* Nothing scheduled strictly between them. */
	if (rp_cron_next(c, p) != n || rp_cron_prev(c, n - 1) != p)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static time_t t[NINSTANTS];
	static int ready;
	char *s = fuzz_str(data, size), why[128];
	struct rp_cron c;
	struct rp_err err;
	size_t i;

	if (!ready) {
		ready = 1;
		if (rp_clock_set_zone("America/New_York", &err) != 0)
			abort();
		for (i = 0; i < NINSTANTS; i++)
			if (rp_clock_parse_iso(instants[i], 0, &t[i]) != 0)
				abort();
	}
	memset(why, 'x', sizeof(why));
	if (rp_cron_parse(s, &c, why, sizeof(why)) != 0) {
		/* One line, terminated, not empty. */
		if (memchr(why, '\0', sizeof(why)) == NULL || why[0] == '\0' ||
		    strchr(why, '\n') != NULL)
			abort();
	} else {
		if (strcmp(c.expr, s) != 0)
			abort();
		for (i = 0; i < NINSTANTS; i++)
			check_schedule(&c, t[i]);
	}
	free(s);
	return 0;
}
