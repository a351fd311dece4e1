/*
 * ouroboros-rs compat test: the server half of the libouroboros-dev API
 * test (client: api_client.c). It accepts one flow and then follows the
 * client's commands, checking on its side: flow_accept, partial and
 * no-partial reads, zero-length packets, FLOWGRXQLEN, fset/fqueue/fevent,
 * FLOW_PKT/FLOW_DOWN/FLOW_UP/FLOW_DEALLOC/FLOW_PEER, reads after the peer
 * left, and -ENOTALLOC after flow_dealloc.
 *
 * Usage: api_server main|peer <qos> direct|local
 *   (the same scenario, QoS and mode as the client; the program must be
 *   bound to the client's name, e.g. with "irm bind program").
 *
 * Prints "server: ready" before it accepts, one line per failed check and
 * "server: N checks, M failed".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compat.h"

#include <unistd.h>

#define DIALOG_TIMEO_MS 20000

static int       fd = -1;
static int       direct;
static int       frct;
static int       rtx; /* FRCT retransmits: loss 0 */
static qosspec_t want;

static void set_rcv_timeo(long ms)
{
        struct timespec t = ts_ms(ms);

        CHECK(fccntl(fd, FLOWSRCVTIMEO, &t), 0);
}

static void partial_cmd(void)
{
        char b[64];

        memset(b, 0, sizeof(b));
        CHECK(flow_read(fd, b, 4), 4);
        CHECK(memcmp(b, "0123", 4), 0);
        /* The end of the packet; its remaining 6 bytes are dropped. */
        CHECK(flow_read(fd, b, sizeof(b)), 0);
        EXPECT("after");
        /* Exactly the buffer size: the next read marks the end. */
        CHECK(flow_read(fd, b, 8), 8);
        CHECK(memcmp(b, "ABCDEFGH", 8), 0);
        CHECK(flow_read(fd, b, sizeof(b)), 0);
        EXPECT("after2");
        send_str("partial-done");
}

static void nopart_cmd(void)
{
        char b[64];

        set_flags(FLOWFDEFAULT | FLOWFRNOPART);
        CHECK(flow_read(fd, b, 4), -EMSGSIZE);
        EXPECT("after");
        CHECK(flow_read(fd, b, 8), 8);
        CHECK(memcmp(b, "ABCDEFGH", 8), 0);
        EXPECT("after2");
        set_flags(FLOWFDEFAULT);
        send_str("nopart-done");
}

static void rxq_cmd(void)
{
        size_t   ql  = 0;
        uint64_t end = now_ns() + 10000000000ULL;

        send_str("rxq-ready");
        /* q1, q2, q3 and go: wait until all four are queued */
        while (fccntl(fd, FLOWGRXQLEN, &ql) == 0 && ql < 4 && now_ns() < end)
                sleep_ms(1);
        CHECK(ql, 4);
        EXPECT("q1");
        EXPECT("q2");
        EXPECT("q3");
        EXPECT("go");
        ql = 99;
        CHECK(fccntl(fd, FLOWGRXQLEN, &ql), 0);
        CHECK(ql, 0);
        CHECK(fccntl(fd, FLOWGTXQLEN, &ql), 0);
        send_str("rxq-done");
}

/* The client marks the flow down, we bring it up again. */
static void down_up(fset_t * set, fqueue_t * fq)
{
        uint64_t        end = now_ns() + 10000000000ULL;
        char            b[64];
        ssize_t         n;

        CHECK(wait_event(set, fq, fd, DIALOG_TIMEO_MS), FLOW_DOWN);

        /* The peer notifies before it sets the ring flags: wait for them. */
        set_rcv_timeo(10);
        do
                n = flow_read(fd, b, sizeof(b));
        while (n == -ETIMEDOUT && now_ns() < end);
        CHECK(n, -EFLOWDOWN);
        set_rcv_timeo(DIALOG_TIMEO_MS);

        /*
         * Dropped, the client's ring is down; still reported as sent (a
         * retransmitting flow resends it once the ring is up).
         */
        CHECK(flow_write(fd, "x", 1), 1);

        /*
         * Give the client time to see its own ring down first: this call
         * lifts it again (its checks would race with us otherwise).
         */
        {
                struct timespec d = ts_ms(200);

                nanosleep(&d, NULL);
        }

        /* Clears FLOWDOWN on both rings, FLOW_UP to the client. */
        set_flags(FLOWFDEFAULT);

        CHECK(wait_event(set, fq, fd, DIALOG_TIMEO_MS), FLOW_UP);
        send_str("up-ok");
}

static fset_t *   set;
static fqueue_t * fq;

static void events_cmd(void)
{
        fset_t *        set2;
        fqueue_t *      fq2;
        struct timespec t10 = ts_ms(10);
        struct timespec t   = ts_ms(DIALOG_TIMEO_MS);
        char            b[64];
        ssize_t         n   = -ETIMEDOUT;
        int             i;
        int             f;

        set  = fset_create();
        set2 = fset_create();
        fq   = fqueue_create();
        fq2  = fqueue_create();
        CHECK_TRUE(set != NULL && set2 != NULL && fq != NULL && fq2 != NULL);
        if (set == NULL || set2 == NULL || fq == NULL || fq2 == NULL)
                exit(report());

        CHECK(fset_add(set, fd), 0);
        /* A flow is in one set at a time, this one included. */
        CHECK(fset_add(set, fd), -EPERM);
        CHECK(fset_add(set2, fd), -EPERM);
        CHECK(fset_has(set, fd), 1);
        CHECK(fset_has(set2, fd), 0);
        CHECK(fevent(set2, fq2, &t10), -ETIMEDOUT);
        send_str("events-ready");

        /*
         * The writer notifies after it filled the ring, so the FLOW_PKT of
         * "events", which we read before the flow was in the set, may
         * still land here: one stale FLOW_PKT at most, then e1's.
         */
        set_rcv_timeo(0);
        for (i = 0; i < 2 && n == -ETIMEDOUT; ++i) {
                CHECK(fevent(set, fq, &t), 1);
                while ((f = fqueue_next(fq)) >= 0) {
                        CHECK(f, fd);
                        CHECK((int) fqueue_type(fq), FLOW_PKT);
                }
                CHECK(f, -EPERM);
                /* still the type of the last event returned */
                CHECK((int) fqueue_type(fq), FLOW_PKT);
                n = flow_read(fd, b, sizeof(b));
        }
        set_rcv_timeo(DIALOG_TIMEO_MS);
        CHECK(n, 2);
        CHECK(memcmp(b, "e1", 2), 0);
        /*
         * If the first pass took the stale event and e1 was already there,
         * e1's own announcement is still queued: one more, never two.
         */
        if (i == 1 && fevent(set, fq, &t10) == 1) {
                while ((f = fqueue_next(fq)) >= 0) {
                        CHECK(f, fd);
                        CHECK((int) fqueue_type(fq), FLOW_PKT);
                }
        }
        /* Now every packet sent was announced: nothing more. */
        CHECK(fevent(set, fq, &t10), -ETIMEDOUT);

        fset_del(set, fd);
        CHECK(fset_has(set, fd), 0);
        CHECK(fset_add(set2, fd), 0);
        CHECK(fset_has(set2, fd), 1);
        fset_zero(set2);
        CHECK(fset_has(set2, fd), 0);
        fset_destroy(set2);
        fqueue_destroy(fq2);
        CHECK(fset_add(set, fd), 0);
        send_str("e1-ok");

        /* FLOW_DOWN/FLOW_UP go to the peer's set: the IPCP when local. */
        if (direct)
                down_up(set, fq);
        /* A retransmitting flow resends what the client wrote while down. */
        if (rtx)
                EXPECT("lost");
}

/* The client's second flow, with FRCT: flags only. */
static void frct_flow(void)
{
        qosspec_t       w  = qos_data;
        qosspec_t       qs;
        struct timespec t  = ts_ms(DIALOG_TIMEO_MS);
        uint16_t        cf = 0;
        int             f;

        w.ber = 1;
        f = flow_accept(NULL, &t);
        CHECK(f, 65);
        if (f < 0)
                return;
        CHECK(fccntl(f, FLOWGQOSSPEC, &qs), 0);
        CHECK_TRUE(qos_eq(&qs, &w));
        CHECK(fccntl(f, FRCTGFLAGS, &cf), 0);
        CHECK(cf, FRCTFRTX | FRCTFRESCNTL | FRCTFLINGER);
        CHECK(flow_dealloc(f), 0);
}

/* The client deallocated after "bye-ok" (and its FRCT flow). */
static void peer_gone(void)
{
        char b[64];

        /*
         * Over ipcpd-local nothing tells this end: upstream's IPCP tears
         * down only the deallocating side (no FLOW_DEALLOC here, reads
         * time out), so these checks are for direct flows.
         */
        if (direct) {
                CHECK(wait_event(set, fq, fd, DIALOG_TIMEO_MS),
                      FLOW_DEALLOC);
                CHECK(flow_read(fd, b, sizeof(b)), -EFLOWDOWN);
        }
        /* Dropped (direct) or taken by the IPCP; reported as sent. */
        CHECK(flow_write(fd, "late", 4), 4);
}

static void command_loop(void)
{
        char    buf[256];
        ssize_t n;
        int     done = 0;

        while (!done) {
                n = flow_read(fd, buf, sizeof(buf) - 1);
                if (n < 0) {
                        CHECK(n, 0);
                        note("no command, giving up%s", "");
                        return;
                }
                buf[n] = '\0';
                if (strncmp(buf, "ping ", 5) == 0) {
                        char reply[sizeof(buf) + 8];

                        snprintf(reply, sizeof(reply), "pong %s", buf + 5);
                        send_str(reply);
                } else if (strcmp(buf, "partial") == 0) {
                        partial_cmd();
                } else if (strcmp(buf, "nopart") == 0) {
                        nopart_cmd();
                } else if (strcmp(buf, "zero") == 0) {
                        EXPECT("after-zero");
                        send_str("zero-done");
                } else if (strcmp(buf, "rxq") == 0) {
                        rxq_cmd();
                } else if (strcmp(buf, "events") == 0) {
                        events_cmd();
                } else if (strcmp(buf, "bye") == 0) {
                        send_str("bye-ok");
                        frct_flow();
                        done = 1;
                } else {
                        CHECK_TRUE(!"known command");
                        note("unknown command \"%s\"", buf);
                        return;
                }
        }

        peer_gone();
}

/* The client exits without tearing down: keepalives stop, FLOW_PEER. */
static void peer_scenario(void)
{
        char b[64];

        EXPECT("peer");
        set = fset_create();
        fq  = fqueue_create();
        CHECK_TRUE(set != NULL && fq != NULL);
        if (set == NULL || fq == NULL)
                return;
        CHECK(fset_add(set, fd), 0);
        send_str("peer-ok");
        CHECK(wait_event(set, fq, fd, DIALOG_TIMEO_MS), FLOW_PEER);
        CHECK(flow_read(fd, b, sizeof(b)), -EFLOWPEER);
        /*
         * No flow_dealloc: upstream's waits without a deadline until the
         * peer has read our tx ring, and over a direct flow that ring
         * holds the keepalives nobody will read (data-plane.md Appendix).
         */
}

int main(int argc, char ** argv)
{
        qosspec_t qs;
        uint32_t  fl = 0;
        uint16_t  cf = 0;
        int       peer;

        who = "server";

        if (argc != 4 || qos_by_name(argv[2], &want) < 0) {
                printf("usage: api_server main|peer <qos> direct|local\n");
                return 2;
        }
        peer   = strcmp(argv[1], "peer") == 0;
        direct = strcmp(argv[3], "direct") == 0;
        if (peer)
                want.timeout = 200;
        want.ber = 1;
        frct     = want.in_order != 0;
        rtx      = frct && want.loss == 0;

        printf("server: ready\n");
        fflush(stdout);

        /* What we ask for is ignored: the flow has the client's QoS. */
        qs     = qos_voice;
        qs.ber = 0;
        fd = flow_accept(&qs, NULL);
        CHECK(fd, 64);
        if (fd < 0)
                return report();
        CHECK(qs.ber, 1);
        CHECK_TRUE(qos_eq(&qs, &want));

        CHECK(fccntl(fd, FLOWGFLAGS, &fl), 0);
        CHECK(fl, FLOWFDEFAULT);
        memset(&qs, 0, sizeof(qs));
        CHECK(fccntl(fd, FLOWGQOSSPEC, &qs), 0);
        CHECK_TRUE(qos_eq(&qs, &want));
        if (frct) {
                CHECK(fccntl(fd, FRCTGFLAGS, &cf), 0);
                CHECK(cf, want.loss == 0 ? 7 : FRCTFRESCNTL);
        } else {
                CHECK(fccntl(fd, FRCTGFLAGS, &cf), -EPERM);
        }
        set_rcv_timeo(DIALOG_TIMEO_MS);

        if (peer) {
                peer_scenario();
                return report();
        }

        command_loop();

        if (set != NULL) {
                fset_del(set, fd);
                fset_destroy(set);
        }
        fqueue_destroy(fq);

        CHECK(flow_dealloc(fd), 0);
        after_dealloc_checks(fd);

        return report();
}
