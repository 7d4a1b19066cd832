/*
 * src_airflow: the Airflow source (see source.h), for Airflow 2 (the
 * stable REST API v1 of the webserver) and Airflow 3 (API v2 of the API
 * server).
 *
 * Per check, two requests: the DAG's newest runs
 *   v1: GET <url>/api/v1/dags/<dag_id>/dagRuns?order_by=-execution_date&limit=25
 *   v2: GET <url>/api/v2/dags/<dag_id>/dagRuns?order_by=-logical_date&limit=25
 * answering {"dag_runs": [{dag_run_id, state, start_date, end_date,
 * logical_date (v1 also execution_date), ...}], "total_entries": N}, and
 * the DAG itself (GET <url>/api/vN/dags/<dag_id>: is_paused), which is also
 * how v1 says a DAG does not exist (its dagRuns answers an empty list).
 *
 * Authentication, once per run (prepare): v1 takes HTTP basic auth or a
 * bearer token; v2 takes a bearer token, from [airflow] token_file or
 * token_env, or a JWT that POST <url>/auth/token gives for the username and
 * password, kept in memory for the run and wiped at its end. api_version =
 * auto asks v2 first (the login, or GET /api/v2/version with a token) and
 * uses v1 when the server has no v2 (404).
 *
 * Errors are problem+json (v1: title, detail, status, type) or FastAPI's
 * {"detail": ...} (v2); times are ISO-8601 with an offset or Z.
 */
#ifndef RP_SRC_AIRFLOW_H
#define RP_SRC_AIRFLOW_H

#include <stddef.h>

#include "source.h"

#define RP_AIRFLOW_MAX_BYTES (1024 * 1024)
#define RP_AIRFLOW_TOKEN_MAX_BYTES (64 * 1024)
/* Runs asked for per check: enough that the newest success is in the page
 * unless the DAG failed or ran unfinished that many times since. */
#define RP_AIRFLOW_PAGE 25

/* The URL of the DAG's newest runs (runs = 1) or of the DAG (runs = 0) for
 * the base URL, API version 1 or 2; the caller frees it. */
char *rp_airflow_url(const char *base, int version, const char *dag_id, int runs);

/* Reads a dagRuns answer into out (zeroed by the caller, or holding facts
 * to keep): completion is the end_date of the newest run in state success,
 * failed says the newest finished run (success or failed) failed, with
 * failed_start its start_date; start is the start_date of the newest run
 * that has one, whatever its state. "Newest" is by logical date
 * (execution_date), then run_after, then start_date, whatever the order of
 * the answer. Returns 0 with out->ok = 1, or -1 with out->why. */
int rp_airflow_parse_runs(const char *body, size_t len, struct rp_src_result *out);

/* Reads a DAG answer: 0 with *paused, or -1 with out->why. */
int rp_airflow_parse_dag(const char *body, size_t len, int *paused, struct rp_src_result *out);

/* The access_token of an /auth/token answer, in a new string the caller
 * wipes and frees (rp_free_secret), or NULL when there is none or it has
 * characters a header cannot carry. */
char *rp_airflow_token(const char *body, size_t len);

extern const struct rp_source rp_src_airflow;

#endif
