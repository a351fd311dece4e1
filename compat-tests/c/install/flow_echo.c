/*
 * Built by compat-tests/tests/install.rs against an installed
 * ouroboros-rs, once with pkg-config and once with CMake, and run against
 * the installed daemons.
 *
 *   flow_echo server         accepts one flow and echoes its packets
 *                            until the client deallocates it
 *   flow_echo client <name>  sends a message to <name>, checks the echo
 *
 * Both first print the file they took libouroboros-dev from.
 */

#define _GNU_SOURCE

#include <ouroboros/dev.h>
#include <ouroboros/errno.h>
#include <ouroboros/fccntl.h>
#include <ouroboros/version.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static void library(void)
{
        Dl_info dl;

        if (dladdr((void *) flow_alloc, &dl) != 0)
                printf("library %s\n", dl.dli_fname);
        fflush(stdout);
}

static int server(void)
{
        char    buf[256];
        ssize_t n;
        int     fd;

        fd = flow_accept(NULL, NULL);
        if (fd < 0) {
                printf("flow_accept: %d\n", fd);
                return 1;
        }
        printf("accepted\n");
        fflush(stdout);

        while ((n = flow_read(fd, buf, sizeof(buf))) >= 0) {
                if (n > 0 && flow_write(fd, buf, n) != n) {
                        printf("flow_write failed\n");
                        return 1;
                }
        }
        printf("flow_read: %zd\n", n);
        flow_dealloc(fd);

        return n == -EFLOWDOWN ? 0 : 1;
}

static int client(const char * name)
{
        struct timespec timeo = { 20, 0 };
        const char *    msg   = "hello from " OUROBOROS_VERSION_STRING;
        char            buf[256];
        ssize_t         n;
        int             fd;

        fd = flow_alloc(name, NULL, &timeo);
        if (fd < 0) {
                printf("flow_alloc: %d\n", fd);
                return 1;
        }
        if (fccntl(fd, FLOWSRCVTIMEO, &timeo) < 0) {
                printf("fccntl failed\n");
                return 1;
        }
        if (flow_write(fd, msg, strlen(msg)) != (ssize_t) strlen(msg)) {
                printf("flow_write failed\n");
                return 1;
        }
        n = flow_read(fd, buf, sizeof(buf));
        if (n < 0) {
                printf("flow_read: %zd\n", n);
                return 1;
        }
        printf("echo: %.*s\n", (int) n, buf);
        if (flow_dealloc(fd) < 0) {
                printf("flow_dealloc failed\n");
                return 1;
        }

        return (size_t) n == strlen(msg) && memcmp(buf, msg, n) == 0 ? 0 : 1;
}

int main(int argc, char ** argv)
{
        library();

        if (argc == 2 && strcmp(argv[1], "server") == 0)
                return server();
        if (argc == 3 && strcmp(argv[1], "client") == 0)
                return client(argv[2]);

        printf("usage: flow_echo server | flow_echo client <name>\n");
        return 2;
}
