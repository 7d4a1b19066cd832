/* The checklist cache's entries: any bytes decode to a whole checklist or
 * to nothing, never a crash; what decodes encodes and decodes again alike. */
#include "fuzz.h"

#include "clcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_checklist cl, again;
	struct rp_buf a = {0}, b = {0};

	if (rp_clcache_decode(data, size, NULL, NULL, 0, "fuzz.yaml", &cl) != 0)
		return 0;
	rp_clcache_encode(&cl, "s", "text", 4, &a);
	if (rp_clcache_decode(a.data, a.len, "s", "text", 4, "fuzz.yaml", &again) != 0)
		abort();
	rp_clcache_encode(&again, "s", "text", 4, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	rp_checklist_free(&again);
	rp_checklist_free(&cl);
	rp_buf_free(&a);
	rp_buf_free(&b);
	return 0;
}
