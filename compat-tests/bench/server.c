/*
 * ouroboros-rs benchmark server (client: client.c). One mode per run:
 *
 *   server echo        accept one flow, echo every packet; a 1-byte packet
 *                      is echoed and ends the run
 *   server sink <n>    accept one flow, count packets until n arrived (or
 *                      none came for 3 s), answer with the count and the
 *                      CLOCK_MONOTONIC time of the last one (2 x 8 bytes),
 *                      echo the client's 1-byte goodbye
 *   server accept <n>  accept and deallocate n flows
 *
 * Prints "server: ready" before it accepts. Must be bound to the name the
 * client allocates to (irm bind program).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"

#include <ouroboros/dev.h>
#include <ouroboros/errno.h>
#include <ouroboros/fccntl.h>

#define BUF_SIZE (1 << 17)

static uint8_t buf[BUF_SIZE];

static int accept_one(void)
{
        int fd = flow_accept(NULL, NULL);

        if (fd < 0)
                fprintf(stderr, "server: flow_accept: %d\n", fd);
        return fd;
}

static int echo(void)
{
        int     fd = accept_one();
        ssize_t n;

        if (fd < 0)
                return 1;
        while ((n = flow_read(fd, buf, BUF_SIZE)) > 0) {
                if (flow_write(fd, buf, (size_t) n) != n)
                        break;
                if (n == 1)
                        break;
        }
        flow_dealloc(fd);
        return n == 1 ? 0 : 1;
}

static int sink(long want)
{
        int             fd   = accept_one();
        struct timespec idle = {3, 0};
        uint64_t        ack[2] = {0, 0}; /* count, time of the last one */

        if (fd < 0)
                return 1;
        fccntl(fd, FLOWSRCVTIMEO, &idle);
        while ((long) ack[0] < want && flow_read(fd, buf, BUF_SIZE) > 0) {
                ++ack[0];
                ack[1] = now_ns();
        }
        flow_write(fd, ack, sizeof(ack));
        if (flow_read(fd, buf, BUF_SIZE) == 1) /* the goodbye */
                flow_write(fd, buf, 1);
        flow_dealloc(fd);
        return 0; /* losses are the client's to report */
}

static int accept_n(long n)
{
        long i;

        for (i = 0; i < n; ++i) {
                int fd = accept_one();

                if (fd < 0)
                        return 1;
                flow_dealloc(fd);
        }
        return 0;
}

int main(int argc, char ** argv)
{
        printf("server: ready\n");
        fflush(stdout);

        if (argc == 2 && strcmp(argv[1], "echo") == 0)
                return echo();
        if (argc == 3 && strcmp(argv[1], "sink") == 0)
                return sink(atol(argv[2]));
        if (argc == 3 && strcmp(argv[1], "accept") == 0)
                return accept_n(atol(argv[2]));
        fprintf(stderr, "usage: server echo | sink <n> | accept <n>\n");
        return 2;
}
