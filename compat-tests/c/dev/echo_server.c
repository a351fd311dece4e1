/*
 * ouroboros-rs compat test: echo server for bulk_client.c and
 * many_client.c. Accepts <flows> flows, waits for packets on all of them
 * with one fset (fevent/fqueue_next/fqueue_type), checks every packet's
 * pattern (compat.h) and per-flow sequence, echoes it, and deallocates
 * every flow once <flows> x <packets> packets were echoed.
 *
 * Usage: echo_server <flows> <packets-per-flow>
 *
 * Prints "server: ready" before it accepts, one line per failed check and
 * "server: N checks, M failed".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compat.h"

#define IDLE_TIMEO_MS 30000
#define MAX_FLOWS     4096

static long next_seq[MAX_FLOWS]; /* expected seq per fd, -1: any */

/* Checks a received packet; 0 when it is good. */
static int verify(int fd, const uint8_t * buf, ssize_t n)
{
        uint32_t dflt = next_seq[fd] < 0 ? 0 : (uint32_t) next_seq[fd];
        uint32_t seq  = pkt_seq(buf, (size_t) n, dflt);
        long     bad;

        if (next_seq[fd] >= 0 && seq != (uint32_t) next_seq[fd]) {
                CHECK(seq, next_seq[fd]);
                printf("server: fd %d: packet %u out of sequence\n", fd, seq);
                return -1;
        }
        next_seq[fd] = (long) seq + 1;
        bad = pkt_bad_byte(buf, (size_t) n, seq);
        if (bad >= 0) {
                CHECK(bad, -1);
                printf("server: fd %d: packet %u (%zd B) corrupt at byte %ld\n",
                       fd, seq, n, bad);
                return -1;
        }
        return 0;
}

int main(int argc, char ** argv)
{
        long            nflows;
        long            per;
        long            total;
        long            echoed = 0;
        long            bytes  = 0;
        long            i;
        int *           fds;
        uint8_t *       buf;
        fset_t *        set;
        fqueue_t *      fq;
        struct timespec t = ts_ms(IDLE_TIMEO_MS);
        uint64_t        t0;
        double          s;

        who = "server";

        if (argc != 3 || (nflows = atol(argv[1])) < 1 || nflows > 4000 ||
            (per = atol(argv[2])) < 1) {
                printf("usage: echo_server <flows> <packets-per-flow>\n");
                return 2;
        }
        total = nflows * per;

        fds = calloc((size_t) nflows, sizeof(*fds));
        buf = malloc(MAX_PKT + 1);
        set = fset_create();
        fq  = fqueue_create();
        if (fds == NULL || buf == NULL || set == NULL || fq == NULL) {
                printf("server: out of memory\n");
                return 1;
        }
        for (i = 0; i < MAX_FLOWS; ++i)
                next_seq[i] = -1;

        printf("server: ready\n");
        fflush(stdout);

        for (i = 0; i < nflows; ++i) {
                fds[i] = flow_accept(NULL, NULL);
                /* fds are handed out lowest first, from 64 on */
                CHECK(fds[i], 64 + i);
                if (fds[i] < 0)
                        return report();
                /* Reads after fevent must not block; oversize: -EMSGSIZE */
                CHECK(fccntl(fds[i], FLOWSFLAGS, (uint32_t) (FLOWFDEFAULT |
                             FLOWFRNOBLOCK | FLOWFRNOPART)), 0);
                CHECK(fset_add(set, fds[i]), 0);
        }

        t0 = now_ns();
        while (echoed < total && failed < 10) {
                ssize_t r;
                int     fd;

                r = fevent(set, fq, &t);
                if (r != 1) {
                        CHECK(r, 1);
                        printf("server: no packet for %d s after %ld "
                               "echoes\n", IDLE_TIMEO_MS / 1000, echoed);
                        break;
                }
                while ((fd = fqueue_next(fq)) >= 0) {
                        ssize_t n;

                        if ((int) fqueue_type(fq) != FLOW_PKT)
                                continue;
                        for (;;) {
                                n = flow_read(fd, buf, MAX_PKT);
                                if (n == -EAGAIN)
                                        break;
                                if (n <= 0) {
                                        CHECK(n, -EAGAIN);
                                        break;
                                }
                                if (verify(fd, buf, n) < 0)
                                        break;
                                r = flow_write(fd, buf, (size_t) n);
                                if (r != n) {
                                        CHECK(r, n);
                                        break;
                                }
                                ++echoed;
                                bytes += n;
                        }
                }
        }
        s = (double) (now_ns() - t0) / 1e9;
        CHECK(echoed, total);
        printf("server: echoed %ld packets, %ld bytes on %ld flows in "
               "%.2f s\n", echoed, bytes, nflows, s);

        for (i = 0; i < nflows; ++i) {
                fset_del(set, fds[i]);
                CHECK(flow_dealloc(fds[i]), 0);
        }
        fset_destroy(set);
        fqueue_destroy(fq);
        free(buf);
        free(fds);

        return report();
}
