/*
 * Multi-threaded submit-and-drain stress with exact accounting.
 *
 * SUBMITTERS threads submit JOBS jobs each (blocking submit, try_submit with
 * retry, and submit_timeout with retry, by thread), DRAINERS threads drain
 * (blocking recv, recv_timeout and try_recv, by thread) until the stream
 * ends, and the main thread resizes the pool meanwhile. Afterwards every
 * payload was seen exactly once, every job id once, the values and failure
 * codes match the handler, and the metrics agree.
 *
 * Usage: stress [jobs-per-submitter]   (default 20000)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"

#define SUBMITTERS 4
#define DRAINERS 3
#define FAIL_EVERY 13
#define FAIL_CODE 3

static ringpool_pool *pool;
static uint64_t jobs_each = 20000;
static atomic_uchar *seen_payload; /* [SUBMITTERS * jobs_each] */
static uint64_t *ids;              /* every result's job id, in arrival order */
static atomic_ullong ids_len;
static atomic_ullong failed_seen, ok_seen;

static uint64_t payload(uint64_t thread, uint64_t i) { return thread * jobs_each + i; }
static uint64_t mix(uint64_t x) { return x * 0x9E3779B97F4A7C15ull ^ 0x5555; }

static int32_t handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    (void)ctx;
    *value = mix(job);
    return job % FAIL_EVERY == 0 ? FAIL_CODE : 0;
}

static void *submitter(void *arg) {
    uint64_t thread = (uint64_t)(uintptr_t)arg;
    for (uint64_t i = 0; i < jobs_each; i++) {
        uint64_t id, job = payload(thread, i);
        ringpool_status s;
        switch (thread % 3) {
        case 0:
            CHECK(ringpool_submit(pool, job, &id));
            break;
        case 1:
            while ((s = ringpool_try_submit(pool, job, &id)) == RINGPOOL_STATUS_FULL) {
                sched_yield();
            }
            CHECK(s);
            break;
        default:
            while ((s = ringpool_submit_timeout(pool, job, 1, &id)) == RINGPOOL_STATUS_TIMEOUT) {
            }
            CHECK(s);
            break;
        }
    }
    return NULL;
}

static void account(const ringpool_result *r) {
    uint64_t total = SUBMITTERS * jobs_each;
    EXPECT(r->job < total);
    EXPECT(atomic_fetch_add(&seen_payload[r->job], 1) == 0);
    uint64_t slot = atomic_fetch_add(&ids_len, 1);
    EXPECT(slot < total);
    ids[slot] = r->job_id;
    EXPECT(r->value == mix(r->job));
    EXPECT(r->worker_id >= 1);
    if (r->job % FAIL_EVERY == 0) {
        EXPECT(r->status == RINGPOOL_STATUS_JOB_FAILED && r->error_code == FAIL_CODE);
        atomic_fetch_add(&failed_seen, 1);
    } else {
        EXPECT(r->status == RINGPOOL_STATUS_OK && r->error_code == 0);
        atomic_fetch_add(&ok_seen, 1);
    }
}

static int compare_ids(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void *drainer(void *arg) {
    int kind = (int)(uintptr_t)arg % 3;
    ringpool_result r;
    for (;;) {
        ringpool_status s;
        if (kind == 0) {
            s = ringpool_recv(pool, &r);
        } else if (kind == 1) {
            s = ringpool_recv_timeout(pool, 2, &r);
        } else {
            s = ringpool_try_recv(pool, &r);
        }
        if (s == RINGPOOL_STATUS_OK) {
            account(&r);
        } else if (s == RINGPOOL_STATUS_CLOSED) {
            return NULL;
        } else if (s == RINGPOOL_STATUS_EMPTY) {
            sched_yield();
        } else {
            EXPECT(s == RINGPOOL_STATUS_TIMEOUT);
        }
    }
}

int main(int argc, char **argv) {
    if (argc > 1) {
        jobs_each = strtoull(argv[1], NULL, 10);
    }
    uint64_t total = SUBMITTERS * jobs_each;
    seen_payload = calloc(total, sizeof *seen_payload);
    ids = calloc(total, sizeof *ids);
    EXPECT(seen_payload && ids);

    CHECK(ringpool_create(3, 64, handler, NULL, &pool));
    pthread_t subs[SUBMITTERS], drains[DRAINERS];
    for (uintptr_t t = 0; t < DRAINERS; t++) {
        EXPECT(pthread_create(&drains[t], NULL, drainer, (void *)t) == 0);
    }
    for (uintptr_t t = 0; t < SUBMITTERS; t++) {
        EXPECT(pthread_create(&subs[t], NULL, submitter, (void *)t) == 0);
    }
    /* Scale while jobs flow: no job may be lost or run twice. */
    size_t sizes[] = {5, 1, 4, 2};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        sleep_ms(5);
        CHECK(ringpool_resize(pool, sizes[i]));
    }
    for (int t = 0; t < SUBMITTERS; t++) {
        EXPECT(pthread_join(subs[t], NULL) == 0);
    }
    CHECK(ringpool_close(pool));
    for (int t = 0; t < DRAINERS; t++) {
        EXPECT(pthread_join(drains[t], NULL) == 0);
    }
    CHECK(ringpool_wait(pool));

    uint64_t expect_failed = 0;
    for (uint64_t job = 0; job < total; job++) {
        EXPECT(atomic_load(&seen_payload[job]) == 1);
        expect_failed += job % FAIL_EVERY == 0;
    }
    /* Job ids are unique (a refused submit may use up a number, so they
     * need not be exactly 1..total). */
    EXPECT(atomic_load(&ids_len) == total);
    qsort(ids, total, sizeof *ids, compare_ids);
    for (uint64_t i = 0; i < total; i++) {
        EXPECT(ids[i] >= 1 && (i == 0 || ids[i] > ids[i - 1]));
    }
    EXPECT(atomic_load(&failed_seen) == expect_failed);
    EXPECT(atomic_load(&ok_seen) + expect_failed == total);

    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.submitted == total && m.started == total);
    EXPECT(m.succeeded == total - expect_failed && m.failed == expect_failed);
    EXPECT(m.panicked == 0 && m.cancelled == 0);
    EXPECT(m.queue_depth == 0 && m.results_pending == 0);
    EXPECT(m.run_time.count == total && m.queue_wait.count == total);
    printf("stress: %llu jobs from %d submitters, %d drainers: each exactly once "
           "(%llu ok, %llu failed, %llu refused tries); run p50 %llu ns, queue wait p99 %llu ns\n",
           (unsigned long long)total, SUBMITTERS, DRAINERS, (unsigned long long)m.succeeded,
           (unsigned long long)m.failed, (unsigned long long)m.rejected,
           (unsigned long long)m.run_time.p50_ns, (unsigned long long)m.queue_wait.p99_ns);
    CHECK(ringpool_destroy(pool));
    free(seen_payload);
    free(ids);
    return 0;
}
