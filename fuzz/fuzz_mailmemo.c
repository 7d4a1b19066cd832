/* A check record's mail memo, as Redis may hold it after any corruption:
 * parsed, and what parses dumps and parses back to the same. */
#include "fuzz.h"

#include "mailmemo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *d, *again;
	struct rp_mail_memo m, back;

	if (rp_mail_memo_parse(s, &m) == 0) {
		d = rp_mail_memo_dump(&m);
		if (d != NULL) {
			if (rp_mail_memo_parse(d, &back) != 0)
				abort();
			again = rp_mail_memo_dump(&back);
			if (again == NULL || strcmp(again, d) != 0)
				abort();
			free(again);
			rp_mail_memo_clear(&back);
			free(d);
		}
		rp_mail_memo_clear(&m);
	}
	free(s);
	return 0;
}
