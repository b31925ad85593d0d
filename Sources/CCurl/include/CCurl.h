#ifndef PARLEY_CCURL_H
#define PARLEY_CCURL_H

#include <curl/curl.h>
#include <stddef.h>

/// A growable byte buffer that libcurl's write and header callbacks append to.
typedef struct parley_buffer {
    char *data;
    size_t length;
    size_t capacity;
    /// Refuse to grow past this many bytes (0: no limit); the transfer then fails.
    size_t limit;
} parley_buffer;

/// Loads libcurl (once, with dlopen) and initialises it; NULL when ready, else why not.
const char *parley_curl_load(void);

/// libcurl's non-variadic entry points, through the loaded library.
CURL *parley_curl_easy_init(void);
void parley_curl_easy_cleanup(CURL *curl);
/// Clears a handle's options but keeps its open connections for the next request.
void parley_curl_easy_reset(CURL *curl);
CURLcode parley_curl_easy_perform(CURL *curl);
const char *parley_curl_easy_strerror(CURLcode code);
struct curl_slist *parley_curl_slist_append(struct curl_slist *list, const char *line);
void parley_curl_slist_free_all(struct curl_slist *list);

/// Typed wrappers for the variadic curl_easy_setopt, one per argument shape.
CURLcode parley_curl_setopt_long(CURL *curl, CURLoption option, long value);
CURLcode parley_curl_setopt_string(CURL *curl, CURLoption option, const char *value);
CURLcode parley_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value);
CURLcode parley_curl_setopt_offset(CURL *curl, CURLoption option, curl_off_t value);

/// Sends the response body (write) or header lines (header) into `buffer`.
CURLcode parley_curl_capture_body(CURL *curl, parley_buffer *buffer);
CURLcode parley_curl_capture_headers(CURL *curl, parley_buffer *buffer);

/// Typed wrappers for the variadic curl_easy_getinfo.
CURLcode parley_curl_getinfo_long(CURL *curl, CURLINFO info, long *value);
CURLcode parley_curl_getinfo_double(CURL *curl, CURLINFO info, double *value);

void parley_buffer_free(parley_buffer *buffer);

/// A transfer performed on a thread of its own, so that the caller works while the answer comes.
/// The easy handle belongs to that thread until parley_curl_transfer_wait returns.
typedef struct parley_transfer parley_transfer;
/// Starts performing `curl` (options already set); NULL when no thread could be started.
parley_transfer *parley_curl_transfer_start(CURL *curl);
/// Asks a started transfer to stop: it ends within about a second, with CURLE_ABORTED_BY_CALLBACK.
void parley_curl_transfer_abort(parley_transfer *transfer);
/// Waits for the transfer to end, frees it and returns its result.
CURLcode parley_curl_transfer_wait(parley_transfer *transfer);

#endif
