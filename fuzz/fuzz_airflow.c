/* Airflow's answers (dagRuns, a DAG, the login's token): a result or a
 * reason, never a crash. */
#include "fuzz.h"

#include "src_airflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_src_result r;
	int paused;
	char *tok;

	memset(&r, 0, sizeof(r));
	rp_airflow_parse_runs((const char *)data, size, &r);
	memset(&r, 0, sizeof(r));
	rp_airflow_parse_dag((const char *)data, size, &paused, &r);
	if ((tok = rp_airflow_token((const char *)data, size)) != NULL)
		rp_free_secret(tok);
	return 0;
}
