#include "CCurl.h"
int parley_curl_available(void) { return 1; }
