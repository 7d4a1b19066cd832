/* A spill file as the cache directory may hold it after any damage (a
 * full disk, a person's edit): parsed strictly, and what parses holds
 * names and keys a line can carry. */
#include "fuzz.h"

#include "spill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_spill sp;
	size_t i;

	if (rp_spill_parse((const char *)data, size, &sp) == 0) {
		if (sp.store == NULL || *sp.store == '\0')
			abort();
		for (i = 0; i < sp.n; i++)
			if (sp.v[i].now <= 0 || *sp.v[i].name == '\0' || *sp.v[i].dedup_key == '\0' ||
			    strpbrk(sp.v[i].name, "\t\n") || strpbrk(sp.v[i].dedup_key, "\t\n"))
				abort();
		rp_spill_free(&sp);
	}
	return 0;
}
