/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Version of the Ouroboros API these headers provide. */

#ifndef OUROBOROS_VERSION_H
#define OUROBOROS_VERSION_H

#define OUROBOROS_VERSION_MAJOR 0
#define OUROBOROS_VERSION_MINOR 23
#define OUROBOROS_VERSION_PATCH 0
#define OUROBOROS_VERSION_STRING "0.23.0"

#endif /* OUROBOROS_VERSION_H */
