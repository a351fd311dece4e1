/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Waiting for events on sets of flows (libouroboros-dev). */

#ifndef OUROBOROS_FQUEUE_H
#define OUROBOROS_FQUEUE_H

#include <ouroboros/cdefs.h>

#include <stdbool.h>
#include <time.h>
/* Not in upstream's header, which needs ssize_t declared beforehand. */
#include <sys/types.h>

/* What happened to a flow. */
enum fqtype {
        FLOW_PKT     = (1 << 0), /* a packet arrived          */
        FLOW_DOWN    = (1 << 1), /* the flow went down        */
        FLOW_UP      = (1 << 2), /* the flow came back up     */
        FLOW_ALLOC   = (1 << 3), /* the flow was allocated    */
        FLOW_DEALLOC = (1 << 4), /* the flow was deallocated  */
        FLOW_PEER    = (1 << 5)  /* the peer stopped replying */
};

struct flow_set;
struct fqueue;

typedef struct flow_set fset_t;
typedef struct fqueue   fqueue_t;

__BEGIN_DECLS

fset_t *    fset_create(void);

void        fset_destroy(fset_t * set);

fqueue_t *  fqueue_create(void);

void        fqueue_destroy(struct fqueue * fq);

void        fset_zero(fset_t * set);

int         fset_add(fset_t * set, int fd);

bool        fset_has(const fset_t * set, int fd);

void        fset_del(fset_t * set, int fd);

/* Next flow with an event, -EPERM when none is left. */
int         fqueue_next(fqueue_t * fq);

/* The event of the flow fqueue_next() returned last. */
enum fqtype fqueue_type(fqueue_t * fq);

/* Waits for events on the flows of set; 1, or a negative error number. */
ssize_t     fevent(fset_t * set, fqueue_t * fq,
                   const struct timespec * timeo);

__END_DECLS

#endif /* OUROBOROS_FQUEUE_H */
