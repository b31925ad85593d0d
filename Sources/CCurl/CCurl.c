#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libcurl is loaded on first use with dlopen, not linked: it pulls in some thirty shared
   libraries (TLS, Kerberos, LDAP, …) whose loading would otherwise be paid by every parley
   start, also by the many that never talk to X. */

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded = 0;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4", NULL};
    void *h = NULL;
    for (int i = 0; names[i] && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "libcurl cannot be loaded (%s): install it with apt-get install libcurl4",
                 why ? why : "not found");
        return;
    }
#define BIND(field, symbol) \
    if (!(*(void **)&lib.field = dlsym(h, symbol))) { \
        snprintf(load_error, sizeof load_error, "libcurl lacks %s: install a newer libcurl4", symbol); \
        return; \
    }
    BIND(global_init, "curl_global_init")
    BIND(easy_init, "curl_easy_init")
    BIND(easy_cleanup, "curl_easy_cleanup")
    BIND(easy_reset, "curl_easy_reset")
    BIND(easy_perform, "curl_easy_perform")
    BIND(easy_strerror, "curl_easy_strerror")
    BIND(easy_setopt, "curl_easy_setopt")
    BIND(easy_getinfo, "curl_easy_getinfo")
    BIND(slist_append, "curl_slist_append")
    BIND(slist_free_all, "curl_slist_free_all")
    BIND(multi_init, "curl_multi_init")
    BIND(multi_cleanup, "curl_multi_cleanup")
    BIND(multi_add_handle, "curl_multi_add_handle")
    BIND(multi_remove_handle, "curl_multi_remove_handle")
    BIND(multi_perform, "curl_multi_perform")
    BIND(multi_poll, "curl_multi_poll")
    BIND(multi_info_read, "curl_multi_info_read")
#undef BIND
    lib.global_init(CURL_GLOBAL_DEFAULT);
    loaded = 1;
}

const char *parley_curl_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : load_error;
}

CURL *parley_curl_easy_init(void) { return parley_curl_load() ? NULL : lib.easy_init(); }
void parley_curl_easy_cleanup(CURL *curl) { lib.easy_cleanup(curl); }
void parley_curl_easy_reset(CURL *curl) { lib.easy_reset(curl); }
CURLcode parley_curl_easy_perform(CURL *curl) { return lib.easy_perform(curl); }
const char *parley_curl_easy_strerror(CURLcode code) { return lib.easy_strerror(code); }
struct curl_slist *parley_curl_slist_append(struct curl_slist *list, const char *line) { return lib.slist_append(list, line); }
void parley_curl_slist_free_all(struct curl_slist *list) { if (list) lib.slist_free_all(list); }

CURLcode parley_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return lib.easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return lib.easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return lib.easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_offset(CURL *curl, CURLoption option, curl_off_t value) {
    return lib.easy_setopt(curl, option, value);
}

static size_t parley_append(char *ptr, size_t size, size_t nmemb, void *userdata) {
    parley_buffer *b = (parley_buffer *)userdata;
    size_t n = size * nmemb;
    if (b->limit && b->length + n > b->limit) return 0;  /* aborts the transfer */
    if (b->length + n + 1 > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 4096;
        while (cap < b->length + n + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) return 0;
        b->data = grown;
        b->capacity = cap;
    }
    memcpy(b->data + b->length, ptr, n);
    b->length += n;
    b->data[b->length] = 0;
    return n;
}

CURLcode parley_curl_capture_body(CURL *curl, parley_buffer *buffer) {
    CURLcode rc = lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, parley_append);
    if (rc != CURLE_OK) return rc;
    return lib.easy_setopt(curl, CURLOPT_WRITEDATA, (void *)buffer);
}

CURLcode parley_curl_capture_headers(CURL *curl, parley_buffer *buffer) {
    CURLcode rc = lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, parley_append);
    if (rc != CURLE_OK) return rc;
    return lib.easy_setopt(curl, CURLOPT_HEADERDATA, (void *)buffer);
}

CURLcode parley_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return lib.easy_getinfo(curl, info, value);
}

CURLcode parley_curl_getinfo_double(CURL *curl, CURLINFO info, double *value) {
    return lib.easy_getinfo(curl, info, value);
}

void parley_buffer_free(parley_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}

CURLM *parley_curl_multi_init(void) { return parley_curl_load() ? NULL : lib.multi_init(); }
void parley_curl_multi_cleanup(CURLM *multi) { lib.multi_cleanup(multi); }

CURLcode parley_curl_transfer_start(CURLM *multi, CURL *curl) {
    if (lib.multi_add_handle(multi, curl) != CURLM_OK) return CURLE_FAILED_INIT;
    int running = 0;
    if (lib.multi_perform(multi, &running) != CURLM_OK) {
        lib.multi_remove_handle(multi, curl);
        return CURLE_FAILED_INIT;
    }
    return CURLE_OK;
}

CURLcode parley_curl_transfer_wait(CURLM *multi, CURL *curl) {
    CURLcode result = CURLE_FAILED_INIT;
    for (;;) {
        int running = 0, left = 0, done = 0;
        if (lib.multi_perform(multi, &running) != CURLM_OK) break;
        CURLMsg *msg;
        while ((msg = lib.multi_info_read(multi, &left))) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl) {
                result = msg->data.result;
                done = 1;
            }
        }
        if (done || running == 0) break;
        /* Timeouts are the handle's own (CURLOPT_TIMEOUT, LOW_SPEED_*): libcurl ends the transfer. */
        if (lib.multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK) break;
    }
    lib.multi_remove_handle(multi, curl);
    return result;
}

void parley_curl_transfer_cancel(CURLM *multi, CURL *curl) { lib.multi_remove_handle(multi, curl); }
