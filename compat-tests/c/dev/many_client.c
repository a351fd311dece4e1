/*
 * ouroboros-rs compat test: many concurrent flows to echo_server.c. Opens
 * <flows> flows to <name> and keeps them all open, checks that they got
 * the descriptors 64, 65, ... in order, has one packet echoed on each
 * (blocking reads with a receive timeout) and deallocates them all.
 *
 * Usage: many_client <name> <qos> <flows>
 *
 * Prints one line per failed check, timings and
 * "client: N checks, M failed".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compat.h"

#define ECHO_TIMEO_MS 10000

int main(int argc, char ** argv)
{
        qosspec_t       qs;
        long            nflows;
        long            i;
        long            n_ok = 0;
        int *           fds;
        uint8_t         sbuf[64];
        uint8_t         rbuf[128];
        struct timespec t = ts_ms(20000);
        uint64_t        t0;
        uint64_t        t1;
        uint64_t        t2;

        who = "client";

        if (argc != 4 || qos_by_name(argv[2], &qs) < 0 ||
            (nflows = atol(argv[3])) < 1 || nflows > 4000) {
                printf("usage: many_client <name> <qos> <flows>\n");
                return 2;
        }
        fds = calloc((size_t) nflows, sizeof(*fds));
        if (fds == NULL)
                return 1;

        t0 = now_ns();
        for (i = 0; i < nflows; ++i) {
                qosspec_t q = qs;

                fds[i] = flow_alloc(argv[1], &q, &t);
                CHECK(fds[i], 64 + i);
                if (fds[i] < 0) {
                        printf("client: flow %ld not allocated\n", i);
                        nflows = i;
                        break;
                }
        }
        t1 = now_ns();

        t = ts_ms(ECHO_TIMEO_MS);
        for (i = 0; i < nflows && failed < 10; ++i) {
                size_t  len = 8 + (size_t) (i % 57);
                ssize_t n;

                CHECK(fccntl(fds[i], FLOWSRCVTIMEO, &t), 0);
                pkt_fill(sbuf, len, (uint32_t) i);
                CHECK(flow_write(fds[i], sbuf, len), len);
                n = flow_read(fds[i], rbuf, sizeof(rbuf));
                if (n != (ssize_t) len || memcmp(sbuf, rbuf, len) != 0) {
                        CHECK(n, len);
                        printf("client: bad echo on flow %ld\n", i);
                        continue;
                }
                ++n_ok;
        }
        CHECK(n_ok, nflows);
        t2 = now_ns();

        for (i = 0; i < nflows; ++i)
                CHECK(flow_dealloc(fds[i]), 0);

        printf("client: %ld flows: allocated in %.2f s, echoed in %.2f s, "
               "deallocated in %.2f s\n", nflows, (double) (t1 - t0) / 1e9,
               (double) (t2 - t1) / 1e9, (double) (now_ns() - t2) / 1e9);
        free(fds);

        return report();
}
