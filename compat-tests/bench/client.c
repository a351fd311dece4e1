/*
 * ouroboros-rs benchmark client (server: server.c). One measurement per
 * run, printed as "RESULT <metric> <value>" lines:
 *
 *   client pingpong <name> <rounds> <size>   round trips of one packet:
 *                                            rtt<size>_med_us, _p99_us
 *   client flood <name> <packets> <size>     one-way, blocking writes;
 *                                            rate from the first write to
 *                                            the last arrival: pps<size>,
 *                                            mbps<size> (MB/s), and
 *                                            lost<size> (never arrived)
 *   client allocs <name> <n>                 flow_alloc + flow_dealloc:
 *                                            allocs_per_s
 *
 * Flows use qos_raw. Times come from CLOCK_MONOTONIC.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"

#include <ouroboros/dev.h>
#include <ouroboros/errno.h>
#include <ouroboros/fccntl.h>

#define WARMUP 200

static uint8_t buf[1 << 17];

static int alloc(const char * name)
{
        struct timespec t  = {20, 0};
        int             fd = flow_alloc(name, NULL, &t);

        if (fd < 0)
                fprintf(stderr, "client: flow_alloc: %d\n", fd);
        else
                fccntl(fd, FLOWSRCVTIMEO, &t);
        return fd;
}

static int goodbye(int fd)
{
        ssize_t n;

        flow_write(fd, "!", 1);
        n = flow_read(fd, buf, sizeof(buf));
        flow_dealloc(fd);
        return n >= 0 ? 0 : 1;
}

static int pingpong(const char * name, long rounds, size_t size)
{
        uint64_t * s = calloc((size_t) rounds, sizeof(*s));
        char       metric[32];
        int        fd;
        long       i;

        if (s == NULL || size < 2 || size > sizeof(buf) || (fd = alloc(name)) < 0)
                return 1;
        memset(buf, 0x5a, size);
        for (i = -WARMUP; i < rounds; ++i) {
                uint64_t t0 = now_ns();

                if (flow_write(fd, buf, size) != (ssize_t) size ||
                    flow_read(fd, buf, sizeof(buf)) != (ssize_t) size) {
                        fprintf(stderr, "client: round %ld failed\n", i);
                        return 1;
                }
                if (i >= 0)
                        s[i] = now_ns() - t0;
        }
        snprintf(metric, sizeof(metric), "rtt%zu", size);
        print_rtt(metric, s, (size_t) rounds);
        return goodbye(fd);
}

static int flood(const char * name, long packets, size_t size)
{
        uint64_t ack[2]; /* count, when the last one arrived */
        uint64_t t0;
        double   s;
        int      fd;
        long     i;

        if (size < 2 || size > sizeof(buf) || (fd = alloc(name)) < 0)
                return 1;
        memset(buf, 0xa5, size);
        t0 = now_ns();
        for (i = 0; i < packets; ++i)
                if (flow_write(fd, buf, size) != (ssize_t) size) {
                        fprintf(stderr, "client: write %ld failed\n", i);
                        return 1;
                }
        if (flow_read(fd, ack, sizeof(ack)) != sizeof(ack) || ack[0] == 0) {
                fprintf(stderr, "client: nothing arrived\n");
                return 1;
        }
        /* same clock in both processes: first write to last arrival */
        s = (ack[1] - t0) / 1e9;
        printf("RESULT pps%zu %.0f\n", size, ack[0] / s);
        printf("RESULT mbps%zu %.2f\n", size, ack[0] * size / s / 1e6);
        printf("RESULT lost%zu %ld\n", size, packets - (long) ack[0]);
        fflush(stdout);
        return goodbye(fd);
}

static int allocs(const char * name, long n)
{
        uint64_t t0 = now_ns();
        long     i;

        for (i = 0; i < n; ++i) {
                int fd = alloc(name);

                if (fd < 0 || flow_dealloc(fd) != 0)
                        return 1;
        }
        printf("RESULT allocs_per_s %.1f\n", n / ((now_ns() - t0) / 1e9));
        fflush(stdout);
        return 0;
}

int main(int argc, char ** argv)
{
        if (argc == 5 && strcmp(argv[1], "pingpong") == 0)
                return pingpong(argv[2], atol(argv[3]), (size_t) atol(argv[4]));
        if (argc == 5 && strcmp(argv[1], "flood") == 0)
                return flood(argv[2], atol(argv[3]), (size_t) atol(argv[4]));
        if (argc == 4 && strcmp(argv[1], "allocs") == 0)
                return allocs(argv[2], atol(argv[3]));
        fprintf(stderr, "usage: client pingpong <name> <rounds> <size> | "
                "flood <name> <packets> <size> | allocs <name> <n>\n");
        return 2;
}
