/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Connection establishment: exchange a conn_info over a flow. */

#ifndef OUROBOROS_CEP_H
#define OUROBOROS_CEP_H

#include <ouroboros/cdefs.h>
#include <ouroboros/proto.h>

#include <stdint.h>

#define OCEP_BUF_STRLEN 128

struct conn_info {
        char                       comp_name[OCEP_BUF_STRLEN + 1];
        char                       protocol[OCEP_BUF_STRLEN + 1];
        uint32_t                   pref_version;
        enum proto_concrete_syntax pref_syntax;
        struct proto_field         fixed_conc_syntax[PROTO_MAX_FIELDS];
        size_t                     num_fields;
        uint64_t                   addr;
};

__BEGIN_DECLS

/* Both return 0, or a negative error number. */
int cep_snd(int fd, const struct conn_info * in);

int cep_rcv(int fd, struct conn_info * out);

__END_DECLS

#endif /* OUROBOROS_CEP_H */
