/*
 * The worker-pool scenario in C (Go's worker-pool pattern): 3 workers, a queue of 10, 10 jobs, each job
 * simulating some work, then every result collected. Prints the scenario's lines
 *   Worker N started job J / Worker N finished job J / Result received for job J
 * ci/c.sh checks that each job appears exactly once in each kind of line.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#define WORKERS 3
#define JOBS 10

/* The handler: the Go example's worker body. The job is its id; the value, too. */
static int32_t work(void *user, ringpool_job_context ctx, uint64_t job, uint64_t *value) {
    (void)user;
    printf("Worker %zu started job %llu\n", ctx.worker_id, (unsigned long long)job);
    sleep_ms(20); /* simulating work */
    printf("Worker %zu finished job %llu\n", ctx.worker_id, (unsigned long long)job);
    *value = job;
    return 0;
}

int main(void) {
    ringpool_pool *pool = NULL;
    CHECK(ringpool_create(WORKERS, JOBS, work, NULL, &pool));
    for (uint64_t job = 1; job <= JOBS; job++) {
        uint64_t id;
        CHECK(ringpool_submit(pool, job, &id));
    }
    CHECK(ringpool_close(pool)); /* Go's close(jobQueue) */
    CHECK(ringpool_wait(pool));  /* Go's wg.Wait() */
    ringpool_result result;
    int received = 0;
    ringpool_status status;
    while ((status = ringpool_recv(pool, &result)) == RINGPOOL_STATUS_OK) {
        EXPECT(result.status == RINGPOOL_STATUS_OK);
        EXPECT(result.value == result.job);
        printf("Result received for job %llu\n", (unsigned long long)result.job);
        received++;
    }
    EXPECT(status == RINGPOOL_STATUS_CLOSED);
    ringpool_metrics m;
    CHECK(ringpool_metrics_snapshot(pool, &m));
    fprintf(stderr, "%d results; run time p50 %llu ns, p99 %llu ns; queue wait p50 %llu ns\n",
            received, (unsigned long long)m.run_time.p50_ns,
            (unsigned long long)m.run_time.p99_ns, (unsigned long long)m.queue_wait.p50_ns);
    EXPECT(m.submitted == JOBS && m.succeeded == JOBS && m.rejected == 0);
    CHECK(ringpool_destroy(pool));
    fflush(stdout);
    return received == JOBS ? 0 : 1;
}
