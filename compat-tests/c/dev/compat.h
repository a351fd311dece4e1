/*
 * ouroboros-rs compat tests for libouroboros-dev: helpers shared by the
 * client and server programs in this directory (checks, QoS names, packet
 * patterns, clocks). Written for this project; not derived from upstream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef COMPAT_DEV_H
#define COMPAT_DEV_H

#define _POSIX_C_SOURCE 200809L

/* dev.h first: upstream's fqueue.h needs ssize_t declared beforehand. */
#include <ouroboros/dev.h>
#include <ouroboros/errno.h>
#include <ouroboros/fccntl.h>
#include <ouroboros/fqueue.h>
#include <ouroboros/qos.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char * who = "?";
static int          checks;
static int          failed;

static inline void check(long got, long want, const char * what, int line)
{
        ++checks;
        if (got == want)
                return;
        ++failed;
        printf("%s: FAIL line %d: %s: got %ld, want %ld\n",
               who, line, what, got, want);
        fflush(stdout);
}

/* Integer (or error code) result of an expression against its expectation. */
#define CHECK(expr, want) check((long) (expr), (long) (want), #expr, __LINE__)
/* A condition that must hold. */
#define CHECK_TRUE(cond) check((long) !!(cond), 1L, #cond, __LINE__)

/* Prints the final line and gives the exit status. */
static inline int report(void)
{
        printf("%s: %d checks, %d failed\n", who, checks, failed);
        fflush(stdout);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static inline void note(const char * fmt, const char * arg)
{
        printf("%s: ", who);
        printf(fmt, arg);
        printf("\n");
        fflush(stdout);
}

/* QoS specs by name, as the tools spell them. */
static inline int qos_by_name(const char * name, qosspec_t * qs)
{
        if (strcmp(name, "raw") == 0)
                *qs = qos_raw;
        else if (strcmp(name, "raw_no_errors") == 0)
                *qs = qos_raw_no_errors;
        else if (strcmp(name, "best") == 0)
                *qs = qos_best_effort;
        else if (strcmp(name, "video") == 0)
                *qs = qos_video;
        else if (strcmp(name, "voice") == 0)
                *qs = qos_voice;
        else if (strcmp(name, "data") == 0)
                *qs = qos_data;
        else
                return -1;
        return 0;
}

static inline int qos_eq(const qosspec_t * a, const qosspec_t * b)
{
        return a->delay == b->delay && a->bandwidth == b->bandwidth &&
                a->availability == b->availability && a->loss == b->loss &&
                a->ber == b->ber && a->in_order == b->in_order &&
                a->max_gap == b->max_gap && a->timeout == b->timeout;
}

static inline struct timespec ts_ms(long ms)
{
        struct timespec t;

        t.tv_sec  = ms / 1000;
        t.tv_nsec = (ms % 1000) * 1000000L;
        return t;
}

static inline uint64_t now_ns(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t) t.tv_sec * 1000000000ULL + (uint64_t) t.tv_nsec;
}

static inline void sleep_ms(long ms)
{
        struct timespec t = ts_ms(ms);

        nanosleep(&t, NULL);
}

/* Writes the string s (without its NUL) as one packet on fd. */
static inline void send_str_on(int fd, const char * s, int line)
{
        check((long) flow_write(fd, s, strlen(s)), (long) strlen(s),
              "flow_write", line);
}

/* Reads one packet from fd and checks that it is the string s. */
static inline void expect_on(int fd, const char * s, int line)
{
        char    buf[256];
        ssize_t n;

        n = flow_read(fd, buf, sizeof(buf) - 1);
        ++checks;
        if (n == (ssize_t) strlen(s) && memcmp(buf, s, (size_t) n) == 0)
                return;
        ++failed;
        if (n >= 0) {
                buf[n] = '\0';
                printf("%s: FAIL line %d: expected \"%s\", read %zd bytes "
                       "\"%s\"\n", who, line, s, n, buf);
        } else {
                printf("%s: FAIL line %d: expected \"%s\", flow_read "
                       "returned %zd\n", who, line, s, n);
        }
        fflush(stdout);
}

/* FLOWSFLAGS, then FLOWGFLAGS must give the same flags back. */
static inline void set_flags_on(int fd, uint32_t flags, int line)
{
        uint32_t got = 0;

        check(fccntl(fd, FLOWSFLAGS, flags), 0, "FLOWSFLAGS", line);
        check(fccntl(fd, FLOWGFLAGS, &got), 0, "FLOWGFLAGS", line);
        check((long) got, (long) flags, "flags read back", line);
}

/* What every call says about fd once it was deallocated. */
static inline void after_dealloc_checks(int fd)
{
        char     buf[8];
        uint32_t fl;
        fset_t * set;

        CHECK(flow_read(fd, buf, sizeof(buf)), -ENOTALLOC);
        CHECK(flow_write(fd, "x", 1), -ENOTALLOC);
        CHECK(fccntl(fd, FLOWGFLAGS, &fl), -ENOTALLOC);
        CHECK(fccntl(fd, 12345), -ENOTALLOC);
        CHECK(flow_dealloc(fd), -ENOTALLOC);

        set = fset_create();
        CHECK_TRUE(set != NULL);
        CHECK(fset_add(set, fd), -EINVAL);
        CHECK(fset_has(set, fd), 0);
        fset_destroy(set);
}

/* The dialog helpers on the program's flow, fd. */
#define send_str(s)   send_str_on(fd, s, __LINE__)
#define EXPECT(s)     expect_on(fd, s, __LINE__)
#define set_flags(fl) set_flags_on(fd, fl, __LINE__)

/*
 * Waits up to ms for an event other than FLOW_PKT on flow fd, the only
 * flow in set, and returns its type (or a negative error). Packets that
 * FLOW_PKT announces are read and dropped (a note is printed for any that
 * is not empty). Leaves fd's receive timeout at ms.
 */
static inline int wait_event(fset_t * set, fqueue_t * fq, int fd, long ms)
{
        struct timespec t;
        uint64_t        end = now_ns() + (uint64_t) ms * 1000000;
        uint64_t        now;
        ssize_t         r;
        int             f;
        int             type;
        char            buf[2048];

        while ((now = now_ns()) < end) {
                t = ts_ms((long) ((end - now) / 1000000) + 1);
                r = fevent(set, fq, &t);
                if (r != 1)
                        return (int) r;
                while ((f = fqueue_next(fq)) >= 0) {
                        CHECK(f, fd);
                        type = (int) fqueue_type(fq);
                        if (type != FLOW_PKT)
                                return type;
                        t = ts_ms(0);
                        fccntl(fd, FLOWSRCVTIMEO, &t);
                        while ((r = flow_read(fd, buf, sizeof(buf))) >= 0)
                                if (r > 0)
                                        printf("%s: dropped a %zd-byte "
                                               "packet waiting for an "
                                               "event\n", who, r);
                        t = ts_ms(ms);
                        fccntl(fd, FLOWSRCVTIMEO, &t);
                }
        }
        return -ETIMEDOUT;
}

/*
 * Bulk packets: packet seq has size pkt_size(seq), cycling through every
 * size 1 .. MAX_PKT (65536 B) once per 65536 packets in a scattered order.
 * Packets of 4 bytes or more carry seq big-endian in their first 4 bytes;
 * every other byte is a function of seq and its position.
 */
#define MAX_PKT 65536

static inline size_t pkt_size(uint32_t seq)
{
        return 1 + (size_t) ((seq * 40503u) % MAX_PKT);
}

static inline uint8_t pkt_byte(uint32_t seq, size_t j)
{
        return (uint8_t) (seq * 131u + (uint32_t) j * 7u + (uint32_t) (j >> 8));
}

static inline void pkt_fill(uint8_t * buf, size_t len, uint32_t seq)
{
        size_t j;

        for (j = 0; j < len; ++j)
                buf[j] = pkt_byte(seq, j);
        if (len >= 4) {
                buf[0] = (uint8_t) (seq >> 24);
                buf[1] = (uint8_t) (seq >> 16);
                buf[2] = (uint8_t) (seq >> 8);
                buf[3] = (uint8_t) seq;
        }
}

/* The seq a packet carries, or dflt for packets shorter than 4 bytes. */
static inline uint32_t pkt_seq(const uint8_t * buf, size_t len,
                               uint32_t dflt)
{
        if (len < 4)
                return dflt;
        return (uint32_t) buf[0] << 24 | (uint32_t) buf[1] << 16 |
                (uint32_t) buf[2] << 8 | (uint32_t) buf[3];
}

/* Index of the first byte that does not match seq's pattern, or -1. */
static inline long pkt_bad_byte(const uint8_t * buf, size_t len, uint32_t seq)
{
        size_t j;

        for (j = len >= 4 ? 4 : 0; j < len; ++j)
                if (buf[j] != pkt_byte(seq, j))
                        return (long) j;
        return -1;
}

#endif /* COMPAT_DEV_H */
