#include "CPostgres.h"
#include <postgresql/libpq-fe.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpq is loaded on first use with dlopen, not linked: it brings TLS, Kerberos and LDAP
   libraries along, whose loading would otherwise be paid by every parley start, also by the
   many that keep their database in SQLite. */

_Static_assert(PARLEY_PG_CONNECTION_OK == CONNECTION_OK, "ConnStatusType");
_Static_assert(PARLEY_PG_EMPTY_QUERY == PGRES_EMPTY_QUERY, "ExecStatusType");
_Static_assert(PARLEY_PG_COMMAND_OK == PGRES_COMMAND_OK, "ExecStatusType");
_Static_assert(PARLEY_PG_TUPLES_OK == PGRES_TUPLES_OK, "ExecStatusType");
_Static_assert(PARLEY_PG_BAD_RESPONSE == PGRES_BAD_RESPONSE, "ExecStatusType");
_Static_assert(PARLEY_PG_NONFATAL_ERROR == PGRES_NONFATAL_ERROR, "ExecStatusType");
_Static_assert(PARLEY_PG_FATAL_ERROR == PGRES_FATAL_ERROR, "ExecStatusType");
_Static_assert(PARLEY_PG_SINGLE_TUPLE == PGRES_SINGLE_TUPLE, "ExecStatusType");
_Static_assert(PARLEY_PG_DIAG_SQLSTATE == PG_DIAG_SQLSTATE, "PG_DIAG_SQLSTATE");
_Static_assert(PARLEY_PG_DIAG_MESSAGE_PRIMARY == PG_DIAG_MESSAGE_PRIMARY, "PG_DIAG_MESSAGE_PRIMARY");
_Static_assert(PARLEY_PG_DIAG_MESSAGE_DETAIL == PG_DIAG_MESSAGE_DETAIL, "PG_DIAG_MESSAGE_DETAIL");

static struct {
    PQconninfoOption *(*conninfo_parse)(const char *, char **);
    void (*conninfo_free)(PQconninfoOption *);
    void (*freemem)(void *);
    PGconn *(*connectdb)(const char *);
    ConnStatusType (*status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    char *(*host)(const PGconn *);
    char *(*port)(const PGconn *);
    void (*finish)(PGconn *);
    PGresult *(*exec_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *,
                             const int *, int);
    ExecStatusType (*result_status)(const PGresult *);
    char *(*result_error_message)(const PGresult *);
    char *(*result_error_field)(const PGresult *, int);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*fname)(const PGresult *, int);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
    void (*clear)(PGresult *);
    char *(*cmd_tuples)(PGresult *);
    PGresult *(*exec)(PGconn *, const char *);
    PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
    PGresult *(*prepare)(PGconn *, const char *, const char *, int, const Oid *);
    PGresult *(*exec_prepared)(PGconn *, const char *, int, const char *const *, const int *, const int *, int);
    int (*send_query_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *,
                             const int *, int);
    int (*set_single_row_mode)(PGconn *);
    PGresult *(*get_result)(PGconn *);
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded = 0;

static void load(void) {
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error,
                 "libpq, PostgreSQL's client library, cannot be loaded (%s): install it with apt-get install libpq5",
                 why ? why : "not found");
        return;
    }
#define BIND(field, symbol) \
    if (!(*(void **)&lib.field = dlsym(h, symbol))) { \
        snprintf(load_error, sizeof load_error, "libpq lacks %s: install a newer libpq5", symbol); \
        return; \
    }
    BIND(conninfo_parse, "PQconninfoParse")
    BIND(conninfo_free, "PQconninfoFree")
    BIND(freemem, "PQfreemem")
    BIND(connectdb, "PQconnectdb")
    BIND(status, "PQstatus")
    BIND(error_message, "PQerrorMessage")
    BIND(host, "PQhost")
    BIND(port, "PQport")
    BIND(finish, "PQfinish")
    BIND(exec_params, "PQexecParams")
    BIND(result_status, "PQresultStatus")
    BIND(result_error_message, "PQresultErrorMessage")
    BIND(result_error_field, "PQresultErrorField")
    BIND(ntuples, "PQntuples")
    BIND(nfields, "PQnfields")
    BIND(fname, "PQfname")
    BIND(getvalue, "PQgetvalue")
    BIND(getisnull, "PQgetisnull")
    BIND(clear, "PQclear")
    BIND(cmd_tuples, "PQcmdTuples")
    BIND(exec, "PQexec")
    BIND(prepare, "PQprepare")
    BIND(exec_prepared, "PQexecPrepared")
    BIND(send_query_params, "PQsendQueryParams")
    BIND(set_single_row_mode, "PQsetSingleRowMode")
    BIND(get_result, "PQgetResult")
    BIND(set_notice_processor, "PQsetNoticeProcessor")
#undef BIND
    loaded = 1;
}

const char *parley_pg_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : load_error;
}

int parley_pg_conninfo_password(const char *conninfo, char **password, char **error) {
    *password = NULL;
    *error = NULL;
    const char *why = parley_pg_load();
    if (why) {
        *error = strdup(why);
        return 0;
    }
    char *message = NULL;
    PQconninfoOption *options = lib.conninfo_parse(conninfo, &message);
    if (!options) {
        *error = strdup(message ? message : "out of memory");
        if (message) lib.freemem(message);
        return 0;
    }
    for (PQconninfoOption *o = options; o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val) *password = strdup(o->val);
    }
    lib.conninfo_free(options);
    return 1;
}

void parley_pg_free_string(char *text) { free(text); }

static void ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* libpq prints the server's notices, and a FATAL message that arrives while the connection is
   idle (the server shutting down), straight to stderr: parley reports failures itself. */
PGconn *parley_pg_connect(const char *conninfo) {
    if (parley_pg_load()) return NULL;
    PGconn *conn = lib.connectdb(conninfo);
    if (conn) lib.set_notice_processor(conn, ignore_notice, NULL);
    return conn;
}
int parley_pg_status(const PGconn *conn) { return (int)lib.status(conn); }
/* Never NULL, so that Swift can read each as a string. */
static const char *text(const char *value) { return value ? value : ""; }

const char *parley_pg_error_message(const PGconn *conn) { return text(lib.error_message(conn)); }
const char *parley_pg_host(const PGconn *conn) { return text(lib.host(conn)); }
const char *parley_pg_port(const PGconn *conn) { return text(lib.port(conn)); }
void parley_pg_finish(PGconn *conn) { if (conn) lib.finish(conn); }

PGresult *parley_pg_exec_params(PGconn *conn, const char *command, int count, const unsigned int *types,
                                 const char *const *values) {
    return lib.exec_params(conn, command, count, (const Oid *)types, values, NULL, NULL, 0);
}

PGresult *parley_pg_exec(PGconn *conn, const char *commands) { return lib.exec(conn, commands); }

PGresult *parley_pg_prepare(PGconn *conn, const char *name, const char *command, int count,
                            const unsigned int *types) {
    return lib.prepare(conn, name, command, count, (const Oid *)types);
}

PGresult *parley_pg_exec_prepared(PGconn *conn, const char *name, int count, const char *const *values) {
    return lib.exec_prepared(conn, name, count, values, NULL, NULL, 0);
}

int parley_pg_send_rows(PGconn *conn, const char *command, int count, const unsigned int *types,
                        const char *const *values) {
    if (!lib.send_query_params(conn, command, count, (const Oid *)types, values, NULL, NULL, 0)) return 0;
    return lib.set_single_row_mode(conn);
}

PGresult *parley_pg_next_result(PGconn *conn) { return lib.get_result(conn); }

long long parley_pg_cmd_tuples(PGresult *result) {
    const char *count = lib.cmd_tuples(result);
    return count && *count ? atoll(count) : 0;
}

int parley_pg_result_status(const PGresult *result) { return (int)lib.result_status(result); }
const char *parley_pg_result_error_message(const PGresult *result) {
    return text(lib.result_error_message(result));
}
const char *parley_pg_result_error_field(const PGresult *result, int field) {
    return lib.result_error_field(result, field);
}
int parley_pg_ntuples(const PGresult *result) { return lib.ntuples(result); }
int parley_pg_nfields(const PGresult *result) { return lib.nfields(result); }
const char *parley_pg_fname(const PGresult *result, int column) { return text(lib.fname(result, column)); }
const char *parley_pg_getvalue(const PGresult *result, int row, int column) {
    return text(lib.getvalue(result, row, column));
}
int parley_pg_getisnull(const PGresult *result, int row, int column) { return lib.getisnull(result, row, column); }
void parley_pg_clear(PGresult *result) { if (result) lib.clear(result); }
