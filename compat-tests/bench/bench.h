/*
 * ouroboros-rs benchmarks: helpers shared by the benchmark programs
 * (clock, sample statistics, QoS names). Written for this project.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t) t.tv_sec * 1000000000ULL + (uint64_t) t.tv_nsec;
}

static inline int cmp_u64(const void * a, const void * b)
{
        uint64_t x = *(const uint64_t *) a;
        uint64_t y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

/* Sorts the samples (ns) and prints "RESULT <name>_med_us" and _p99_us. */
static inline void print_rtt(const char * name, uint64_t * s, size_t n)
{
        qsort(s, n, sizeof(*s), cmp_u64);
        printf("RESULT %s_med_us %.2f\n", name, s[n / 2] / 1e3);
        printf("RESULT %s_p99_us %.2f\n", name, s[(n * 99) / 100] / 1e3);
        fflush(stdout);
}

#endif /* BENCH_H */
