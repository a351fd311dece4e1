/*
 * ouroboros-rs compat test: every function of <ouroboros/irm.h>, with its
 * success and documented error paths, checked against the values upstream
 * Ouroboros 0.23.0 returns.
 *
 * Usage: irm_api            (an IRMd is running, nothing else is set up)
 *        irm_api --no-irmd  (no IRMd: every call that gets past its
 *                            argument checks must return -EIRMD)
 *
 * Prints one line per failed check and exits 1 if any failed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _POSIX_C_SOURCE 200809L

#include <ouroboros/errno.h>
#include <ouroboros/irm.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NO_PID    999999 /* no such process in a fresh pid namespace */
#define IPCP_NAME "irm-api-ipcp"
#define LAYER     "irm-api-layer"
#define NAME      "irm-api-name"
#define PROG_NAME "irm-api-prog"
#define AUTO_NAME "irm-api-auto"
#define PATH_NAME "irm-api-path"

static int checks;
static int failed;

static void check(long got, long want, const char * what, int line)
{
        ++checks;
        if (got == want)
                return;
        ++failed;
        printf("FAIL line %d: %s: got %ld, want %ld\n", line, what, got, want);
}

#define CHECK(expr, want) check((long) (expr), (long) (want), #expr, __LINE__)

static char long_name[NAME_SIZE + 2]; /* NAME_SIZE + 1 characters */

/* The entry for name in a fresh list; its pid, or -1 if absent. */
static pid_t find_ipcp(const char * name, struct ipcp_list_info * out)
{
        struct ipcp_list_info * list = (void *) &list; /* must be reset */
        ssize_t                 n;
        ssize_t                 i;
        pid_t                   pid = -1;

        n = irm_list_ipcps(&list);
        CHECK(n >= 0, 1);
        if (n <= 0) {
                CHECK(list == NULL, 1);
                return -1;
        }
        for (i = 0; i < n; ++i) {
                if (strcmp(list[i].name, name) == 0) {
                        pid = list[i].pid;
                        if (out != NULL)
                                *out = list[i];
                }
        }
        free(list);
        return pid;
}

/* The pol_lb of name in a fresh list of names, or -1 if absent. */
static int find_name(const char * name, size_t * len)
{
        struct name_info * list = (void *) &list;
        ssize_t            n;
        ssize_t            i;
        int                pol = -1;

        n = irm_list_names(&list);
        CHECK(n >= 0, 1);
        if (n <= 0) {
                CHECK(list == NULL, 1);
                return -1;
        }
        for (i = 0; i < n; ++i) {
                /* a listed name is cut, so compare by prefix when asked */
                size_t l = strlen(list[i].name);
                if (len != NULL ? strncmp(list[i].name, name, l) == 0
                                : strcmp(list[i].name, name) == 0) {
                        pol = list[i].pol_lb;
                        if (len != NULL)
                                *len = l;
                }
        }
        free(list);
        return pol;
}

static struct name_info name_info(const char * name, enum pol_balance pol)
{
        struct name_info info;

        memset(&info, 0, sizeof(info));
        strcpy(info.name, name);
        info.pol_lb = pol;
        return info;
}

/* Checks made before anything is sent: the same with or without IRMd. */
static void argument_checks(void)
{
        struct ipcp_config conf = local_default_conf;
        char *             argv[] = { "-c", "true" };

        CHECK(irm_create_ipcp(NULL, IPCP_LOCAL), -EINVAL);
        CHECK(irm_create_ipcp(long_name, IPCP_LOCAL), -EINVAL);
        CHECK(irm_destroy_ipcp(-1), -EINVAL);
        CHECK(irm_destroy_ipcp(-42), -EINVAL);
        CHECK(irm_list_ipcps(NULL), -EINVAL);
        CHECK(irm_enroll_ipcp(-1, "x"), -EINVAL);
        CHECK(irm_enroll_ipcp(NO_PID, NULL), -EINVAL);
        CHECK(irm_bootstrap_ipcp(-1, &conf), -EINVAL);
        CHECK(irm_bootstrap_ipcp(NO_PID, NULL), -EINVAL);
        CHECK(irm_bind_program(NULL, NAME, 0, 0, NULL), -EINVAL);
        CHECK(irm_bind_program("/bin/sh", NULL, 0, 2, argv), -EINVAL);
        CHECK(irm_unbind_program("sh", NULL), -EINVAL);
        CHECK(irm_unbind_program(NULL, NULL), -EINVAL);
        CHECK(irm_bind_process(getpid(), NULL), -EINVAL);
        CHECK(irm_unbind_process(getpid(), NULL), -EINVAL);
        CHECK(irm_create_name(NULL), -EINVAL);
        CHECK(irm_destroy_name(NULL), -EINVAL);
        CHECK(irm_list_names(NULL), -EINVAL);
        CHECK(irm_reg_name(NULL, NO_PID), -EINVAL);
        CHECK(irm_unreg_name(NULL, NO_PID), -EINVAL);
}

/* Program resolution happens on the client, before the IRMd is asked. */
static void program_resolution(void)
{
        char path[64];
        int  fd;

        CHECK(irm_bind_program("/nonexistent/prog", NAME, 0, 0, NULL),
              -ENOENT);

        snprintf(path, sizeof(path), "/tmp/irm-api-noexec-%d", getpid());
        fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        CHECK(fd >= 0, 1);
        if (fd >= 0)
                close(fd);
        CHECK(irm_bind_program(path, NAME, 0, 0, NULL), -EPERM);
        unlink(path);

        /* upstream writes into the PATH string: set a fresh one each time */
        CHECK(setenv("PATH", "relative/bin:/bin", 1), 0);
        CHECK(irm_bind_program("sh", NAME, 0, 0, NULL), -EINVAL);
        CHECK(setenv("PATH", "/nonexistent", 1), 0);
        CHECK(irm_bind_program("sh", NAME, 0, 0, NULL), -ENOENT);
}

/* Without an IRMd every request fails with -EIRMD. */
static void without_irmd(void)
{
        struct ipcp_list_info * ipcps = (void *) &ipcps;
        struct name_info *      names = (void *) &names;
        struct name_info        info  = name_info(NAME, LB_RR);
        struct ipcp_config      conf  = local_default_conf;

        CHECK(irm_create_ipcp(IPCP_NAME, IPCP_LOCAL), -EIRMD);
        CHECK(irm_destroy_ipcp(NO_PID), -EIRMD);
        CHECK(irm_list_ipcps(&ipcps), -EIRMD);
        CHECK(ipcps == NULL, 1);
        CHECK(irm_enroll_ipcp(NO_PID, "x"), -EIRMD);
        CHECK(irm_bootstrap_ipcp(NO_PID, &conf), -EIRMD);
        CHECK(irm_connect_ipcp(NO_PID, "x", DT_COMP, qos_raw), -EIRMD);
        CHECK(irm_disconnect_ipcp(NO_PID, "x", DT_COMP), -EIRMD);
        CHECK(irm_bind_program("/bin/sh", NAME, 0, 0, NULL), -EIRMD);
        CHECK(irm_unbind_program("sh", NAME), -EIRMD);
        CHECK(irm_bind_process(getpid(), NAME), -EIRMD);
        CHECK(irm_unbind_process(getpid(), NAME), -EIRMD);
        CHECK(irm_create_name(&info), -EIRMD);
        CHECK(irm_destroy_name(NAME), -EIRMD);
        CHECK(irm_list_names(&names), -EIRMD);
        CHECK(names == NULL, 1);
        CHECK(irm_reg_name(NAME, NO_PID), -EIRMD);
        CHECK(irm_unreg_name(NAME, NO_PID), -EIRMD);
}

static pid_t ipcps(void)
{
        struct ipcp_list_info entry;
        struct ipcp_config    conf = local_default_conf;
        pid_t                 pid;

        CHECK(find_ipcp(IPCP_NAME, NULL), -1);
        CHECK(irm_create_ipcp(IPCP_NAME, IPCP_INVALID), -1);
        /* success is 0, not the pid */
        CHECK(irm_create_ipcp(IPCP_NAME, IPCP_LOCAL), 0);

        pid = find_ipcp(IPCP_NAME, &entry);
        CHECK(pid > 0, 1);
        CHECK(entry.type, IPCP_LOCAL);
        CHECK(strcmp(entry.layer, "Not enrolled."), 0);

        strcpy(conf.layer_info.name, LAYER);
        CHECK(irm_bootstrap_ipcp(NO_PID, &conf), -1);
        CHECK(irm_bootstrap_ipcp(pid, &conf), 0);
        CHECK(irm_bootstrap_ipcp(pid, &conf), -1); /* wrong state */
        CHECK(find_ipcp(IPCP_NAME, &entry), pid);
        CHECK(strcmp(entry.layer, LAYER), 0);

        /* a local IPCP cannot enroll, connect or disconnect */
        CHECK(irm_enroll_ipcp(NO_PID, LAYER), -1);
        CHECK(irm_enroll_ipcp(pid, "irm-api-nobody"), -1);
        CHECK(irm_connect_ipcp(NO_PID, "irm-api-peer", DT_COMP, qos_raw),
              -EIPCP);
        CHECK(irm_connect_ipcp(pid, "irm-api-peer", MGMT_COMP, qos_data),
              -EIPCP);
        CHECK(irm_connect_ipcp(pid, NULL, NULL, qos_raw), -EIPCP);
        CHECK(irm_disconnect_ipcp(NO_PID, "irm-api-peer", DT_COMP), -EIPCP);
        CHECK(irm_disconnect_ipcp(pid, "irm-api-peer", DT_COMP), -EIPCP);
        CHECK(irm_disconnect_ipcp(pid, NULL, NULL), -EIPCP);

        return pid;
}

static void names(pid_t ipcp)
{
        struct name_info info = name_info(NAME, LB_RR);
        size_t           len  = 0;

        CHECK(find_name(NAME, NULL), -1);
        CHECK(irm_create_name(&info), 0);
        info.pol_lb = LB_SPILL;
        CHECK(irm_create_name(&info), 0); /* exists: left unchanged */
        CHECK(find_name(NAME, NULL), LB_RR);

        CHECK(irm_reg_name(NAME, ipcp), 0);
        CHECK(irm_reg_name(NAME, ipcp), 0);
        CHECK(irm_reg_name("irm-api-unknown", ipcp), -ENAME);
        CHECK(irm_reg_name(NAME, NO_PID), -EIPCP);
        CHECK(irm_unreg_name(NAME, ipcp), 0);
        CHECK(irm_unreg_name(NAME, ipcp), 0);
        CHECK(irm_unreg_name("irm-api-unknown", ipcp), -ENAME);
        CHECK(irm_unreg_name(NAME, NO_PID), -EIPCP);

        /* this process links no libouroboros-dev: it is not announced */
        CHECK(irm_bind_process(getpid(), NAME), -1);
        CHECK(irm_unbind_process(getpid(), NAME), -1);

        CHECK(irm_destroy_name(NAME), 0);
        CHECK(irm_destroy_name(NAME), -1);
        CHECK(find_name(NAME, NULL), -1);

        /* a name of NAME_SIZE characters is listed cut to NAME_SIZE - 1 */
        info = name_info(long_name + 1, LB_SPILL);
        CHECK(strlen(info.name), NAME_SIZE);
        CHECK(irm_create_name(&info), 0);
        CHECK(find_name(info.name, &len), LB_SPILL);
        CHECK(len, NAME_SIZE - 1);
        CHECK(irm_destroy_name(info.name), 0);
}

static void programs(void)
{
        char * argv[] = { "-c", "exit 0" };

        CHECK(irm_bind_program("/bin/sh", PROG_NAME, 0, 0, NULL), 0);
        CHECK(find_name(PROG_NAME, NULL), LB_SPILL); /* created by bind */
        CHECK(irm_bind_program("/bin/sh", PROG_NAME, 0, 0, NULL), -1);
        CHECK(irm_unbind_program(NULL, PROG_NAME), -EINVAL); /* IRMd */
        CHECK(irm_unbind_program("sh", PROG_NAME), 0); /* by basename */
        CHECK(irm_unbind_program("sh", PROG_NAME), -1);
        CHECK(irm_unbind_program("sh", "irm-api-unknown"), -1);
        CHECK(irm_destroy_name(PROG_NAME), 0);

        CHECK(irm_bind_program("/bin/sh", AUTO_NAME, BIND_AUTO, 2, argv), 0);
        CHECK(find_name(AUTO_NAME, NULL), LB_SPILL);
        CHECK(irm_unbind_program("sh", AUTO_NAME), 0);
        CHECK(irm_destroy_name(AUTO_NAME), 0);

        CHECK(setenv("PATH", "/nonexistent:/bin:/usr/bin", 1), 0);
        CHECK(irm_bind_program("sh", PATH_NAME, 0, 0, NULL), 0);
        CHECK(irm_unbind_program("sh", PATH_NAME), 0);
        CHECK(irm_destroy_name(PATH_NAME), 0);
}

int main(int argc, char ** argv)
{
        pid_t pid;

        memset(long_name, 'n', NAME_SIZE + 1);

        argument_checks();
        program_resolution();

        if (argc > 1 && strcmp(argv[1], "--no-irmd") == 0) {
                without_irmd();
        } else {
                pid = ipcps();
                names(pid);
                programs();
                CHECK(irm_destroy_ipcp(pid), 0);
                CHECK(find_ipcp(IPCP_NAME, NULL), -1);
                CHECK(irm_destroy_ipcp(NO_PID), -1);
        }

        printf("irm_api: %d checks, %d failed\n", checks, failed);

        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
