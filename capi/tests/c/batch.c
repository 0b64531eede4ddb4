/*
 * Batch submits from C: ringpool_submit_many queues a whole array (waiting
 * for room through a queue much smaller than the array) and every job runs
 * exactly once; ringpool_try_submit_many stops at a full queue and says how
 * many it queued; after close nothing is taken; NULL arguments are refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <string.h>

#include "check.h"

#define JOBS 5000

static int32_t twice(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    (void)ctx;
    *value = job * 2;
    return 0;
}

static int32_t slow(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    (void)ctx;
    sleep_ms(20);
    *value = job;
    return 0;
}

int main(void) {
    static uint64_t jobs[JOBS];
    static bool seen[JOBS];
    for (uint64_t i = 0; i < JOBS; i++) {
        jobs[i] = i;
    }

    /* A whole array through a queue of 8: submit_many waits for room. The
     * results ring spills while nobody drains, so collect after wait. */
    ringpool_pool *pool = NULL;
    CHECK(ringpool_create(2, 8, twice, NULL, &pool));
    size_t queued = 12345;
    CHECK(ringpool_submit_many(pool, jobs, JOBS, &queued));
    EXPECT(queued == JOBS);
    CHECK(ringpool_submit_many(pool, NULL, 0, &queued)); /* nothing to do */
    EXPECT(queued == 0);
    CHECK(ringpool_close(pool));
    CHECK(ringpool_wait(pool));
    ringpool_result result;
    size_t received = 0;
    while (ringpool_recv(pool, &result) == RINGPOOL_STATUS_OK) {
        EXPECT(result.status == RINGPOOL_STATUS_OK);
        EXPECT(result.value % 2 == 0 && result.value / 2 < JOBS);
        EXPECT(!seen[result.value / 2]);
        seen[result.value / 2] = true;
        received++;
    }
    EXPECT(received == JOBS);
    /* Closed: nothing taken, and *queued says so. */
    EXPECT_STATUS(ringpool_submit_many(pool, jobs, 3, &queued), RINGPOOL_STATUS_CLOSED);
    EXPECT(queued == 0);
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.submitted == JOBS && m.succeeded == JOBS);
    CHECK(ringpool_destroy(pool));

    /* try: a queue of 4 and one slow worker take at most 5 of 100. */
    CHECK(ringpool_create(1, 4, slow, NULL, &pool));
    EXPECT_STATUS(ringpool_try_submit_many(pool, jobs, 100, &queued), RINGPOOL_STATUS_FULL);
    EXPECT(queued >= 4 && queued <= 5);
    /* Misuse is an error, not a crash. */
    EXPECT_STATUS(ringpool_try_submit_many(pool, jobs, 1, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_try_submit_many(pool, NULL, 1, &queued),
                  RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_submit_many(NULL, jobs, 1, &queued), RINGPOOL_STATUS_NULL_ARGUMENT);
    CHECK(ringpool_close(pool));
    CHECK(ringpool_wait(pool));
    CHECK(ringpool_destroy(pool));
    printf("batch: %d jobs through submit_many, try_submit_many stopped at a full queue\n", JOBS);
    return 0;
}
