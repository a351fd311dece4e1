/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Flow control operations (libouroboros-dev). */

#ifndef OUROBOROS_FCCNTL_H
#define OUROBOROS_FCCNTL_H

#include <ouroboros/cdefs.h>

#include <sys/time.h>

/* Flow flags; the access modes have the values of fcntl.h's O_*. */
#define FLOWFRDONLY   00000000
#define FLOWFWRONLY   00000001
#define FLOWFRDWR     00000002
#define FLOWFACCMODE  00000003 /* mask of the access mode bits */
#define FLOWFDOWN     00000004 /* set while the flow is down   */
#define FLOWFRNOBLOCK 00001000 /* reads do not block           */
#define FLOWFWNOBLOCK 00002000 /* writes do not block          */
#define FLOWFNONBLOCK (FLOWFRNOBLOCK | FLOWFWNOBLOCK)
#define FLOWFRNOPART  00010000 /* no partial reads             */
#define FLOWFWNOPART  00020000 /* no partial writes            */
#define FLOWFDEFAULT  (FLOWFRDWR | FLOWFWNOPART)
#define FLOWFINVALID  (FLOWFWRONLY | FLOWFRDWR)

/* Flags of the flow's reliable transport (FRCT). */
#define FRCTFRTX      00000001 /* retransmit lost packets     */
#define FRCTFRESCNTL  00000002 /* receiver-driven flow control */
#define FRCTFLINGER   00000004 /* deliver what is left on close */

/* fccntl() commands: S sets, G gets. */
#define FLOWSRCVTIMEO 00000001 /* struct timespec *            */
#define FLOWGRCVTIMEO 00000002 /* struct timespec *            */
#define FLOWSSNDTIMEO 00000003 /* struct timespec *            */
#define FLOWGSNDTIMEO 00000004 /* struct timespec *            */
#define FLOWGQOSSPEC  00000005 /* qosspec_t *                  */
#define FLOWSFLAGS    00000006 /* uint32_t                     */
#define FLOWGFLAGS    00000007 /* uint32_t *                   */
#define FLOWGRXQLEN   00000010 /* size_t *: packets to read    */
#define FLOWGTXQLEN   00000011 /* size_t *: packets to send    */
#define FRCTSFLAGS    00001000 /* uint16_t                     */
#define FRCTGFLAGS    00002000 /* uint16_t *                   */

__BEGIN_DECLS

/* Returns 0 or a negative error number. */
int fccntl(int fd, int cmd, ...);

__END_DECLS

#endif /* OUROBOROS_FCCNTL_H */
