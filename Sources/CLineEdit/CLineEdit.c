#include "CLineEdit.h"
int parley_lineedit_available(void) { return 1; }
