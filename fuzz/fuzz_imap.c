/* IMAP answers: one untagged response, as SEARCH, as FETCH (with its
 * literal) and as what EXAMINE says of a mailbox, and the INTERNALDATE
 * inside. */
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
	struct rp_imap_box box;

	rp_imap_parse_search(s, size, &uids, &n);
	free(uids);
	if (rp_imap_parse_fetch(s, size, &m) == 0) {
		free(m.from);
		free(m.subject);
	}
	rp_imap_parse_box(s, size, &box);
	free(s);
	return 0;
}
