/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Error numbers beyond the system's; functions return them negated. */

#ifndef OUROBOROS_ERRNO_H
#define OUROBOROS_ERRNO_H

#include <errno.h>

#define ENOTALLOC  1000 /* no allocated flow behind this descriptor */
#define EIPCPTYPE  1001 /* IPCP type not known                      */
#define EIRMD      1002 /* the IRM daemon could not be reached      */
#define EIPCP      1003 /* an IPC process could not be reached      */
#define EIPCPSTATE 1004 /* the target is not in a suitable state    */
#define EFLOWDOWN  1005 /* the flow went down                       */
#define EFLOWPEER  1006 /* the flow's peer stopped answering        */
#define ENAME      1007 /* problem with a name                      */
#define ECRYPT     1008 /* problem with encryption                  */
#ifndef EAUTH            /* some systems (the BSDs) already have it  */
#define EAUTH      1009 /* problem with authentication              */
#endif

#endif /* OUROBOROS_ERRNO_H */
