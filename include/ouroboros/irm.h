/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Managing IPCPs, names and bindings (libouroboros-irm). */

#ifndef OUROBOROS_IRM_H
#define OUROBOROS_IRM_H

#include <ouroboros/cdefs.h>
#include <ouroboros/ipcp.h>
#include <ouroboros/name.h>
#include <ouroboros/qos.h>

#include <sys/types.h>

/* One entry of irm_list_ipcps(). */
struct ipcp_list_info {
        pid_t          pid;
        enum ipcp_type type;
        char           name[NAME_SIZE];        /* NUL-terminated */
        char           layer[LAYER_NAME_SIZE]; /* NUL-terminated */
};

__BEGIN_DECLS

/*
 * All calls return 0 (the list calls: a count) on success, or a negative
 * error number; -EIRMD when the IRMd cannot be reached.
 */

/* Returns 0, not the pid: find the new IPCP with irm_list_ipcps(). */
pid_t   irm_create_ipcp(const char * name, enum ipcp_type type);

int     irm_destroy_ipcp(pid_t pid);

/* *ipcps becomes a malloc()ed array for the caller to free(), or NULL. */
ssize_t irm_list_ipcps(struct ipcp_list_info ** ipcps);

int     irm_enroll_ipcp(pid_t pid, const char * dst);

int     irm_bootstrap_ipcp(pid_t pid, const struct ipcp_config * conf);

/*
 * The second argument is taken as the peer to connect to and the third
 * as the component (DT_COMP, MGMT_COMP), whatever the names below say.
 */
int     irm_connect_ipcp(pid_t pid, const char * component,
                         const char * dst, qosspec_t qs);

int     irm_disconnect_ipcp(pid_t pid, const char * component,
                            const char * dst);

/* argv[0..argc-1] are passed to the program when the IRMd starts it. */
int     irm_bind_program(const char * prog, const char * name,
                         uint16_t opts, int argc, char ** argv);

int     irm_unbind_program(const char * progr, const char * name);

int     irm_bind_process(pid_t pid, const char * name);

int     irm_unbind_process(pid_t pid, const char * name);

int     irm_create_name(struct name_info * info);

int     irm_destroy_name(const char * name);

/* Only name and pol_lb of each entry are filled in. */
ssize_t irm_list_names(struct name_info ** names);

int     irm_reg_name(const char * name, pid_t pid);

int     irm_unreg_name(const char * name, pid_t pid);

__END_DECLS

#endif /* OUROBOROS_IRM_H */
