/*
 * Smoke test client (tests/c_smoke.rs): allocates a flow to "x", looks at
 * it with fccntl, exchanges connection information and a few packets
 * (waiting with fevent), cancels threads waiting in fevent and flow_read
 * (as upstream's tools stop their threads), and deallocates. Prints
 * "PASS" at the end, or the first failed check and exits 1.
 */

#define _GNU_SOURCE

#include <ouroboros/dev.h>
#include <ouroboros/fccntl.h>
#include <ouroboros/fqueue.h>
#include <ouroboros/cep.h>
#include <ouroboros/errno.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACKETS 8

#define CHECK(cond) do {                                                  \
                if (!(cond)) {                                            \
                        printf("FAIL line %d: %s\n", __LINE__, #cond);    \
                        exit(1);                                          \
                }                                                         \
        } while (0)

static const struct timespec wait_limit = { 20, 0 };

struct waiter {
        int        fd;
        fset_t *   set;
        fqueue_t * fq;
};

static void * wait_event(void * o)
{
        struct waiter * w = o;

        fevent(w->set, w->fq, &wait_limit);

        return NULL;
}

static void * wait_read(void * o)
{
        struct waiter * w = o;
        char            buf[16];

        flow_read(w->fd, buf, sizeof(buf));

        return NULL;
}

/* A thread waiting in the library ends when cancelled (within the limit). */
static void cancel_waiting(void * (* fn)(void *), struct waiter * w)
{
        struct timespec pause = { 0, 100 * 1000 * 1000 };
        pthread_t       t;
        void *          ret;

        CHECK(pthread_create(&t, NULL, fn, w) == 0);
        nanosleep(&pause, NULL);
        CHECK(pthread_cancel(t) == 0);
        CHECK(pthread_join(t, &ret) == 0);
        CHECK(ret == PTHREAD_CANCELED);
}

int main(void)
{
        char             out[1500];
        char             in[2048];
        struct conn_info info;
        struct timespec  t;
        qosspec_t        qs = qos_raw;
        Dl_info          dl;
        fset_t *         set;
        fqueue_t *       fq;
        struct waiter    w;
        uint32_t         flags;
        size_t           qlen;
        ssize_t          n;
        int              fd;
        int              i;

        if (dladdr((void *) flow_alloc, &dl) != 0)
                printf("library %s\n", dl.dli_fname);

        qs.ber = 0;
        fd = flow_alloc("x", &qs, &wait_limit);
        printf("flow_alloc: %d\n", fd);
        CHECK(fd >= 64);
        /* the library asks for no CRC in the caller's struct */
        CHECK(qs.ber == 1);

        CHECK(fccntl(fd, FLOWGFLAGS, &flags) == 0);
        CHECK(flags == FLOWFDEFAULT);
        CHECK(fccntl(fd, FLOWGRCVTIMEO, &t) == -EPERM);
        /* a bound on every read below, against hangs */
        CHECK(fccntl(fd, FLOWSRCVTIMEO, &wait_limit) == 0);
        CHECK(fccntl(fd, FLOWGRCVTIMEO, &t) == 0);
        CHECK(t.tv_sec == wait_limit.tv_sec && t.tv_nsec == 0);
        CHECK(fccntl(fd, FLOWSFLAGS, FLOWFRDWR | FLOWFRNOPART) == 0);
        CHECK(fccntl(fd, FLOWGFLAGS, &flags) == 0);
        CHECK(flags == (FLOWFRDWR | FLOWFRNOPART));
        CHECK(fccntl(fd, FLOWGQOSSPEC, NULL) == -EINVAL);
        CHECK(fccntl(fd, 0777) == -ENOTSUP);
        CHECK(fccntl(fd + 1, FLOWGFLAGS, &flags) == -ENOTALLOC);

        memset(&info, 0, sizeof(info));
        strcpy(info.comp_name, "smoke");
        strcpy(info.protocol, "test");
        info.pref_version = 3;
        info.pref_syntax  = PROTO_FIXED;
        info.addr         = 41;
        CHECK(cep_snd(fd, &info) == 0);
        memset(&info, 0, sizeof(info));
        CHECK(cep_rcv(fd, &info) == 0);
        CHECK(strcmp(info.comp_name, "server") == 0);
        CHECK(strcmp(info.protocol, "test") == 0);
        CHECK(info.pref_version == 3);
        CHECK(info.pref_syntax == PROTO_FIXED);
        CHECK(info.addr == 42);

        set = fset_create();
        fq  = fqueue_create();
        CHECK(set != NULL && fq != NULL);
        CHECK(fset_add(set, fd) == 0);
        CHECK(fset_has(set, fd));
        CHECK(fset_add(set, fd) == -EPERM);

        for (i = 0; i < PACKETS; ++i) {
                size_t len = 1 + (size_t) i * 187;
                size_t j;

                for (j = 0; j < len; ++j)
                        out[j] = (char) (i * 31 + j);
                CHECK(flow_write(fd, out, len) == (ssize_t) len);
                CHECK(fevent(set, fq, &wait_limit) == 1);
                CHECK(fqueue_next(fq) == fd);
                CHECK(fqueue_type(fq) == FLOW_PKT);
                n = flow_read(fd, in, sizeof(in));
                CHECK(n == (ssize_t) len);
                CHECK(memcmp(in, out, len) == 0);
        }
        printf("%d packets echoed\n", PACKETS);

        CHECK(fccntl(fd, FLOWGRXQLEN, &qlen) == 0);
        CHECK(qlen == 0);

        /* a set without flows: fevent waits until the limit */
        w.fd  = fd;
        w.set = fset_create();
        w.fq  = fqueue_create();
        CHECK(w.set != NULL && w.fq != NULL);
        cancel_waiting(wait_event, &w);
        cancel_waiting(wait_read, &w);
        fset_destroy(w.set);
        fqueue_destroy(w.fq);
        printf("waiting threads cancelled\n");

        /* nothing stayed locked */
        CHECK(flow_write(fd, "again", 5) == 5);
        CHECK(fevent(set, fq, &wait_limit) == 1);
        CHECK(fqueue_next(fq) == fd);
        CHECK(flow_read(fd, in, sizeof(in)) == 5);
        CHECK(memcmp(in, "again", 5) == 0);

        fset_del(set, fd);
        CHECK(!fset_has(set, fd));
        fset_destroy(set);
        fqueue_destroy(fq);

        CHECK(flow_dealloc(fd) == 0);
        CHECK(flow_read(fd, in, sizeof(in)) == -ENOTALLOC);
        CHECK(flow_write(fd, NULL, 1) == -EINVAL);

        printf("PASS\n");

        return 0;
}
