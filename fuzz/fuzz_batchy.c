/* batchy's answer: a workflow or a reason, never a crash. */
#include "fuzz.h"

#include "src_batchy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_src_result r;

	memset(&r, 0, sizeof(r));
	rp_batchy_parse((const char *)data, size, &r);
	return 0;
}
