/* etl.cfg: any bytes give a configuration or one error, never a crash. */
#include "fuzz.h"

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_config cfg;
	struct rp_err err;

	if (rp_config_load(fuzz_file(data, size), &cfg, &err) == 0) {
		struct rp_err perr;
		char *pw = rp_config_mail_password(&cfg, &perr);
		rp_free_secret(pw);
	} else if (strchr(err.msg, '\n') != NULL) {
		abort(); /* an error is one line */
	}
	rp_config_free(&cfg);
	return 0;
}
