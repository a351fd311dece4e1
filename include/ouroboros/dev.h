/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Flows between applications (libouroboros-dev). */

#ifndef OUROBOROS_DEV_H
#define OUROBOROS_DEV_H

#include <ouroboros/cdefs.h>
#include <ouroboros/qos.h>

#include <unistd.h>
#include <time.h>

__BEGIN_DECLS

/*
 * Allocation calls return a flow descriptor or a negative error number.
 * A non-NULL qs receives the QoS granted; a NULL timeo waits forever.
 */
int     flow_alloc(const char * dst_name, qosspec_t * qs,
                   const struct timespec * timeo);

int     flow_accept(qosspec_t * qs, const struct timespec * timeo);

/* Joins the broadcast layer bc. */
int     flow_join(const char * bc, const struct timespec * timeo);

int     flow_dealloc(int fd);

ssize_t flow_write(int fd, const void * buf, size_t count);

ssize_t flow_read(int fd, void * buf, size_t count);

__END_DECLS

#endif /* OUROBOROS_DEV_H */
