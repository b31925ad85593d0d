#ifndef CLINEEDIT_H
#define CLINEEDIT_H
int parley_lineedit_available(void);
#endif
