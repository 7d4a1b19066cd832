/* batchy's answer: a workflow or a reason, never a crash. */
#include "fuzz.h"

#include "sources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_wf wf;
	char why[300];

	rp_batchy_parse((const char *)data, size, &wf, why, sizeof(why));
	return 0;
}
