/*
 * Misuse and every status code: NULL pointers, zero and too-large
 * arguments, full queue, timeouts, empty results, submit after close,
 * stop-now's MORE protocol, a failing handler, wait/destroy from inside the
 * handler, and a refused thread spawn. JOB_PANICKED and PANIC cannot be
 * caused from C (they report library panics); the Rust tests
 * (capi/src/tests.rs, panics_become_codes) cover them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"

#define JOB_BLOCK 1   /* runs until released */
#define JOB_FAIL 99   /* the handler reports failure 42 */
#define JOB_SELF 77   /* the handler calls wait/destroy on its own pool */

struct control {
    ringpool_pool *pool;
    atomic_int started;
    atomic_int release;
    ringpool_status wait, wait_timeout, destroy;
};

static int32_t handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    struct control *c = user;
    (void)ctx;
    switch (job) {
    case JOB_FAIL:
        *value = 1;
        return 42;
    case JOB_SELF:
        c->wait = ringpool_wait(c->pool);
        c->wait_timeout = ringpool_wait_timeout(c->pool, 1);
        c->destroy = ringpool_destroy(c->pool);
        return 0;
    case JOB_BLOCK:
        atomic_store(&c->started, 1);
        while (!atomic_load(&c->release)) {
            sleep_ms(1);
        }
        return 0;
    default:
        return 0;
    }
}

static int32_t nothing(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user, (void)ctx, (void)job, (void)value;
    return 0;
}

static int codes_seen[20];
#define SEEN(code) (codes_seen[code] = 1)

/* Every function with a NULL handle, and create with bad arguments. */
static void bad_arguments(void) {
    ringpool_pool *pool = (ringpool_pool *)&pool; /* must be overwritten with NULL */
    uint64_t id;
    size_t written;
    ringpool_result r;
    ringpool_metrics m;
    ringpool_unstarted u;
    EXPECT_STATUS(ringpool_create(1, 1, nothing, NULL, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_create(1, 1, NULL, NULL, &pool), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT(pool == NULL);
    EXPECT_STATUS(ringpool_create(0, 1, nothing, NULL, &pool), RINGPOOL_STATUS_ZERO_WORKERS);
    EXPECT_STATUS(ringpool_create(1, 0, nothing, NULL, &pool), RINGPOOL_STATUS_ZERO_CAPACITY);
    EXPECT_STATUS(ringpool_create(1, SIZE_MAX, nothing, NULL, &pool), RINGPOOL_STATUS_CAPACITY_TOO_LARGE);
    EXPECT(pool == NULL);
    EXPECT_STATUS(ringpool_create(SIZE_MAX, 1, nothing, NULL, &pool), RINGPOOL_STATUS_TOO_MANY_WORKERS);
    EXPECT_STATUS(ringpool_create(65537, 1, nothing, NULL, &pool), RINGPOOL_STATUS_TOO_MANY_WORKERS);
    /* 2^31-8 workers and a queue of 4 (the worker tables used to abort). */
    EXPECT_STATUS(ringpool_create(((size_t)1 << 31) - 8, 4, nothing, NULL, &pool),
                  RINGPOOL_STATUS_TOO_MANY_WORKERS);
    EXPECT(pool == NULL);
    EXPECT_STATUS(ringpool_destroy(NULL), RINGPOOL_STATUS_OK);
    EXPECT_STATUS(ringpool_submit(NULL, 1, &id), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_try_submit(NULL, 1, &id), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_submit_timeout(NULL, 1, 1, &id), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_recv(NULL, &r), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_try_recv(NULL, &r), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_recv_timeout(NULL, 1, &r), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_close(NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_wait(NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_wait_timeout(NULL, 1), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_stop_now(NULL, &u, 1, &written), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_resize(NULL, 1), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_metrics_snapshot(NULL, &m), RINGPOOL_STATUS_NULL_ARGUMENT);
    SEEN(RINGPOOL_STATUS_OK), SEEN(RINGPOOL_STATUS_NULL_ARGUMENT), SEEN(RINGPOOL_STATUS_ZERO_WORKERS);
    SEEN(RINGPOOL_STATUS_ZERO_CAPACITY), SEEN(RINGPOOL_STATUS_CAPACITY_TOO_LARGE);
}

/* One pool, 1 worker, queue 1, taken through every state. */
static void lifecycle(void) {
    struct control c = {0};
    uint64_t id;
    size_t written = 99;
    ringpool_result r;
    ringpool_metrics m;
    ringpool_unstarted u[2];
    CHECK(ringpool_create(1, 1, handler, &c, &c.pool));
    ringpool_pool *pool = c.pool;

    /* NULL out-parameters on a live pool. */
    EXPECT_STATUS(ringpool_submit(pool, 5, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_try_submit(pool, 5, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_submit_timeout(pool, 5, 1, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_recv(pool, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_try_recv(pool, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_recv_timeout(pool, 1, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_metrics_snapshot(pool, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_stop_now(pool, u, 2, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_stop_now(pool, NULL, 2, &written), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT(written == 99); /* and the NULL-argument stop_now did not stop the pool: */

    /* Bad sizes. */
    EXPECT_STATUS(ringpool_resize(pool, 0), RINGPOOL_STATUS_ZERO_WORKERS);
    EXPECT_STATUS(ringpool_resize(pool, 100000), RINGPOOL_STATUS_TOO_MANY_WORKERS);
    SEEN(RINGPOOL_STATUS_TOO_MANY_WORKERS);

    /* Nothing yet: EMPTY and TIMEOUT. */
    EXPECT_STATUS(ringpool_try_recv(pool, &r), RINGPOOL_STATUS_EMPTY);
    EXPECT_STATUS(ringpool_recv_timeout(pool, 5, &r), RINGPOOL_STATUS_TIMEOUT);
    SEEN(RINGPOOL_STATUS_EMPTY), SEEN(RINGPOOL_STATUS_TIMEOUT);

    /* A handler that reports failure. */
    CHECK(ringpool_submit(pool, JOB_FAIL, &id));
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.status == RINGPOOL_STATUS_JOB_FAILED && r.error_code == 42);
    EXPECT(r.job == JOB_FAIL && r.job_id == id && r.value == 1 && r.worker_id == 1);
    SEEN(RINGPOOL_STATUS_JOB_FAILED);

    /* wait / wait_timeout / destroy from inside the pool's own handler. */
    CHECK(ringpool_submit(pool, JOB_SELF, &id));
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.status == RINGPOOL_STATUS_OK);
    EXPECT(c.wait == RINGPOOL_STATUS_WOULD_DEADLOCK);
    EXPECT(c.wait_timeout == RINGPOOL_STATUS_WOULD_DEADLOCK);
    EXPECT(c.destroy == RINGPOOL_STATUS_WOULD_DEADLOCK);
    SEEN(RINGPOOL_STATUS_WOULD_DEADLOCK);

    /* Full: one job running (blocked), one queued. */
    CHECK(ringpool_submit(pool, JOB_BLOCK, &id));
    while (!atomic_load(&c.started)) {
        sleep_ms(1);
    }
    uint64_t queued_id;
    CHECK(ringpool_submit(pool, 2, &queued_id));
    EXPECT_STATUS(ringpool_try_submit(pool, 3, &id), RINGPOOL_STATUS_FULL);
    EXPECT_STATUS(ringpool_submit_timeout(pool, 3, 10, &id), RINGPOOL_STATUS_TIMEOUT);
    EXPECT_STATUS(ringpool_wait_timeout(pool, 10), RINGPOOL_STATUS_TIMEOUT);
    SEEN(RINGPOOL_STATUS_FULL);

    /* Stop now: MORE while the caller's buffer is too small, then the rest. */
    EXPECT_STATUS(ringpool_stop_now(pool, NULL, 0, &written), RINGPOOL_STATUS_MORE);
    EXPECT(written == 0);
    CHECK(ringpool_stop_now(pool, u, 2, &written));
    EXPECT(written == 1 && u[0].job == 2 && u[0].job_id == queued_id);
    CHECK(ringpool_stop_now(pool, u, 2, &written));
    EXPECT(written == 0);
    SEEN(RINGPOOL_STATUS_MORE);

    /* Closed: no submit, no resize; close is idempotent. */
    EXPECT_STATUS(ringpool_submit(pool, 4, &id), RINGPOOL_STATUS_CLOSED);
    EXPECT_STATUS(ringpool_try_submit(pool, 4, &id), RINGPOOL_STATUS_CLOSED);
    EXPECT_STATUS(ringpool_submit_timeout(pool, 4, 1, &id), RINGPOOL_STATUS_CLOSED);
    EXPECT_STATUS(ringpool_resize(pool, 2), RINGPOOL_STATUS_CLOSED);
    CHECK(ringpool_close(pool));
    SEEN(RINGPOOL_STATUS_CLOSED);

    /* The running job still finishes and its result is delivered; then the end. */
    atomic_store(&c.release, 1);
    CHECK(ringpool_recv(pool, &r));
    EXPECT(r.job == JOB_BLOCK && r.status == RINGPOOL_STATUS_OK);
    EXPECT_STATUS(ringpool_recv(pool, &r), RINGPOOL_STATUS_CLOSED);
    EXPECT_STATUS(ringpool_try_recv(pool, &r), RINGPOOL_STATUS_CLOSED);
    EXPECT_STATUS(ringpool_recv_timeout(pool, 1, &r), RINGPOOL_STATUS_CLOSED);
    CHECK(ringpool_wait(pool));
    CHECK(ringpool_wait_timeout(pool, 0));

    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.submitted == 4 && m.started == 3 && m.succeeded == 2 && m.failed == 1);
    EXPECT(m.cancelled == 1 && m.rejected == 5 && m.panicked == 0);
    EXPECT(m.queue_capacity == 1 && m.queue_depth == 0 && m.results_pending == 0);
    CHECK(ringpool_destroy(pool));
}

/* Sets the address-space limit to what the process maps now plus `extra`
 * bytes; returns the old limit. */
static struct rlimit limit_address_space(long extra) {
    struct rlimit old;
    EXPECT(getrlimit(RLIMIT_AS, &old) == 0);
    long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    EXPECT(statm && fscanf(statm, "%ld", &pages) == 1);
    fclose(statm);
    struct rlimit tight = old;
    tight.rlim_cur = (rlim_t)pages * 4096 + (rlim_t)extra;
    EXPECT(setrlimit(RLIMIT_AS, &tight) == 0);
    return old;
}

/* OUT_OF_MEMORY: queues within the ring's limits that the machine cannot
 * hold (a queue of 2^31-1 with 1 worker, of 2^31-8 with 4) are a status
 * code, never an abort. Under an address-space limit
 * (64 MiB above what is mapped now) the result is the same on every
 * machine. On 32-bit targets these sizes are above the ring's limit. */
static void too_large_to_allocate(void) {
    ringpool_pool *pool = (ringpool_pool *)&pool;
    ringpool_status want = SIZE_MAX > UINT32_MAX ? RINGPOOL_STATUS_OUT_OF_MEMORY
                                                 : RINGPOOL_STATUS_CAPACITY_TOO_LARGE;
    struct rlimit old = limit_address_space(64L * 1024 * 1024);
    ringpool_status a = ringpool_create(1, ((size_t)1 << 31) - 1, nothing, NULL, &pool);
    ringpool_status b = ringpool_create(4, ((size_t)1 << 31) - 8, nothing, NULL, &pool);
    EXPECT(setrlimit(RLIMIT_AS, &old) == 0);
    EXPECT_STATUS(a, want);
    EXPECT_STATUS(b, want);
    EXPECT(pool == NULL);
    SEEN(want);
}

/* SPAWN_FAILED: resize under an address-space limit too small for the new
 * threads' stacks. Returns 1 if the code was seen. */
static int spawn_refused(void) {
    ringpool_pool *pool;
    CHECK(ringpool_create(1, 1, nothing, NULL, &pool));
    struct rlimit old = limit_address_space(16L * 1024 * 1024); /* room for a few stacks */
    ringpool_status s = ringpool_resize(pool, 1024);
    EXPECT(setrlimit(RLIMIT_AS, &old) == 0);
    CHECK(ringpool_resize(pool, 1));
    CHECK(ringpool_destroy(pool));
    if (s == RINGPOOL_STATUS_SPAWN_FAILED) {
        return 1;
    }
    fprintf(stderr, "note: resize under RLIMIT_AS returned %s\n", ringpool_status_str(s));
    return 0;
}

static int32_t echo(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    (void)ctx;
    *value = job;
    return 0;
}

/* The codes of control.c's calls: BAD_PRIORITIES, NO_SUCH_PRIORITY,
 * JOB_EXPIRED, and NULL arguments to them. */
static void control_codes(void) {
    ringpool_pool *pool = NULL;
    ringpool_options settings;
    CHECK(ringpool_options_default(&settings));
    settings.workers = 1;
    settings.queue_capacity = 4;
    settings.priorities = 0;
    EXPECT_STATUS(ringpool_create_with(&settings, echo, NULL, &pool), RINGPOOL_STATUS_BAD_PRIORITIES);
    EXPECT(pool == NULL);
    settings.priorities = 9;
    EXPECT_STATUS(ringpool_create_with(&settings, echo, NULL, &pool), RINGPOOL_STATUS_BAD_PRIORITIES);
    SEEN(RINGPOOL_STATUS_BAD_PRIORITIES);
    EXPECT_STATUS(ringpool_create_with(NULL, echo, NULL, &pool), RINGPOOL_STATUS_NULL_ARGUMENT);
    settings.priorities = 2;
    CHECK(ringpool_create_with(&settings, echo, NULL, &pool));
    uint64_t payload = 0;
    ringpool_cancel_outcome what;
    EXPECT_STATUS(ringpool_cancel(pool, 1, NULL, &what), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_cancel(pool, 1, &payload, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_cancel(NULL, 1, &payload, &what), RINGPOOL_STATUS_NULL_ARGUMENT);
    CHECK(ringpool_cancel(pool, 1, &payload, &what));
    EXPECT(what == RINGPOOL_CANCEL_OUTCOME_NOT_CANCELLABLE);
    ringpool_job_options options = {2, 0};
    uint64_t id = 0;
    EXPECT_STATUS(ringpool_submit_with_options(pool, 1, &options, &id),
                  RINGPOOL_STATUS_NO_SUCH_PRIORITY);
    SEEN(RINGPOOL_STATUS_NO_SUCH_PRIORITY);
    EXPECT_STATUS(ringpool_submit_with_options(pool, 1, NULL, &id), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_submit_with_options(pool, 1, &options, NULL),
                  RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_pause(NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_resume(NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    size_t written = 0;
    EXPECT_STATUS(ringpool_take_expired(pool, NULL, 1, &written), RINGPOOL_STATUS_NULL_ARGUMENT);
    EXPECT_STATUS(ringpool_take_expired(pool, NULL, 0, NULL), RINGPOOL_STATUS_NULL_ARGUMENT);
    /* A deadline of 1 ns has passed by the time the paused pool resumes. */
    CHECK(ringpool_pause(pool));
    options.priority = 1;
    options.deadline_ns = 1;
    CHECK(ringpool_submit_with_options(pool, 7, &options, &id));
    sleep_ms(1);
    CHECK(ringpool_resume(pool));
    ringpool_result result;
    CHECK(ringpool_recv(pool, &result));
    EXPECT(result.job_id == id && result.status == RINGPOOL_STATUS_JOB_EXPIRED && result.job == 0);
    SEEN(RINGPOOL_STATUS_JOB_EXPIRED);
    ringpool_unstarted back;
    CHECK(ringpool_take_expired(pool, &back, 1, &written));
    EXPECT(written == 1 && back.job_id == id && back.job == 7);
    CHECK(ringpool_destroy(pool));
}

int main(int argc, char **argv) {
    int spawn_optional = argc > 1 && strcmp(argv[1], "--spawn-optional") == 0;
    bad_arguments();
    too_large_to_allocate();
    lifecycle();
    control_codes();
    if (spawn_refused()) {
        SEEN(RINGPOOL_STATUS_SPAWN_FAILED);
    } else {
        EXPECT(spawn_optional);
    }

    /* Names: every code has its own; unknown codes get a placeholder. */
    for (uint32_t a = 0; a < 20; a++) {
        EXPECT(ringpool_status_str(a) != NULL);
        for (uint32_t b = 0; b < a; b++) {
            EXPECT(strcmp(ringpool_status_str(a), ringpool_status_str(b)) != 0);
        }
    }
    EXPECT(strcmp(ringpool_status_str(20), "unknown ringpool status") == 0);
    EXPECT(ringpool_version() != NULL && ringpool_version()[0] != '\0');

    int missing = 0;
    for (int code = 0; code < 20; code++) {
        if (!codes_seen[code] && code != RINGPOOL_STATUS_JOB_PANICKED && code != RINGPOOL_STATUS_PANIC &&
            !(spawn_optional && code == RINGPOOL_STATUS_SPAWN_FAILED)) {
            fprintf(stderr, "code %d (%s) not exercised\n", code, ringpool_status_str((uint32_t)code));
            missing++;
        }
    }
    EXPECT(missing == 0);
    printf("misuse: every status code checked (%s; JOB_PANICKED and PANIC in the Rust tests)\n",
           codes_seen[RINGPOOL_STATUS_SPAWN_FAILED] ? "SPAWN_FAILED included" : "SPAWN_FAILED skipped");
    return 0;
}
