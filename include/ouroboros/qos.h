/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* Quality of service a flow asks for, and the usual cubes. */

#ifndef OUROBOROS_QOS_H
#define OUROBOROS_QOS_H

#include <stdint.h>
#include <stdbool.h>

/* Peer timeout of the predefined specs, in milliseconds. */
#define DEFAULT_PEER_TIMEOUT 120000

typedef struct qos_spec {
        uint32_t delay;        /* milliseconds                          */
        uint64_t bandwidth;    /* bits per second                       */
        uint8_t  availability; /* number of nines                       */
        uint32_t loss;         /* packets that may be lost              */
        uint32_t ber;          /* bit errors per 10^9 bits              */
        uint8_t  in_order;     /* deliver in order (turns on FRCT)      */
        uint32_t max_gap;      /* milliseconds                          */
        uint32_t timeout;      /* peer timeout in ms, 0 for none        */
} qosspec_t;

/* Unreliable, unordered, corruption allowed. */
static const qosspec_t qos_raw = {
        .delay = UINT32_MAX, .bandwidth = 0, .availability = 0,
        .loss = 1, .ber = 1, .in_order = 0, .max_gap = UINT32_MAX,
        .timeout = DEFAULT_PEER_TIMEOUT
};

/* Like qos_raw, without bit errors. */
static const qosspec_t qos_raw_no_errors = {
        .delay = UINT32_MAX, .bandwidth = 0, .availability = 0,
        .loss = 1, .ber = 0, .in_order = 0, .max_gap = UINT32_MAX,
        .timeout = DEFAULT_PEER_TIMEOUT
};

/* In order, without bit errors, no other bounds. */
static const qosspec_t qos_best_effort = {
        .delay = UINT32_MAX, .bandwidth = 0, .availability = 0,
        .loss = 1, .ber = 0, .in_order = 1, .max_gap = UINT32_MAX,
        .timeout = DEFAULT_PEER_TIMEOUT
};

static const qosspec_t qos_video = {
        .delay = 100, .bandwidth = UINT64_MAX, .availability = 3,
        .loss = 1, .ber = 0, .in_order = 1, .max_gap = 100,
        .timeout = DEFAULT_PEER_TIMEOUT
};

static const qosspec_t qos_voice = {
        .delay = 50, .bandwidth = 100000, .availability = 5,
        .loss = 1, .ber = 0, .in_order = 1, .max_gap = 50,
        .timeout = DEFAULT_PEER_TIMEOUT
};

/* Reliable: nothing lost, in order. */
static const qosspec_t qos_data = {
        .delay = 1000, .bandwidth = 0, .availability = 0,
        .loss = 0, .ber = 0, .in_order = 1, .max_gap = 2000,
        .timeout = DEFAULT_PEER_TIMEOUT
};

#endif /* OUROBOROS_QOS_H */
