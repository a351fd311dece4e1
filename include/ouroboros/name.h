/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Names that programs are reachable by, and their policies. */

#ifndef OUROBOROS_NAME_H
#define OUROBOROS_NAME_H

#define NAME_SIZE      255
#define NAME_PATH_SIZE (NAME_SIZE + 256)

/* irm_bind_program() option: start the program when a flow arrives. */
#define BIND_AUTO      0x01

/* How flows for a name are spread over the processes bound to it. */
enum pol_balance {
        LB_RR      = 0, /* round robin             */
        LB_SPILL   = 1, /* fill one process first  */
        LB_INVALID = 2
};

/* Files with the security material of one side of a flow. */
struct name_sec_paths {
        char enc[NAME_PATH_SIZE + 1]; /* encryption settings */
        char key[NAME_PATH_SIZE + 1]; /* private key         */
        char crt[NAME_PATH_SIZE + 1]; /* certificate         */
};

struct name_info {
        char                  name[NAME_SIZE + 1];
        enum pol_balance      pol_lb;
        struct name_sec_paths s; /* used when accepting flows  */
        struct name_sec_paths c; /* used when allocating flows */
};

#endif /* OUROBOROS_NAME_H */
