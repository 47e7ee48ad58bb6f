#ifndef COMMON_VERSION_H
#define COMMON_VERSION_H

/* The release of ocdn (both programs share it). */
#define OCDN_VERSION "0.1.0"

#endif
