/* checklist.yaml: any bytes give a checklist or one error, never a crash;
 * read from the file (rp_checklist_load) or from its bytes, as the checking
 * programs read it (rp_checklist_load_cached, no cache), the same one. */
#include "fuzz.h"

#include "checklist.h"
#include "clcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_checklist cl, cl2;
	struct rp_err err, err2;
	const char *path = fuzz_file(data, size);
	char note[64];
	int rc = rp_checklist_load(path, &cl, &err);
	int rc2 = rp_checklist_load_cached(path, NULL, "fuzz", &cl2, &err2, note, sizeof(note));

	if (rc != 0 && strchr(err.msg, '\n') != NULL)
		abort();
	if (rc != rc2 || (rc != 0 && strcmp(err.msg, err2.msg) != 0))
		abort();
	if (rc == 0) {
		struct rp_buf a = {0}, b = {0};
		rp_clcache_encode(&cl, "s", "", 0, &a);
		rp_clcache_encode(&cl2, "s", "", 0, &b);
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			abort();
		rp_buf_free(&a);
		rp_buf_free(&b);
	}
	rp_checklist_free(&cl);
	rp_checklist_free(&cl2);
	return 0;
}
