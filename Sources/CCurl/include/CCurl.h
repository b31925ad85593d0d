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

/// Transfers driven through a multi handle on the caller's thread, so that a request can be sent
/// now and its answer collected later, the caller working in between. One multi handle per
/// client keeps the client's connections, as an easy handle does for curl_easy_perform.
CURLM *parley_curl_multi_init(void);
void parley_curl_multi_cleanup(CURLM *multi);
/// Adds `curl` (options set) to `multi` and drives it once: on a kept-alive connection the
/// request is sent before this returns.
CURLcode parley_curl_transfer_start(CURLM *multi, CURL *curl);
/// Drives the transfer of `curl` to its end, waiting for the network, then takes `curl` out of
/// `multi` and returns the transfer's result.
CURLcode parley_curl_transfer_wait(CURLM *multi, CURL *curl);
/// Takes `curl` out of `multi`, ending its transfer where it is.
void parley_curl_transfer_cancel(CURLM *multi, CURL *curl);

#endif
