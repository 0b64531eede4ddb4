/*
 * ringpool_create_with: the helping wait and the batched take from C.
 * A pool with helping on: sporadic jobs, each received at once, run with
 * worker ids 1..=2 only, never two handlers at once under one id and
 * never more than 2 at once (counted in the handler); a blocking receive
 * that ran a job on this thread still gets WOULD_DEADLOCK for nested
 * calls from that job. A pool with take_batch 4: every job once.
 * Defaults and NULL arguments.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "check.h"

#define WORKERS 2
#define SPORADIC 300
#define BATCH_JOBS 20000

static atomic_int active;
static atomic_int most;
static atomic_int per_id[WORKERS + 1];
static atomic_int bad;
static atomic_int helped;
static atomic_int nested_ok;
static pthread_t main_thread;
static ringpool_pool *the_pool;

static int32_t watched(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    if (ctx.worker_id < 1 || ctx.worker_id > WORKERS) {
        atomic_fetch_add(&bad, 1);
        *value = job * 2;
        return 0;
    }
    if (atomic_fetch_add(&per_id[ctx.worker_id], 1) != 0) {
        atomic_fetch_add(&bad, 1);
    }
    int now = atomic_fetch_add(&active, 1) + 1;
    int seen = atomic_load(&most);
    while (now > seen && !atomic_compare_exchange_weak(&most, &seen, now)) {
    }
    if (pthread_equal(pthread_self(), main_thread)) {
        atomic_fetch_add(&helped, 1);
        /* Run by the receiving thread: still inside the pool's handler. */
        if (ringpool_wait(the_pool) == RINGPOOL_STATUS_WOULD_DEADLOCK) {
            atomic_fetch_add(&nested_ok, 1);
        }
    }
    atomic_fetch_sub(&active, 1);
    atomic_fetch_sub(&per_id[ctx.worker_id], 1);
    *value = job * 2;
    return 0;
}

int main(void) {
    main_thread = pthread_self();
    ringpool_options options;
    CHECK(ringpool_options_default(&options));
    EXPECT(options.workers >= 1 && options.queue_capacity == 1024);
    EXPECT(options.take_batch == 1 && options.helping == 0);

    /* Helping on: the receiving thread may run jobs itself. */
    options.workers = WORKERS;
    options.queue_capacity = 16;
    options.helping = 1;
    CHECK(ringpool_create_with(&options, watched, NULL, &the_pool));
    ringpool_result result;
    for (uint64_t job = 0; job < SPORADIC; job++) {
        struct timespec pause = {0, 200000L}; /* 200 us: let the workers park */
        nanosleep(&pause, NULL);
        uint64_t id = 0;
        CHECK(ringpool_submit(the_pool, job, &id));
        CHECK(ringpool_recv(the_pool, &result));
        EXPECT(result.status == RINGPOOL_STATUS_OK && result.value == job * 2);
        EXPECT(result.worker_id >= 1 && result.worker_id <= WORKERS);
    }
    /* Not inside the handler any more: a wait with nothing pending is OK. */
    CHECK(ringpool_wait(the_pool));
    CHECK(ringpool_close(the_pool));
    EXPECT_STATUS(ringpool_recv(the_pool, &result), RINGPOOL_STATUS_CLOSED);
    CHECK(ringpool_destroy(the_pool));
    EXPECT(atomic_load(&bad) == 0);
    EXPECT(atomic_load(&most) <= WORKERS);
    EXPECT(atomic_load(&nested_ok) == atomic_load(&helped));
    printf("options: helping: %d of %d sporadic jobs ran on the receiving thread\n",
           atomic_load(&helped), SPORADIC);

    /* take_batch 4 (with helping): every job exactly once. */
    static bool seen[BATCH_JOBS];
    CHECK(ringpool_options_default(&options));
    options.workers = WORKERS;
    options.queue_capacity = 64;
    options.take_batch = 4;
    options.helping = 1;
    CHECK(ringpool_create_with(&options, watched, NULL, &the_pool));
    for (uint64_t job = 0; job < BATCH_JOBS; job++) {
        uint64_t id = 0;
        CHECK(ringpool_submit(the_pool, job, &id));
        while (ringpool_try_recv(the_pool, &result) == RINGPOOL_STATUS_OK) {
            EXPECT(!seen[result.value / 2]);
            seen[result.value / 2] = true;
        }
    }
    CHECK(ringpool_close(the_pool));
    while (ringpool_recv(the_pool, &result) == RINGPOOL_STATUS_OK) {
        EXPECT(!seen[result.value / 2]);
        seen[result.value / 2] = true;
    }
    for (size_t i = 0; i < BATCH_JOBS; i++) {
        EXPECT(seen[i]);
    }
    CHECK(ringpool_destroy(the_pool));
    EXPECT(atomic_load(&bad) == 0);
    EXPECT(atomic_load(&most) <= WORKERS);

    /* Misuse is an error, not a crash; bad settings are the usual codes. */
    ringpool_pool *pool = (ringpool_pool *)&options; /* overwritten with NULL */
    EXPECT_STATUS(ringpool_create_with(NULL, watched, NULL, &pool), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT(pool == NULL);
    EXPECT_STATUS(ringpool_options_default(NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    options.workers = 0;
    EXPECT_STATUS(ringpool_create_with(&options, watched, NULL, &pool),
                  RINGPOOL_STATUS_ZERO_WORKERS);
    EXPECT(pool == NULL);
    printf("options: take_batch 4: %d jobs exactly once; misuse refused\n", BATCH_JOBS);
    return 0;
}
