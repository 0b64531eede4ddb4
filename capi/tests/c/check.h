/* Small helpers shared by the C tests: CHECK a status, EXPECT a condition. */
#ifndef RINGPOOL_TEST_CHECK_H
#define RINGPOOL_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ringpool.h"

/* Fails the test unless `call` returns `want`. */
#define EXPECT_STATUS(call, want)                                                  \
    do {                                                                           \
        ringpool_status got_ = (call);                                             \
        if (got_ != (ringpool_status)(want)) {                                     \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u (%s)\n",      \
                    __FILE__, __LINE__, #call, (unsigned)got_,                     \
                    ringpool_status_str(got_), (unsigned)(want),                   \
                    ringpool_status_str(want));                                    \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

/* Fails the test unless `call` returns RINGPOOL_STATUS_OK. */
#define CHECK(call) EXPECT_STATUS(call, RINGPOOL_STATUS_OK)

/* Fails the test unless `cond` holds. */
#define EXPECT(cond)                                                               \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);    \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

/* Sleeps `ms` milliseconds. */
static inline void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
}

#endif
