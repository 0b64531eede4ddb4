/*
 * Control from C (issue 14): priority levels (highest first, FIFO within a
 * level), pause/resume (nothing taken while paused), queue deadlines (an
 * expired job does not run, its result says JOB_EXPIRED, the job comes back
 * from ringpool_take_expired), cancel (a queued job comes back and never
 * runs; a running one sees ringpool_is_cancelled), and a loaded run with
 * exact accounting: every accepted job exactly once, ran, expired,
 * cancelled or handed back by stop-now, and the metrics agree.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"

#define RUNNER 1000000u /* the job that waits to be cancelled */

static atomic_int runner_started;
static atomic_ullong ran_count;

static int32_t handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    if (job == RUNNER) {
        atomic_store(&runner_started, 1);
        /* Cooperative: stop when cancelled (at most ~10 s). */
        for (int i = 0; i < 10000 && !ringpool_is_cancelled(ctx); i++) {
            sleep_ms(1);
        }
        *value = (uint64_t)ringpool_is_cancelled(ctx);
        return 0;
    }
    atomic_fetch_add(&ran_count, 1);
    *value = job;
    return 0;
}

static ringpool_pool *make(size_t workers, size_t capacity, size_t levels) {
    ringpool_options options;
    CHECK(ringpool_options_default(&options));
    options.workers = workers;
    options.queue_capacity = capacity;
    options.priorities = levels;
    options.cancellable = 1;
    ringpool_pool *pool = NULL;
    CHECK(ringpool_create_with(&options, handler, NULL, &pool));
    return pool;
}

static uint64_t submit(ringpool_pool *pool, uint64_t job, size_t level, uint64_t deadline_ns) {
    ringpool_job_options options = {level, deadline_ns};
    uint64_t id = 0;
    CHECK(ringpool_submit_with_options(pool, job, &options, &id));
    return id;
}

static void priorities_and_pause(void) {
    ringpool_pool *pool = make(1, 8, 3);
    CHECK(ringpool_pause(pool));
    static const uint64_t jobs[][2] = {{10, 0}, {20, 2}, {11, 0}, {15, 1}, {21, 2}};
    for (size_t i = 0; i < 5; i++) {
        submit(pool, jobs[i][0], (size_t)jobs[i][1], 0);
    }
    sleep_ms(20);
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.paused == 1 && m.started == 0 && m.queue_depth == 5 && m.priorities == 3);
    EXPECT(m.level_depths[0] == 2 && m.level_depths[1] == 1 && m.level_depths[2] == 2);
    EXPECT_STATUS(ringpool_wait_timeout(pool, 5), RINGPOOL_STATUS_TIMEOUT);
    CHECK(ringpool_resume(pool));
    static const uint64_t order[] = {20, 21, 15, 10, 11};
    ringpool_result r;
    for (size_t i = 0; i < 5; i++) {
        CHECK(ringpool_recv(pool, &r));
        EXPECT(r.status == RINGPOOL_STATUS_OK && r.value == order[i]);
    }
    CHECK(ringpool_destroy(pool));
}

static void deadlines(void) {
    ringpool_pool *pool = make(1, 4, 1);
    CHECK(ringpool_pause(pool));
    uint64_t late = submit(pool, 7, 0, 1);                       /* 1 ns */
    uint64_t fine = submit(pool, 8, 0, 10ull * 1000 * 1000 * 1000); /* 10 s */
    sleep_ms(2);
    CHECK(ringpool_resume(pool));
    CHECK(ringpool_wait(pool));
    ringpool_result r;
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.job_id == late && r.status == RINGPOOL_STATUS_JOB_EXPIRED);
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.job_id == fine && r.status == RINGPOOL_STATUS_OK && r.value == 8);
    ringpool_unstarted back[2];
    size_t n = 0;
    CHECK(ringpool_take_expired(pool, back, 2, &n));
    EXPECT(n == 1 && back[0].job_id == late && back[0].job == 7);
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.expired == 1 && m.started == 1);
    CHECK(ringpool_destroy(pool));
}

static void cancelling(void) {
    ringpool_pool *pool = make(1, 4, 2);
    /* A running job sees the flag. */
    uint64_t running = submit(pool, RUNNER, 0, 0);
    while (!atomic_load(&runner_started)) {
        sleep_ms(1);
    }
    /* A queued job comes back and never runs. */
    uint64_t queued = submit(pool, 42, 1, 0);
    uint64_t payload = 0;
    ringpool_cancel_outcome what;
    CHECK(ringpool_cancel(pool, queued, &payload, &what));
    EXPECT(what == RINGPOOL_CANCEL_OUTCOME_CANCELLED && payload == 42);
    CHECK(ringpool_cancel(pool, queued, &payload, &what));
    EXPECT(what == RINGPOOL_CANCEL_OUTCOME_NOT_FOUND);
    CHECK(ringpool_cancel(pool, running, &payload, &what));
    EXPECT(what == RINGPOOL_CANCEL_OUTCOME_STARTED);
    CHECK(ringpool_wait(pool));
    CHECK(ringpool_close(pool));
    ringpool_result r;
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.job_id == running && r.value == 1); /* it saw the flag */
    EXPECT_STATUS(ringpool_recv(pool, &r), RINGPOOL_STATUS_CLOSED); /* nothing for 42 */
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.cancelled == 1 && m.succeeded == 1);
    CHECK(ringpool_destroy(pool));
}

/* The loaded run. */
#define SUBMITTERS 3
#define PER 3000
#define TOTAL (SUBMITTERS * PER)

enum { NONE, RAN, EXPIRED, CANCELLED, STOPPED };
static atomic_uchar fate[TOTAL + 1]; /* by job payload */
static atomic_ullong id_to_job[TOTAL * 2 + 16];
static atomic_ullong accepted;

static void mark(uint64_t job, unsigned char how) {
    unsigned char none = NONE;
    if (!atomic_compare_exchange_strong(&fate[job], &none, how)) {
        fprintf(stderr, "job %llu ended twice (%d, then %d)\n", (unsigned long long)job,
                (int)none, (int)how);
        exit(1);
    }
}

static void *submitter(void *arg) {
    ringpool_pool *pool = arg;
    static atomic_uint next;
    for (;;) {
        uint64_t job = atomic_fetch_add(&next, 1) + 1;
        if (job > TOTAL) {
            break;
        }
        ringpool_job_options options = {job % 3, job % 5 == 0 ? job % 4 * 1000 : 0};
        uint64_t id = 0;
        ringpool_status s = ringpool_submit_with_options(pool, job, &options, &id);
        if (s == RINGPOOL_STATUS_CLOSED) {
            break;
        }
        CHECK(s);
        EXPECT(id < sizeof id_to_job / sizeof id_to_job[0]);
        atomic_store(&id_to_job[id], job);
        atomic_fetch_add(&accepted, 1);
        if (job % 3 == 1) {
            uint64_t payload = 0;
            ringpool_cancel_outcome what;
            CHECK(ringpool_cancel(pool, id, &payload, &what));
            if (what == RINGPOOL_CANCEL_OUTCOME_CANCELLED) {
                EXPECT(payload == job);
                mark(job, CANCELLED);
            }
        }
    }
    return NULL;
}

static void *drainer(void *arg) {
    ringpool_pool *pool = arg;
    ringpool_result r;
    ringpool_status s;
    while ((s = ringpool_recv(pool, &r)) == RINGPOOL_STATUS_OK) {
        if (r.status == RINGPOOL_STATUS_OK) {
            mark(r.job, RAN);
        } else {
            EXPECT(r.status == RINGPOOL_STATUS_JOB_EXPIRED);
        }
    }
    EXPECT(s == RINGPOOL_STATUS_CLOSED);
    return NULL;
}

static void loaded_accounting(void) {
    ringpool_pool *pool = make(2, 16, 3);
    pthread_t subs[SUBMITTERS], drain;
    EXPECT(pthread_create(&drain, NULL, drainer, pool) == 0);
    for (int i = 0; i < SUBMITTERS; i++) {
        EXPECT(pthread_create(&subs[i], NULL, submitter, pool) == 0);
    }
    sleep_ms(20);
    CHECK(ringpool_pause(pool));
    sleep_ms(2);
    CHECK(ringpool_resume(pool));
    sleep_ms(10);
    ringpool_unstarted back[64];
    size_t n = 0;
    ringpool_status s;
    do {
        s = ringpool_stop_now(pool, back, 64, &n);
        for (size_t i = 0; i < n; i++) {
            uint64_t known = atomic_load(&id_to_job[back[i].job_id]);
            EXPECT(known == back[i].job || known == 0); /* its submit may not have returned */
            mark(back[i].job, STOPPED);
        }
    } while (s == RINGPOOL_STATUS_MORE);
    CHECK(s);
    for (int i = 0; i < SUBMITTERS; i++) {
        EXPECT(pthread_join(subs[i], NULL) == 0);
    }
    EXPECT(pthread_join(drain, NULL) == 0);
    do {
        s = ringpool_take_expired(pool, back, 64, &n);
        for (size_t i = 0; i < n; i++) {
            EXPECT(atomic_load(&id_to_job[back[i].job_id]) == back[i].job);
            mark(back[i].job, EXPIRED);
        }
    } while (s == RINGPOOL_STATUS_MORE);
    CHECK(s);
    uint64_t counts[5] = {0};
    for (uint64_t job = 1; job <= TOTAL; job++) {
        counts[atomic_load(&fate[job])]++;
    }
    uint64_t ended = counts[RAN] + counts[EXPIRED] + counts[CANCELLED] + counts[STOPPED];
    EXPECT(ended == atomic_load(&accepted)); /* every accepted job once */
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.submitted == atomic_load(&accepted));
    EXPECT(m.succeeded == counts[RAN]);
    EXPECT(m.expired == counts[EXPIRED]);
    EXPECT(m.cancelled == counts[CANCELLED] + counts[STOPPED]);
    EXPECT(m.submitted == m.succeeded + m.expired + m.cancelled);
    CHECK(ringpool_destroy(pool));
    printf("control: %llu accepted: %llu ran, %llu expired, %llu cancelled, %llu stopped\n",
           (unsigned long long)atomic_load(&accepted), (unsigned long long)counts[RAN],
           (unsigned long long)counts[EXPIRED], (unsigned long long)counts[CANCELLED],
           (unsigned long long)counts[STOPPED]);
}

int main(void) {
    priorities_and_pause();
    deadlines();
    cancelling();
    atomic_store(&ran_count, 0);
    loaded_accounting();
    return 0;
}
