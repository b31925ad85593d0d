#include "CCurl.h"
#include <stdlib.h>
#include <string.h>

void parley_curl_global_init(void) {
    static int done = 0;
    if (!done) { curl_global_init(CURL_GLOBAL_DEFAULT); done = 1; }
}

CURLcode parley_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}

CURLcode parley_curl_setopt_offset(CURL *curl, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(curl, option, value);
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
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, parley_append);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)buffer);
}

CURLcode parley_curl_capture_headers(CURL *curl, parley_buffer *buffer) {
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, parley_append);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_HEADERDATA, (void *)buffer);
}

CURLcode parley_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

CURLcode parley_curl_getinfo_double(CURL *curl, CURLINFO info, double *value) {
    return curl_easy_getinfo(curl, info, value);
}

void parley_buffer_free(parley_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}
