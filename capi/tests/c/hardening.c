/*
 * Nothing a caller passes or does makes the pool hang:
 *  1. ringpool_wait / ringpool_wait_timeout under sustained load return
 *     once the jobs submitted before them are done, while submitters go on;
 *  2. every timeout at UINT64_MAX (no deadline: waits like the untimed call);
 *  3. calls from inside the pool's own handler: close then drain the
 *     results, a blocking submit from every worker into a full queue, and
 *     receives with nothing ready: each returns, none hangs;
 *  4. the C metrics carry results_spilled.
 * A SIGALRM deadline turns any hang into a failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* Fails the run if a step hangs: the default SIGALRM action ends it. */
#define DEADLINE_S 120

/* ---- 1. wait under sustained load ---- */

#define MARKERS 16
#define LOAD 1000

static ringpool_pool *load_pool;
static atomic_int marker_done[MARKERS];
static atomic_int stop_load;

static void spin_us(long us) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static int32_t load_handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user, (void)ctx, (void)value;
    spin_us(20);
    if (job < MARKERS) {
        atomic_store(&marker_done[job], 1);
    }
    return 0;
}

static void *load_submitter(void *arg) {
    (void)arg;
    uint64_t id;
    while (!atomic_load(&stop_load)) {
        CHECK(ringpool_submit(load_pool, LOAD, &id));
    }
    return NULL;
}

static void *load_drainer(void *arg) {
    (void)arg;
    ringpool_result r;
    ringpool_status s;
    while ((s = ringpool_recv(load_pool, &r)) == RINGPOOL_STATUS_OK) {
    }
    EXPECT(s == RINGPOOL_STATUS_CLOSED);
    return NULL;
}

static void wait_under_load(int timed) {
    pthread_t submitters[2], drainer;
    uint64_t id;
    CHECK(ringpool_create(2, 32, load_handler, NULL, &load_pool));
    atomic_store(&stop_load, 0);
    for (int m = 0; m < MARKERS; m++) {
        atomic_store(&marker_done[m], 0);
    }
    EXPECT(pthread_create(&drainer, NULL, load_drainer, NULL) == 0);
    for (int t = 0; t < 2; t++) {
        EXPECT(pthread_create(&submitters[t], NULL, load_submitter, NULL) == 0);
    }
    sleep_ms(30); /* the queue is full from here on */
    for (uint64_t m = 0; m < MARKERS; m++) {
        CHECK(ringpool_submit(load_pool, m, &id));
    }
    if (timed) {
        CHECK(ringpool_wait_timeout(load_pool, 60000));
    } else {
        CHECK(ringpool_wait(load_pool));
    }
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(load_pool, &m));
    for (int k = 0; k < MARKERS; k++) {
        EXPECT(atomic_load(&marker_done[k])); /* done before wait returned */
    }
    /* The load goes on after the wait returned (it did not wait for the
     * submitters to stop: they stop only below). */
    ringpool_metrics later;
    for (int tries = 0; tries < 1000; tries++) {
        CHECK(ringpool_metrics_snapshot(load_pool, &later));
        if (later.submitted > m.submitted) {
            break;
        }
        sleep_ms(1);
    }
    EXPECT(later.submitted > m.submitted);
    atomic_store(&stop_load, 1);
    for (int t = 0; t < 2; t++) {
        EXPECT(pthread_join(submitters[t], NULL) == 0);
    }
    CHECK(ringpool_close(load_pool));
    EXPECT(pthread_join(drainer, NULL) == 0);
    CHECK(ringpool_destroy(load_pool));
    printf("hardening: ringpool_wait%s returned under sustained load\n", timed ? "_timeout" : "");
}

/* ---- 2. UINT64_MAX timeouts ---- */

struct held {
    ringpool_pool *pool;
    atomic_int started, release, submitted;
    ringpool_status status;
};

static int32_t held_handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    struct held *h = user;
    (void)ctx;
    *value = job;
    if (job == 0) {
        atomic_store(&h->started, 1);
        while (!atomic_load(&h->release)) {
            sleep_ms(1);
        }
    }
    return 0;
}

static void *submit_forever(void *arg) {
    struct held *h = arg;
    uint64_t id;
    h->status = ringpool_submit_timeout(h->pool, 2, UINT64_MAX, &id);
    atomic_store(&h->submitted, 1);
    return NULL;
}

static void max_timeouts(void) {
    struct held h = {0};
    uint64_t id;
    pthread_t submitter;
    ringpool_result r;
    CHECK(ringpool_create(1, 1, held_handler, &h, &h.pool));
    CHECK(ringpool_submit(h.pool, 0, &id));
    while (!atomic_load(&h.started)) {
        sleep_ms(1);
    }
    CHECK(ringpool_submit(h.pool, 1, &id)); /* the queue of one is full */
    EXPECT(pthread_create(&submitter, NULL, submit_forever, &h) == 0);
    sleep_ms(30);
    EXPECT(!atomic_load(&h.submitted)); /* UINT64_MAX waits for room */
    atomic_store(&h.release, 1);
    EXPECT(pthread_join(submitter, NULL) == 0);
    CHECK(h.status);
    CHECK(ringpool_wait_timeout(h.pool, UINT64_MAX));
    for (int k = 0; k < 3; k++) {
        CHECK(ringpool_recv_timeout(h.pool, UINT64_MAX, &r));
    }
    CHECK(ringpool_close(h.pool));
    EXPECT_STATUS(ringpool_recv_timeout(h.pool, UINT64_MAX, &r), RINGPOOL_STATUS_CLOSED);
    CHECK(ringpool_destroy(h.pool));
    printf("hardening: UINT64_MAX timeouts wait like the untimed calls\n");
}

/* ---- 3. Calls from inside the pool's own handler ---- */

#define JOB_CLOSE_DRAIN 1
#define JOB_SUBMIT_FULL 2
#define JOB_RECV 3
#define JOB_FILLER 100

struct self {
    ringpool_pool *pool;
    pthread_barrier_t in_handlers; /* both workers (and main) */
    pthread_barrier_t submitted;   /* both workers */
    atomic_int go;
    atomic_int drained;
    ringpool_status after_drain, submit[2], recv, recv_timeout;
};

static int32_t self_handler(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    struct self *c = user;
    ringpool_result r;
    uint64_t id;
    *value = job;
    switch (job) {
    case JOB_CLOSE_DRAIN: {
        CHECK(ringpool_close(c->pool));
        ringpool_status s;
        while ((s = ringpool_recv(c->pool, &r)) == RINGPOOL_STATUS_OK) {
            atomic_fetch_add(&c->drained, 1);
        }
        c->after_drain = s;
        return 0;
    }
    case JOB_SUBMIT_FULL:
        pthread_barrier_wait(&c->in_handlers);
        while (!atomic_load(&c->go)) {
            sleep_ms(1);
        }
        c->submit[ctx.worker_id - 1] = ringpool_submit(c->pool, 200 + job, &id);
        pthread_barrier_wait(&c->submitted);
        return 0;
    case JOB_RECV:
        c->recv = ringpool_recv(c->pool, &r);
        c->recv_timeout = ringpool_recv_timeout(c->pool, UINT64_MAX, &r);
        return 0;
    default:
        return 0;
    }
}

/* A handler closes its pool, then drains the results: it gets the three
 * ready ones, then WOULD_DEADLOCK (not a hang); its own result is left for
 * the outside receiver, then the stream ends. */
static void close_and_drain_inside(void) {
    struct self c = {0};
    uint64_t id;
    ringpool_result r;
    CHECK(ringpool_create(2, 8, self_handler, &c, &c.pool));
    for (int k = 0; k < 3; k++) {
        CHECK(ringpool_submit(c.pool, JOB_FILLER, &id));
    }
    CHECK(ringpool_wait(c.pool));
    CHECK(ringpool_submit(c.pool, JOB_CLOSE_DRAIN, &id));
    CHECK(ringpool_wait(c.pool)); /* the handler drained first, alone */
    CHECK(ringpool_recv(c.pool, &r));
    EXPECT(r.job == JOB_CLOSE_DRAIN && r.status == RINGPOOL_STATUS_OK);
    EXPECT_STATUS(ringpool_recv(c.pool, &r), RINGPOOL_STATUS_CLOSED);
    EXPECT(atomic_load(&c.drained) == 3);
    EXPECT(c.after_drain == RINGPOOL_STATUS_WOULD_DEADLOCK);
    CHECK(ringpool_destroy(c.pool));
    printf("hardening: a handler closed its pool and drained the results\n");
}

/* Both workers, inside their handlers, submit into a full queue with the
 * blocking ringpool_submit: each gets FULL at once. */
static void submit_from_every_worker(void) {
    struct self c = {0};
    uint64_t id;
    ringpool_result r;
    EXPECT(pthread_barrier_init(&c.in_handlers, NULL, 3) == 0);
    EXPECT(pthread_barrier_init(&c.submitted, NULL, 2) == 0);
    CHECK(ringpool_create(2, 2, self_handler, &c, &c.pool));
    CHECK(ringpool_submit(c.pool, JOB_SUBMIT_FULL, &id));
    CHECK(ringpool_submit(c.pool, JOB_SUBMIT_FULL, &id));
    pthread_barrier_wait(&c.in_handlers); /* both workers are busy */
    CHECK(ringpool_submit(c.pool, JOB_FILLER, &id));
    CHECK(ringpool_submit(c.pool, JOB_FILLER, &id));
    EXPECT_STATUS(ringpool_try_submit(c.pool, JOB_FILLER, &id), RINGPOOL_STATUS_FULL);
    atomic_store(&c.go, 1);
    for (int k = 0; k < 4; k++) {
        CHECK(ringpool_recv(c.pool, &r));
    }
    EXPECT(c.submit[0] == RINGPOOL_STATUS_FULL && c.submit[1] == RINGPOOL_STATUS_FULL);
    CHECK(ringpool_destroy(c.pool));
    pthread_barrier_destroy(&c.in_handlers);
    pthread_barrier_destroy(&c.submitted);
    printf("hardening: a blocking submit from every worker into a full queue returned FULL\n");
}

/* Receives inside the handler with nothing ready never wait. */
static void recv_inside(void) {
    struct self c = {0};
    uint64_t id;
    ringpool_result r;
    CHECK(ringpool_create(1, 2, self_handler, &c, &c.pool));
    CHECK(ringpool_submit(c.pool, JOB_RECV, &id));
    CHECK(ringpool_recv(c.pool, &r));
    EXPECT(c.recv == RINGPOOL_STATUS_WOULD_DEADLOCK);
    EXPECT(c.recv_timeout == RINGPOOL_STATUS_WOULD_DEADLOCK);
    CHECK(ringpool_destroy(c.pool));
    printf("hardening: receives inside the handler returned WOULD_DEADLOCK\n");
}

/* ---- The metrics carry every Rust figure: results_spilled ---- */

static int32_t echo(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user, (void)ctx;
    *value = job;
    return 0;
}

/* Nobody drains while 20 jobs go through a result ring of 3: results spill,
 * and the C snapshot says so; then all 20 arrive. */
static void spilled_in_metrics(void) {
    ringpool_pool *pool;
    uint64_t id;
    ringpool_result r;
    ringpool_metrics m;
    CHECK(ringpool_create(1, 2, echo, NULL, &pool));
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.results_spilled == 0);
    for (uint64_t job = 0; job < 20; job++) {
        CHECK(ringpool_submit(pool, job, &id));
    }
    CHECK(ringpool_wait(pool));
    CHECK(ringpool_metrics_snapshot(pool, &m));
    EXPECT(m.results_spilled > 0 && m.results_spilled <= 20);
    EXPECT(m.results_pending == 20 && m.submitted == 20 && m.rejected == 0);
    for (int k = 0; k < 20; k++) {
        CHECK(ringpool_recv(pool, &r));
    }
    CHECK(ringpool_destroy(pool));
    printf("hardening: results_spilled %llu in the C metrics\n", (unsigned long long)m.results_spilled);
}

int main(void) {
    alarm(DEADLINE_S);
    wait_under_load(0);
    wait_under_load(1);
    max_timeouts();
    close_and_drain_inside();
    submit_from_every_worker();
    recv_inside();
    spilled_in_metrics();
    alarm(0);
    return 0;
}
