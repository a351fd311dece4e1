/*
 * Smoke test server (tests/c_smoke.rs): accepts one flow, answers one
 * connection-information message, echoes packets until the client
 * deallocates, and reports what it saw on stdout.
 */

#define _GNU_SOURCE

#include <ouroboros/dev.h>
#include <ouroboros/cep.h>
#include <ouroboros/errno.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
        char             buf[2048];
        struct conn_info info;
        qosspec_t        qs = qos_raw;
        Dl_info          dl;
        ssize_t          n;
        int              fd;
        int              ret;
        int              echoed = 0;

        /* each line as it happens: the test may have to kill us */
        setvbuf(stdout, NULL, _IOLBF, 0);

        if (dladdr((void *) flow_accept, &dl) != 0)
                printf("library %s\n", dl.dli_fname);

        fd = flow_accept(&qs, NULL);
        if (fd < 0) {
                printf("flow_accept: %d\n", fd);
                return 1;
        }
        printf("accepted fd %d\n", fd);

        memset(&info, 0, sizeof(info));
        ret = cep_rcv(fd, &info);
        if (ret < 0) {
                printf("cep_rcv: %d\n", ret);
                return 1;
        }
        printf("cep %s %s %u %u %llu\n", info.comp_name, info.protocol,
               info.pref_version, (unsigned) info.pref_syntax,
               (unsigned long long) info.addr);

        strcpy(info.comp_name, "server");
        info.addr += 1;
        ret = cep_snd(fd, &info);
        if (ret < 0) {
                printf("cep_snd: %d\n", ret);
                return 1;
        }

        while ((n = flow_read(fd, buf, sizeof(buf))) > 0) {
                if (flow_write(fd, buf, n) != n) {
                        printf("flow_write failed\n");
                        return 1;
                }
                ++echoed;
        }

        printf("echoed %d, then flow_read: %zd\n", echoed, n);
        printf("flow_dealloc: %d\n", flow_dealloc(fd));

        return 0;
}
