/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Description of a protocol's concrete syntax, used by cep.h. */

#ifndef OUROBOROS_PROTO_H
#define OUROBOROS_PROTO_H

#include <sys/types.h>

#define PROTO_FIELD_ABSENT   -1
#define PROTO_FIELD_VARIABLE 0
#define PROTO_MAX_FIELDS     128

enum proto_concrete_syntax {
        PROTO_GPB   = 0,
        PROTO_ASN_1 = 1,
        PROTO_FIXED = 2
};

struct proto_field {
        size_t  fid; /* which field                         */
        ssize_t len; /* its length; 0: variable, -1: absent */
};

#endif /* OUROBOROS_PROTO_H */
