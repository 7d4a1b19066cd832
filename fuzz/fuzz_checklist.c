/* checklist.yaml: any bytes give a checklist or one error, never a crash. */
#include "fuzz.h"

#include "checklist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_checklist cl;
	struct rp_err err;

	if (rp_checklist_load(fuzz_file(data, size), &cl, &err) != 0 &&
	    strchr(err.msg, '\n') != NULL)
		abort();
	rp_checklist_free(&cl);
	return 0;
}
