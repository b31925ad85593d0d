#ifndef PARLEY_CPOSTGRES_H
#define PARLEY_CPOSTGRES_H

/* Typed wrappers of the libpq calls parley makes. This header needs no libpq header: the
   connection and result are opaque, statuses are plain ints with the values libpq gives them
   (CPostgres.c checks each against libpq-fe.h when it is compiled). */

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

/// PQstatus: the connection is usable.
#define PARLEY_PG_CONNECTION_OK 0

/// PQresultStatus values.
#define PARLEY_PG_EMPTY_QUERY 0
#define PARLEY_PG_COMMAND_OK 1
#define PARLEY_PG_TUPLES_OK 2
#define PARLEY_PG_BAD_RESPONSE 5
#define PARLEY_PG_NONFATAL_ERROR 6
#define PARLEY_PG_FATAL_ERROR 7
#define PARLEY_PG_SINGLE_TUPLE 9

/// PQresultErrorField codes.
#define PARLEY_PG_DIAG_SQLSTATE 67 /* 'C' */
#define PARLEY_PG_DIAG_MESSAGE_PRIMARY 77 /* 'M' */
#define PARLEY_PG_DIAG_MESSAGE_DETAIL 68 /* 'D' */

/// Loads libpq (once, with dlopen); NULL when ready, else why not.
const char *parley_pg_load(void);

/// Parses a connection string without connecting (PQconninfoParse). Returns 1 when it reads;
/// then *password is a copy of its password, or NULL when it has none. Returns 0 when it does
/// not read; then *error is a copy of libpq's reason. Free both with parley_pg_free_string.
int parley_pg_conninfo_password(const char *conninfo, char **password, char **error);
void parley_pg_free_string(char *text);

/// PQconnectdb: NULL only when memory runs out; otherwise check parley_pg_status. The server's
/// notices are dropped rather than printed on stderr.
PGconn *parley_pg_connect(const char *conninfo);
int parley_pg_status(const PGconn *conn);
const char *parley_pg_error_message(const PGconn *conn);
/// PQhost and PQport: where the connection went (or last tried to go). These and the other
/// text-returning calls below give "" rather than NULL, except parley_pg_result_error_field.
const char *parley_pg_host(const PGconn *conn);
const char *parley_pg_port(const PGconn *conn);
void parley_pg_finish(PGconn *conn);

/// PQexecParams with text parameters (NULL pointers are SQL NULL) and text results. `types`
/// holds each parameter's type OID (0: the server infers it), or is NULL for all inferred.
PGresult *parley_pg_exec_params(PGconn *conn, const char *command, int count, const unsigned int *types,
                                const char *const *values);
/// PQexec: several statements separated by semicolons, without parameters; the last one's result.
PGresult *parley_pg_exec(PGconn *conn, const char *commands);
/// PQprepare: a named statement with parameter types (OIDs, 0 inferred), parsed and planned once
/// for the connection's life.
PGresult *parley_pg_prepare(PGconn *conn, const char *name, const char *command, int count,
                            const unsigned int *types);
/// PQexecPrepared with text parameters (NULL pointers are SQL NULL) and text results.
PGresult *parley_pg_exec_prepared(PGconn *conn, const char *name, int count, const char *const *values);
/// PQsendQueryParams then PQsetSingleRowMode: the rows come one result each from
/// parley_pg_next_result, then a last result without rows, then NULL. 1 when sent.
int parley_pg_send_rows(PGconn *conn, const char *command, int count, const unsigned int *types,
                        const char *const *values);
/// PQgetResult: the next result of what was sent, NULL when there is none left.
PGresult *parley_pg_next_result(PGconn *conn);
/// PQcmdTuples: how many rows an INSERT, UPDATE or DELETE touched (0 for other statements).
long long parley_pg_cmd_tuples(PGresult *result);
int parley_pg_result_status(const PGresult *result);
const char *parley_pg_result_error_message(const PGresult *result);
/// PQresultErrorField: NULL when the result has no such field.
const char *parley_pg_result_error_field(const PGresult *result, int field);
int parley_pg_ntuples(const PGresult *result);
int parley_pg_nfields(const PGresult *result);
const char *parley_pg_fname(const PGresult *result, int column);
const char *parley_pg_getvalue(const PGresult *result, int row, int column);
int parley_pg_getisnull(const PGresult *result, int row, int column);
void parley_pg_clear(PGresult *result);

#endif
