/*
 * ouroboros-rs compat test: bulk client for echo_server.c. Sends <packets>
 * packets over one flow, one at a time, with sizes cycling through 1 B ..
 * 64 KiB and contents derived from the sequence number (compat.h), and
 * checks every echo byte for byte. Echoes are awaited with fevent, as the
 * upstream tools do, then read without blocking.
 *
 * Usage: bulk_client <name> <qos> <packets>
 *
 * Prints one line per failed check, the transfer rate and
 * "client: N checks, M failed".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compat.h"

#define ECHO_TIMEO_MS 10000

int main(int argc, char ** argv)
{
        qosspec_t       qs;
        long            count;
        long            seq;
        long            bytes = 0;
        int             fd;
        uint8_t *       sbuf;
        uint8_t *       rbuf;
        fset_t *        set;
        fqueue_t *      fq;
        struct timespec t = ts_ms(10000);
        uint64_t        t0;
        double          s;

        who = "client";

        if (argc != 4 || qos_by_name(argv[2], &qs) < 0 ||
            (count = atol(argv[3])) < 1) {
                printf("usage: bulk_client <name> <qos> <packets>\n");
                return 2;
        }

        sbuf = malloc(MAX_PKT);
        rbuf = malloc(MAX_PKT);
        set  = fset_create();
        fq   = fqueue_create();
        if (sbuf == NULL || rbuf == NULL || set == NULL || fq == NULL) {
                printf("client: out of memory\n");
                return 1;
        }

        fd = flow_alloc(argv[1], &qs, &t);
        CHECK_TRUE(fd >= 64);
        if (fd < 0)
                return report();
        CHECK(fccntl(fd, FLOWSFLAGS, (uint32_t) (FLOWFDEFAULT |
                     FLOWFRNOBLOCK | FLOWFRNOPART)), 0);
        CHECK(fset_add(set, fd), 0);

        t  = ts_ms(ECHO_TIMEO_MS);
        t0 = now_ns();
        for (seq = 0; seq < count && failed < 10; ++seq) {
                size_t  len = pkt_size((uint32_t) seq);
                ssize_t n;

                pkt_fill(sbuf, len, (uint32_t) seq);
                n = flow_write(fd, sbuf, len);
                if (n != (ssize_t) len) {
                        CHECK(n, len);
                        break;
                }
                /* Wait for an event first: it keeps the fqueue drained. */
                do {
                        ssize_t r = fevent(set, fq, &t);

                        if (r != 1) {
                                CHECK(r, 1);
                                printf("client: no echo of packet %ld\n",
                                       seq);
                                goto out;
                        }
                        while (fqueue_next(fq) >= 0)
                                ;
                        n = flow_read(fd, rbuf, MAX_PKT);
                } while (n == -EAGAIN);
                if (n != (ssize_t) len || memcmp(sbuf, rbuf, len) != 0) {
                        CHECK(n, len);
                        CHECK_TRUE(n < 0 || memcmp(sbuf, rbuf, len) == 0);
                        printf("client: bad echo of packet %ld (%zu B): "
                               "got %zd B, seq %u\n", seq, len, n,
                               n > 0 ? pkt_seq(rbuf, (size_t) n, 0) : 0);
                        continue;
                }
                ++checks;
                bytes += (long) len;
        }
 out:
        s = (double) (now_ns() - t0) / 1e9;
        CHECK(seq, count);
        printf("client: %ld packets, %ld bytes echoed in %.2f s "
               "(%.0f packets/s, %.1f Mb/s each way)\n", seq, bytes, s,
               seq / s, bytes * 8 / s / 1e6);

        fset_del(set, fd);
        CHECK(flow_dealloc(fd), 0);
        fset_destroy(set);
        fqueue_destroy(fq);
        free(sbuf);
        free(rbuf);

        return report();
}
