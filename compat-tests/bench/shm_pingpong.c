/*
 * ouroboros-rs benchmark: the machine's reference round trip between two
 * processes, without Ouroboros. A parent and a forked child bounce a
 * token through shared memory, once with a process-shared mutex and
 * condition variable (what Ouroboros's ring buffers use) and once with a
 * bare futex. Prints RESULT lines with the median and 99th percentile.
 *
 * Usage: shm_pingpong [rounds]
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
        pthread_mutex_t mtx;
        pthread_cond_t  cond;
        int             turn;   /* 0: parent's, 1: child's */
        uint32_t        futex;  /* the same, for the futex variant */
};

/* Hands the token to side `to` (0: parent, 1: child). */
static void cv_give(struct shared * s, int to)
{
        pthread_mutex_lock(&s->mtx);
        s->turn = to;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mtx);
}

static void cv_wait(struct shared * s, int me)
{
        pthread_mutex_lock(&s->mtx);
        while (s->turn != me)
                pthread_cond_wait(&s->cond, &s->mtx);
        pthread_mutex_unlock(&s->mtx);
}

static long futex(uint32_t * addr, int op, uint32_t val)
{
        return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void fx_give(struct shared * s, uint32_t to)
{
        __atomic_store_n(&s->futex, to, __ATOMIC_SEQ_CST);
        futex(&s->futex, FUTEX_WAKE, 1);
}

static void fx_wait(struct shared * s, uint32_t me)
{
        uint32_t cur;

        while ((cur = __atomic_load_n(&s->futex, __ATOMIC_SEQ_CST)) != me)
                futex(&s->futex, FUTEX_WAIT, cur);
}

static void run(struct shared * s, int use_futex, long rounds,
                uint64_t * samples)
{
        pid_t pid;
        long  i;

        s->turn  = 0;
        s->futex = 0;
        pid = fork();
        if (pid == 0) {
                /* child: wait for the token, hand it back */
                for (i = 0; i < rounds; ++i) {
                        if (use_futex) {
                                fx_wait(s, 1);
                                fx_give(s, 0);
                        } else {
                                cv_wait(s, 1);
                                cv_give(s, 0);
                        }
                }
                _exit(0);
        }
        for (i = 0; i < rounds; ++i) {
                uint64_t t0 = now_ns();

                if (use_futex) {
                        fx_give(s, 1);
                        fx_wait(s, 0);
                } else {
                        cv_give(s, 1);
                        cv_wait(s, 0);
                }
                samples[i] = now_ns() - t0;
        }
        waitpid(pid, NULL, 0);
}

int main(int argc, char ** argv)
{
        long                rounds = argc > 1 ? atol(argv[1]) : 20000;
        struct shared *     s;
        pthread_mutexattr_t ma;
        pthread_condattr_t  ca;
        uint64_t *          samples;

        if (rounds < 100)
                rounds = 100;
        samples = calloc((size_t) rounds, sizeof(*samples));
        s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (samples == NULL || s == MAP_FAILED)
                return 1;

        pthread_mutexattr_init(&ma);
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutex_init(&s->mtx, &ma);
        pthread_condattr_init(&ca);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->cond, &ca);

        run(s, 0, rounds, samples);
        print_rtt("condvar_rtt", samples, (size_t) rounds);
        run(s, 1, rounds, samples);
        print_rtt("futex_rtt", samples, (size_t) rounds);

        return 0;
}
