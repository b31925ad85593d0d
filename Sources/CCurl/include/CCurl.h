#ifndef CCURL_H
#define CCURL_H
int parley_curl_available(void);
#endif
