/* IMAP answers: one untagged response, as SEARCH and as FETCH (with its
 * literal), and the INTERNALDATE inside. */
#include "fuzz.h"

#include "imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint32_t *uids = NULL;
	size_t n = 0;
	struct rp_imap_msg m;

	rp_imap_parse_search(s, size, &uids, &n);
	free(uids);
	if (rp_imap_parse_fetch(s, size, &m) == 0) {
		free(m.from);
		free(m.subject);
	}
	free(s);
	return 0;
}
