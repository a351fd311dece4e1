/*
 * ouroboros-rs compat test: the client half of the libouroboros-dev API
 * test (server: api_server.c). Covers dev.h, fccntl.h and fqueue.h: every
 * function on its success path and its documented error paths, with the
 * values upstream Ouroboros 0.23.0 returns (shared/spec/data-plane.md §6,
 * user-surface.md §2.10-2.12).
 *
 * Usage: api_client main <name> <qos> <direct|local> [unserved <name>]
 *                                                     [join <layer>]
 *        api_client peer <name> <qos> <direct|local>
 *
 *   main     argument and error checks without a flow, then a scripted
 *            dialog with api_server over a flow to <name>;
 *   peer     allocates a flow with a 200 ms peer timeout, exchanges one
 *            message and exits without tearing anything down (the server
 *            must see FLOW_PEER);
 *   qos      raw, raw_no_errors, best, video, voice or data;
 *   direct   both ends share a pool (direct IPC); local: the flow goes
 *            through ipcpd-local (some effects are only visible directly);
 *   unserved a name that exists but has no process: flow_alloc gives
 *            -EIPCP;
 *   join     a broadcast layer to join (flow_join's success path).
 *
 * Prints one line per failed check and "client: N checks, M failed".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "compat.h"

#include <unistd.h>

#define DIALOG_TIMEO_MS 20000
#define BIG_WRITE       (2 * 1024 * 1024)

static int       fd = -1;
static int       direct;
static int       frct;
static int       rtx; /* FRCT retransmits: loss 0 */
static qosspec_t want;

/* Reads one packet and checks that it is s. */

/* Everything that can be checked without a flow. */
static void no_flow_checks(void)
{
        char            buf[16] = "x";
        uint32_t        fl;
        fset_t *        sets[32];
        fset_t *        set;
        fqueue_t *      fq;
        struct timespec t = ts_ms(10);
        int             i;

        CHECK(flow_read(-1, buf, sizeof(buf)), -EBADF);
        CHECK(flow_read(4096, buf, sizeof(buf)), -EBADF);
        CHECK(flow_read(10240, buf, sizeof(buf)), -EBADF);
        CHECK(flow_read(0, buf, sizeof(buf)), -ENOTALLOC);
        CHECK(flow_read(63, buf, sizeof(buf)), -ENOTALLOC);
        CHECK(flow_read(64, buf, sizeof(buf)), -ENOTALLOC);
        CHECK(flow_read(4095, buf, sizeof(buf)), -ENOTALLOC);

        /* The buffer is checked before the descriptor. */
        CHECK(flow_write(64, NULL, 1), -EINVAL);
        CHECK(flow_write(-1, NULL, 1), -EINVAL);
        CHECK(flow_write(-1, buf, 1), -EBADF);
        CHECK(flow_write(4096, buf, 1), -EBADF);
        CHECK(flow_write(10240, buf, 1), -EBADF);
        CHECK(flow_write(64, buf, 1), -ENOTALLOC);
        CHECK(flow_write(64, NULL, 0), -ENOTALLOC);
        CHECK(flow_write(4095, buf, 1), -ENOTALLOC);

        /* flow_dealloc says -EINVAL where the others say -EBADF. */
        CHECK(flow_dealloc(-1), -EINVAL);
        CHECK(flow_dealloc(10240), -EINVAL);
        CHECK(flow_dealloc(0), -ENOTALLOC);
        CHECK(flow_dealloc(64), -ENOTALLOC);
        CHECK(flow_dealloc(4095), -ENOTALLOC);

        /* (4096..10239 index past upstream's table: not probed.) */
        CHECK(fccntl(-1, FLOWGFLAGS, &fl), -EBADF);
        CHECK(fccntl(10240, FLOWGFLAGS, &fl), -EBADF);
        CHECK(fccntl(64, FLOWGFLAGS, &fl), -ENOTALLOC);
        CHECK(fccntl(64, FLOWSFLAGS, (uint32_t) FLOWFDEFAULT), -ENOTALLOC);
        CHECK(fccntl(4095, FLOWGFLAGS, &fl), -ENOTALLOC);
        /* Allocation is checked before the command. */
        CHECK(fccntl(64, 12345), -ENOTALLOC);

        set = fset_create();
        fq  = fqueue_create();
        CHECK_TRUE(set != NULL);
        CHECK_TRUE(fq != NULL);
        if (set == NULL || fq == NULL)
                return;

        CHECK(fset_add(NULL, 64), -EINVAL);
        CHECK(fset_add(set, -1), -EINVAL);
        CHECK(fset_add(set, 10240), -EINVAL);
        CHECK(fset_add(set, 64), -EINVAL);
        CHECK(fset_has(NULL, 64), 0);
        CHECK(fset_has(set, -1), 0);
        CHECK(fset_has(set, 10240), 0);
        CHECK(fset_has(set, 64), 0);
        /* These ignore bad arguments; they must not crash. */
        fset_del(NULL, 64);
        fset_del(set, -1);
        fset_del(set, 10240);
        fset_del(set, 64);
        fset_zero(NULL);
        fset_zero(set);
        fset_destroy(NULL);
        fqueue_destroy(NULL);

        CHECK(fqueue_next(NULL), -EINVAL);
        CHECK(fqueue_next(fq), -EPERM);
        CHECK((int) fqueue_type(NULL), -EINVAL);
        CHECK((int) fqueue_type(fq), -EPERM);
        CHECK(fevent(NULL, fq, &t), -EINVAL);
        CHECK(fevent(set, NULL, &t), -EINVAL);
        CHECK(fevent(set, fq, &t), -ETIMEDOUT);
        t = ts_ms(0);
        CHECK(fevent(set, fq, &t), -ETIMEDOUT);

        /* 32 set slots per process, the library holds one. */
        sets[0] = set;
        for (i = 1; i < 31; ++i) {
                sets[i] = fset_create();
                CHECK_TRUE(sets[i] != NULL);
        }
        sets[31] = fset_create();
        CHECK_TRUE(sets[31] == NULL);
        fset_destroy(sets[31]);
        fset_destroy(sets[30]);
        sets[30] = fset_create();
        CHECK_TRUE(sets[30] != NULL);
        for (i = 0; i < 31; ++i)
                fset_destroy(sets[i]);

        fqueue_destroy(fq);
}

/* Allocation errors. */
static void alloc_error_checks(const char * unserved, const char * join)
{
        struct timespec t = ts_ms(5000);
        int             jfd;
        uint32_t        fl = 0;

        CHECK(flow_alloc("dev-api-no-such-name", NULL, &t), -ENAME);
        CHECK(flow_join("dev-api-no-such-layer", &t), -EIPCP);

        /* Not bound to any name: nothing can arrive. */
        t = ts_ms(50);
        CHECK(flow_accept(NULL, &t), -ETIMEDOUT);

        t = ts_ms(10000);
        if (unserved != NULL)
                CHECK(flow_alloc(unserved, NULL, &t), -EIPCP);

        if (join == NULL)
                return;

        jfd = flow_join(join, &t);
        CHECK(jfd, 64);
        if (jfd < 0)
                return;
        CHECK(fccntl(jfd, FLOWGFLAGS, &fl), 0);
        CHECK(fl, FLOWFDEFAULT);
        CHECK(flow_write(jfd, "join", 4), 4);
        CHECK(flow_dealloc(jfd), 0);
        CHECK(flow_write(jfd, "join", 4), -ENOTALLOC);
}

/* fccntl on a fresh flow, before anything was exchanged. */
static void fresh_flow_checks(void)
{
        uint32_t        fl = 0;
        struct timespec s;
        struct timespec g;
        qosspec_t       q;
        size_t          ql;
        uint16_t        cf;

        CHECK(fccntl(fd, FLOWGFLAGS, &fl), 0);
        CHECK(fl, FLOWFDEFAULT);
        CHECK(fl, 020002);
        CHECK(fccntl(fd, FLOWGFLAGS, NULL), -EINVAL);

        CHECK(fccntl(fd, FLOWGRCVTIMEO, &g), -EPERM);
        CHECK(fccntl(fd, FLOWGRCVTIMEO, NULL), -EINVAL);
        CHECK(fccntl(fd, FLOWGSNDTIMEO, &g), -EPERM);
        CHECK(fccntl(fd, FLOWGSNDTIMEO, NULL), -EINVAL);

        s.tv_sec  = 2;
        s.tv_nsec = 500000;
        CHECK(fccntl(fd, FLOWSRCVTIMEO, &s), 0);
        memset(&g, 0, sizeof(g));
        CHECK(fccntl(fd, FLOWGRCVTIMEO, &g), 0);
        CHECK(g.tv_sec, 2);
        CHECK(g.tv_nsec, 500000);
        CHECK(fccntl(fd, FLOWSRCVTIMEO, NULL), 0);
        CHECK(fccntl(fd, FLOWGRCVTIMEO, &g), -EPERM);

        s.tv_sec  = 3;
        s.tv_nsec = 7;
        CHECK(fccntl(fd, FLOWSSNDTIMEO, &s), 0);
        memset(&g, 0, sizeof(g));
        CHECK(fccntl(fd, FLOWGSNDTIMEO, &g), 0);
        CHECK(g.tv_sec, 3);
        CHECK(g.tv_nsec, 7);
        CHECK(fccntl(fd, FLOWSSNDTIMEO, NULL), 0);
        CHECK(fccntl(fd, FLOWGSNDTIMEO, &g), -EPERM);

        memset(&q, 0xa5, sizeof(q));
        CHECK(fccntl(fd, FLOWGQOSSPEC, &q), 0);
        CHECK_TRUE(qos_eq(&q, &want));
        CHECK(fccntl(fd, FLOWGQOSSPEC, NULL), -EINVAL);

        ql = 99;
        CHECK(fccntl(fd, FLOWGRXQLEN, &ql), 0);
        CHECK(ql, 0);
        ql = 99;
        CHECK(fccntl(fd, FLOWGTXQLEN, &ql), 0);
        CHECK(ql, 0);

        CHECK(fccntl(fd, 0), -ENOTSUP);
        CHECK(fccntl(fd, 10), -ENOTSUP);
        CHECK(fccntl(fd, 12345), -ENOTSUP);
        CHECK(fccntl(fd, -1), -ENOTSUP);

        CHECK(fccntl(fd, FRCTGFLAGS, NULL), -EINVAL);
        cf = 0xffff;
        if (!frct) {
                CHECK(fccntl(fd, FRCTGFLAGS, &cf), -EPERM);
                CHECK(cf, 0xffff);
                CHECK(fccntl(fd, FRCTSFLAGS, (uint32_t) FRCTFRTX), -EPERM);
        } else {
                /* RESCNTL always, RTX and LINGER for loss-free QoS. */
                CHECK(fccntl(fd, FRCTGFLAGS, &cf), 0);
                CHECK(cf, want.loss == 0 ? 7 : FRCTFRESCNTL);
        }
}

/* Local checks on the live flow, with nothing queued from the server. */
static void local_flow_checks(void)
{
        char            buf[64];
        uint8_t *       big;
        struct timespec t;

        /* Non-blocking read of an empty flow. */
        set_flags(FLOWFDEFAULT | FLOWFRNOBLOCK);
        CHECK(flow_read(fd, buf, sizeof(buf)), -EAGAIN);
        set_flags(FLOWFDEFAULT | FLOWFNONBLOCK);
        CHECK(flow_read(fd, buf, sizeof(buf)), -EAGAIN);
        set_flags(FLOWFDEFAULT);

        /* Receive timeout. */
        t = ts_ms(1);
        CHECK(fccntl(fd, FLOWSRCVTIMEO, &t), 0);
        CHECK(flow_read(fd, buf, sizeof(buf)), -ETIMEDOUT);
        t = ts_ms(DIALOG_TIMEO_MS);
        CHECK(fccntl(fd, FLOWSRCVTIMEO, &t), 0);

        /* Larger than the largest pool block: nothing is sent. */
        big = calloc(1, BIG_WRITE);
        CHECK_TRUE(big != NULL);
        if (big != NULL) {
                CHECK(flow_write(fd, big, BIG_WRITE), -EMSGSIZE);
                free(big);
        }
        CHECK(flow_write(fd, NULL, 5), -EINVAL);

        /* Access mode read-only (FLOWFRDONLY is 0): writes are refused. */
        set_flags(FLOWFRDONLY);
        CHECK(flow_write(fd, "ro", 2), -EPERM);
        set_flags(FLOWFDEFAULT);

        /* A send timeout does not get in the way of a normal write. */
        t = ts_ms(1000);
        CHECK(fccntl(fd, FLOWSSNDTIMEO, &t), 0);
        send_str("ping 2");
        EXPECT("pong 2");
        CHECK(fccntl(fd, FLOWSSNDTIMEO, NULL), 0);
}

/* The server checks FLOWGRXQLEN, we check FLOWGTXQLEN. */
static void queue_length_dialog(void)
{
        size_t ql = 99;

        send_str("rxq");
        EXPECT("rxq-ready");
        send_str("q1");
        send_str("q2");
        send_str("q3");
        CHECK(fccntl(fd, FLOWGTXQLEN, &ql), 0);
        if (direct)  /* our tx ring is the server's rx ring */
                CHECK(ql, 3);
        else         /* the IPCP drains it */
                CHECK_TRUE(ql <= 3);
        send_str("go");
        EXPECT("rxq-done");
}

/* fset/fqueue on both sides, FLOW_DOWN and FLOW_UP. */
static void event_dialog(void)
{
        fset_t *        set;
        fqueue_t *      fq;
        char            buf[64];

        send_str("events");
        EXPECT("events-ready");
        send_str("e1");
        EXPECT("e1-ok");

        set = fset_create();
        fq  = fqueue_create();
        CHECK_TRUE(set != NULL && fq != NULL);
        if (set == NULL || fq == NULL)
                return;
        CHECK(fset_add(set, fd), 0);
        CHECK(fset_has(set, fd), 1);

        /* Marking the flow down stops both directions at once. */
        set_flags(FLOWFDEFAULT | FLOWFDOWN);
        CHECK(flow_read(fd, buf, sizeof(buf)), -EFLOWDOWN);
        /* flow_write drops the packet and reports success (upstream). */
        CHECK(flow_write(fd, "lost", 4), 4);

        if (direct) {
                /*
                 * The server answers with FLOW_UP, which also lifts ours
                 * (the FLOW_PKT of "e1-ok" may trail into the set first).
                 */
                CHECK(wait_event(set, fq, fd, DIALOG_TIMEO_MS), FLOW_UP);
                set_flags(FLOWFDEFAULT);
                /* the server's dropped "x", resent in order */
                if (rtx)
                        EXPECT("x");
                EXPECT("up-ok");
        } else {
                set_flags(FLOWFDEFAULT);
                send_str("ping 3");
                EXPECT("pong 3");
        }

        fset_del(set, fd);
        CHECK(fset_has(set, fd), 0);
        fset_destroy(set);
        fqueue_destroy(fq);
}

static void main_dialog(void)
{
        send_str("ping 1");
        EXPECT("pong 1");

        /* Partial reads on the server: 4 of 10 bytes, 0, next packet. */
        send_str("partial");
        send_str("0123456789");
        send_str("after");
        send_str("ABCDEFGH");
        send_str("after2");
        EXPECT("partial-done");

        /* FLOWFRNOPART: -EMSGSIZE and the packet is gone. */
        send_str("nopart");
        send_str("0123456789");
        send_str("after");
        send_str("ABCDEFGH");
        send_str("after2");
        EXPECT("nopart-done");

        local_flow_checks();

        /* Zero-length packets are sent but never read. */
        send_str("zero");
        CHECK(flow_write(fd, NULL, 0), 0);
        CHECK(flow_write(fd, "x", 0), 0);
        send_str("after-zero");
        EXPECT("zero-done");

        /* FRCT flows move packets out of the ring behind our back. */
        if (!frct)
                queue_length_dialog();

        event_dialog();

        send_str("bye");
        EXPECT("bye-ok");
}

/* A second flow, with FRCT, for its flags only (no data). */
static void frct_flow_checks(const char * name)
{
        qosspec_t       qs = qos_data;
        qosspec_t       w  = qos_data;
        struct timespec t  = ts_ms(10000);
        uint16_t        cf = 0;
        int             f;

        w.ber = 1;
        f = flow_alloc(name, &qs, &t);
        /* The lowest free descriptor: 64 is still in use. */
        CHECK(f, 65);
        if (f < 0)
                return;
        CHECK_TRUE(qos_eq(&qs, &w));
        CHECK(fccntl(f, FRCTGFLAGS, NULL), -EINVAL);
        CHECK(fccntl(f, FRCTGFLAGS, &cf), 0);
        CHECK(cf, FRCTFRTX | FRCTFRESCNTL | FRCTFLINGER);
        /* Upstream keeps FRCTFRTX and clears the rest, whatever is asked
         * (data-plane.md 6.8, upstream defect a drop-in reproduces). */
        CHECK(fccntl(f, FRCTSFLAGS, (uint32_t) (FRCTFRESCNTL | FRCTFLINGER)),
              0);
        CHECK(fccntl(f, FRCTGFLAGS, &cf), 0);
        CHECK(cf, FRCTFRTX);
        CHECK(fccntl(f, FRCTSFLAGS, (uint32_t) 0), 0);
        CHECK(fccntl(f, FRCTGFLAGS, &cf), 0);
        CHECK(cf, FRCTFRTX);
        CHECK(flow_dealloc(f), 0);
}

static int alloc_flow(const char * name, qosspec_t qs)
{
        struct timespec t = ts_ms(10000);

        qs.ber = 0; /* overwritten with 1 by the library (QOS_DISABLE_CRC) */
        fd = flow_alloc(name, &qs, &t);
        CHECK(fd, 64);
        if (fd < 0)
                return -1;
        CHECK(qs.ber, 1);
        CHECK_TRUE(qos_eq(&qs, &want));
        return 0;
}

static int usage(void)
{
        printf("usage: api_client main|peer <name> <qos> direct|local "
               "[unserved <name>] [join <layer>]\n");
        return 2;
}

int main(int argc, char ** argv)
{
        const char * unserved = NULL;
        const char * join     = NULL;
        qosspec_t    qs;
        int          peer;
        int          i;

        who = "client";

        if (argc < 5 || qos_by_name(argv[3], &qs) < 0)
                return usage();
        peer   = strcmp(argv[1], "peer") == 0;
        direct = strcmp(argv[4], "direct") == 0;
        if (!peer && strcmp(argv[1], "main") != 0)
                return usage();
        for (i = 5; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "unserved") == 0)
                        unserved = argv[i + 1];
                else if (strcmp(argv[i], "join") == 0)
                        join = argv[i + 1];
                else
                        return usage();
        }
        if (i != argc)
                return usage();

        if (peer)
                qs.timeout = 200;
        want     = qs;
        want.ber = 1;
        frct     = qs.in_order != 0;
        rtx      = frct && qs.loss == 0;

        if (peer) {
                struct timespec t = ts_ms(DIALOG_TIMEO_MS);

                if (alloc_flow(argv[2], qs) < 0)
                        return report();
                CHECK(fccntl(fd, FLOWSRCVTIMEO, &t), 0);
                send_str("peer");
                EXPECT("peer-ok");
                report();
                /* Vanish without flow_dealloc or the library's exit. */
                _exit(failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
        }

        no_flow_checks();
        alloc_error_checks(unserved, join);

        if (alloc_flow(argv[2], qs) < 0)
                return report();

        fresh_flow_checks();
        {
                struct timespec t = ts_ms(DIALOG_TIMEO_MS);

                CHECK(fccntl(fd, FLOWSRCVTIMEO, &t), 0);
        }

        main_dialog();
        frct_flow_checks(argv[2]);

        CHECK(flow_dealloc(fd), 0);
        after_dealloc_checks(fd);

        return report();
}
