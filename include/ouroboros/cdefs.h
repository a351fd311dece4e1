/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* C/C++ linkage brackets for the declarations in the other headers. */

#ifndef OUROBOROS_CDEFS_H
#define OUROBOROS_CDEFS_H

#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif

#endif /* OUROBOROS_CDEFS_H */
