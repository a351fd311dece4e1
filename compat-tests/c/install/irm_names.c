/*
 * Built by compat-tests/tests/install.rs with the installed CMake package
 * (Ouroboros::ouroboros-irm) and run against the installed irmd: creates
 * a name and a local IPCP (which the irmd starts from the install), finds
 * both in the listings, and removes them again.
 */

#define _GNU_SOURCE

#include <ouroboros/irm.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_name(const char * name)
{
        struct name_info * names = NULL;
        ssize_t            n;
        ssize_t            i;
        int                found = 0;

        n = irm_list_names(&names);
        if (n < 0)
                return (int) n;
        for (i = 0; i < n; i++)
                if (strcmp(names[i].name, name) == 0)
                        found = 1;
        free(names);

        return found;
}

static pid_t ipcp_pid(const char * name)
{
        struct ipcp_list_info * ipcps = NULL;
        ssize_t                 n;
        ssize_t                 i;
        pid_t                   pid = 0;

        n = irm_list_ipcps(&ipcps);
        if (n < 0)
                return (pid_t) n;
        for (i = 0; i < n; i++)
                if (strcmp(ipcps[i].name, name) == 0 && ipcps[i].type == IPCP_LOCAL)
                        pid = ipcps[i].pid;
        free(ipcps);

        return pid;
}

int main(int argc, char ** argv)
{
        struct name_info info;
        Dl_info          dl;
        pid_t            pid;

        if (argc != 3) {
                printf("usage: irm_names <name> <ipcp name>\n");
                return 2;
        }

        if (dladdr((void *) irm_create_name, &dl) != 0)
                printf("library %s\n", dl.dli_fname);

        memset(&info, 0, sizeof(info));
        strcpy(info.name, argv[1]);
        info.pol_lb = LB_RR;
        if (irm_create_name(&info) < 0 || has_name(argv[1]) != 1) {
                printf("name not created\n");
                return 1;
        }
        printf("name %s created\n", argv[1]);

        if (irm_create_ipcp(argv[2], IPCP_LOCAL) < 0) {
                printf("irm_create_ipcp failed\n");
                return 1;
        }
        pid = ipcp_pid(argv[2]);
        if (pid <= 0) {
                printf("ipcp not listed\n");
                return 1;
        }
        printf("ipcp %s running\n", argv[2]);

        if (irm_destroy_ipcp(pid) < 0 || ipcp_pid(argv[2]) != 0) {
                printf("ipcp not destroyed\n");
                return 1;
        }
        if (irm_destroy_name(argv[1]) < 0 || has_name(argv[1]) != 0) {
                printf("name not destroyed\n");
                return 1;
        }
        printf("cleaned up\n");

        return 0;
}
