/* JSON pointers into any document, and an http check reading its answer
 * through them: the input's first line is the pointer, the rest the
 * document. */
#include "fuzz.h"

#include "checklist.h"
#include "jsonptr.h"
#include "src_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char failed[] = "failed", name[] = "fuzz";
	static char *failures[] = {failed};
	char *s = fuzz_str(data, size), *nl = strchr(s, '\n');
	const char *doc = "";
	size_t doclen = 0;
	struct rp_src_result r;
	struct rp_check c;
	json_t *root, *v;
	time_t t;

	if (nl != NULL) {
		*nl = '\0';
		doc = nl + 1;
		doclen = size - (size_t)(doc - s);
	}
	root = json_loadb(doc, doclen, JSON_DECODE_ANY, NULL);
	if (root != NULL) {
		v = rp_jsonptr_get(root, s);
		if (v != NULL)
			(void)rp_src_http_time(v, &t);
		json_decref(root);
	}
	if (rp_jsonptr_valid(s)) {
		memset(&c, 0, sizeof(c));
		memset(&r, 0, sizeof(r));
		c.name = name;
		c.type = RP_CHECK_HTTP;
		c.completion = c.state = c.started = s;
		c.failure_values = failures;
		c.nfailure_values = 1;
		rp_src_http_parse(&c, doc, doclen, &r);
	}
	free(s);
	return 0;
}
