/* Every form of time the code reads: ISO-8601 (--now, batchy), IMAP
 * INTERNALDATE, HH:MM (checklist) and durations (rp-silence). */
#include "fuzz.h"

#include "clock.h"
#include "imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zoned;
	char *s = fuzz_str(data, size);
	struct rp_err err;
	time_t t;
	long l;
	int m;

	if (!zoned) {
		zoned = 1;
		if (rp_clock_set_zone("America/New_York", &err) != 0)
			abort();
	}
	rp_clock_parse_iso(s, 0, &t);
	rp_clock_parse_iso(s, 1, &t);
	rp_imap_parse_date(s, &t);
	if (rp_clock_parse_hhmm(s, &m) == 0 && (m < 0 || m >= 24 * 60))
		abort();
	if (rp_clock_parse_duration(s, 30L * 86400, &l) == 0 && (l <= 0 || l > 30L * 86400))
		abort();
	free(s);
	return 0;
}
