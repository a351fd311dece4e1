/* ouroboros-rs: API-compatible with Ouroboros 0.23.0.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/* IPC processes: types, states, policies and bootstrap configurations. */

#ifndef OUROBOROS_IPCP_H
#define OUROBOROS_IPCP_H

#include <stdint.h>
#include <unistd.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/types.h>

#define IPCP_NAME_SIZE  255
#define LAYER_NAME_SIZE 255
#define DEV_NAME_SIZE   255

enum ipcp_state {
        IPCP_NULL         = 0,
        IPCP_INIT         = 1,
        IPCP_BOOT         = 2,
        IPCP_BOOTSTRAPPED = 3,
        IPCP_ENROLLED     = 4,
        IPCP_OPERATIONAL  = 5,
        IPCP_SHUTDOWN     = 6
};

/* Lower values are preferred when the IRMd picks an IPCP for a flow. */
enum ipcp_type {
        IPCP_LOCAL     = 0,
        IPCP_UNICAST   = 1,
        IPCP_BROADCAST = 2,
        IPCP_ETH_LLC   = 3,
        IPCP_ETH_DIX   = 4,
        IPCP_UDP4      = 5,
        IPCP_UDP6      = 6,
        IPCP_INVALID   = 7
};

struct ipcp_info {
        enum ipcp_type  type;
        pid_t           pid;
        char            name[IPCP_NAME_SIZE + 1];
        enum ipcp_state state;
};

/* Components of a unicast IPCP that can be connected to a peer. */
#define DT_COMP   "Data Transfer"
#define MGMT_COMP "Management"

/* Address assignment in a unicast layer. */
enum pol_addr_auth {
        ADDR_AUTH_FLAT_RANDOM = 0,
        ADDR_AUTH_INVALID     = 1
};

/* Link-state routing variants. */
enum pol_link_state {
        LS_SIMPLE  = 0,
        LS_LFA     = 1, /* loop-free alternates */
        LS_ECMP    = 2, /* equal-cost multipath */
        LS_INVALID = 3
};

/* Link-state timers, all in seconds. */
struct ls_config {
        enum pol_link_state pol;
        time_t              t_recalc; /* forwarding table recomputation */
        time_t              t_update; /* interval between updates       */
        time_t              t_timeo;  /* link considered gone after     */
};

static const struct ls_config default_ls_config = {
        .pol = LS_SIMPLE, .t_recalc = 4, .t_update = 15, .t_timeo = 60
};

enum pol_routing {
        ROUTING_LINK_STATE = 0,
        ROUTING_INVALID    = 1
};

struct routing_config {
        enum pol_routing pol;
        union { /* selected by pol */
                struct ls_config ls;
        };
};

static const struct routing_config default_routing_config = {
        .pol = ROUTING_LINK_STATE,
        .ls  = { .pol = LS_SIMPLE, .t_recalc = 4, .t_update = 15,
                 .t_timeo = 60 }
};

/* Congestion avoidance. */
enum pol_cong_avoid {
        CA_NONE    = 0,
        CA_MB_ECN  = 1, /* multi-bit ECN */
        CA_INVALID = 2
};

/* Data transfer: field widths in bytes, hop limit, and routing. */
struct dt_config {
        struct {
                uint8_t addr_size;
                uint8_t eid_size;
                uint8_t max_ttl;
        };
        struct routing_config routing;
};

static const struct dt_config default_dt_config = {
        .addr_size = 4,
        .eid_size  = 8,
        .max_ttl   = 60,
        .routing   = {
                .pol = ROUTING_LINK_STATE,
                .ls  = { .pol = LS_SIMPLE, .t_recalc = 4, .t_update = 15,
                         .t_timeo = 60 }
        }
};

/* Directory (name to address resolution). */
enum pol_dir {
        DIR_DHT     = 0,
        DIR_INVALID = 1
};

/* Hash that maps names into the directory. */
enum pol_dir_hash {
        DIR_HASH_SHA3_224 = 0,
        DIR_HASH_SHA3_256 = 1,
        DIR_HASH_SHA3_384 = 2,
        DIR_HASH_SHA3_512 = 3,
        DIR_HASH_INVALID  = 4
};

/* Accepted ranges of the DHT parameters (times in seconds). */
enum dir_dht_config_limits {
        DHT_ALPHA_MIN       = 1,
        DHT_K_MIN           = 1,
        DHT_T_EXPIRE_MIN    = 10,
        DHT_T_REFRESH_MIN   = 3,
        DHT_T_REPLICATE_MIN = 3,
        DHT_ALPHA_MAX       = 10,
        DHT_K_MAX           = 20,
        DHT_T_EXPIRE_MAX    = 86400,
        DHT_T_REFRESH_MAX   = 3600,
        DHT_T_REPLICATE_MAX = 3600
};

struct dir_dht_config {
        struct {
                uint32_t alpha;       /* concurrent lookups         */
                uint32_t k;           /* bucket size / replicas     */
                uint32_t t_expire;    /* entry lifetime (s)         */
                uint32_t t_refresh;   /* bucket refresh period (s)  */
                uint32_t t_replicate; /* replication period (s)     */
        } params;
        uint64_t peer; /* address of a peer to join through, 0 if none */
};

static const struct dir_dht_config default_dht_config = {
        .params = { .alpha = 3, .k = 8, .t_expire = 86400,
                    .t_refresh = 900, .t_replicate = 900 }
};

struct dir_config {
        enum pol_dir pol;
        union { /* selected by pol */
                struct dir_dht_config dht;
        };
};

static const struct dir_config default_dir_config = {
        .pol = DIR_DHT,
        .dht = {
                .params = { .alpha = 3, .k = 8, .t_expire = 86400,
                            .t_refresh = 900, .t_replicate = 900 }
        }
};

/* Bootstrap settings of a unicast layer. */
struct uni_config {
        struct dt_config    dt;
        struct dir_config   dir;
        enum pol_addr_auth  addr_auth_type;
        enum pol_cong_avoid cong_avoid;
};

static const struct uni_config default_uni_config = {
        .dt = {
                .addr_size = 4,
                .eid_size  = 8,
                .max_ttl   = 60,
                .routing   = {
                        .pol = ROUTING_LINK_STATE,
                        .ls  = { .pol = LS_SIMPLE, .t_recalc = 4,
                                 .t_update = 15, .t_timeo = 60 }
                }
        },
        .dir = {
                .pol = DIR_DHT,
                .dht = {
                        .params = { .alpha = 3, .k = 8, .t_expire = 86400,
                                    .t_refresh = 900, .t_replicate = 900 }
                }
        },
        .addr_auth_type = ADDR_AUTH_FLAT_RANDOM,
        .cong_avoid     = CA_MB_ECN
};

/* Ethernet layers (LLC and DIX). */
struct eth_config {
        char     dev[DEV_NAME_SIZE + 1]; /* interface name        */
        uint16_t ethertype;              /* used by eth-dix only  */
};

/* UDP over IPv4; addresses in network byte order. */
struct udp4_config {
        struct in_addr ip_addr;
        struct in_addr dns_addr;
        uint16_t       port;
};

/* UDP over IPv6. */
struct udp6_config {
        struct in6_addr ip_addr;
        struct in6_addr dns_addr;
        uint16_t        port;
};

struct layer_info {
        char              name[LAYER_NAME_SIZE + 1];
        enum pol_dir_hash dir_hash_algo;
};

/* Everything irm_bootstrap_ipcp() needs; the union member follows type. */
struct ipcp_config {
        struct layer_info layer_info;
        enum ipcp_type    type;
        union {
                struct uni_config  unicast;
                struct udp4_config udp4;
                struct udp6_config udp6;
                struct eth_config  eth;
        };
};

/* Starting points for each IPCP type; fields not named are zero. */
static const struct ipcp_config local_default_conf = {
        .layer_info = { .dir_hash_algo = DIR_HASH_SHA3_256 },
        .type       = IPCP_LOCAL
};

static const struct ipcp_config eth_dix_default_conf = {
        .layer_info = { .dir_hash_algo = DIR_HASH_SHA3_256 },
        .type       = IPCP_ETH_DIX,
        .eth        = { .ethertype = 0xA000 }
};

static const struct ipcp_config eth_llc_default_conf = {
        .layer_info = { .dir_hash_algo = DIR_HASH_SHA3_256 },
        .type       = IPCP_ETH_LLC
};

static const struct ipcp_config udp4_default_conf = {
        .type = IPCP_UDP4,
        .udp4 = { .port = 3435 }
};

static const struct ipcp_config udp6_default_conf = {
        .type = IPCP_UDP6,
        .udp6 = { .port = 3435 }
};

static const struct ipcp_config uni_default_conf = {
        .layer_info = { .dir_hash_algo = DIR_HASH_SHA3_256 },
        .type       = IPCP_UNICAST,
        .unicast    = {
                .dt = {
                        .addr_size = 4,
                        .eid_size  = 8,
                        .max_ttl   = 60,
                        .routing   = {
                                .pol = ROUTING_LINK_STATE,
                                .ls  = { .pol = LS_SIMPLE, .t_recalc = 4,
                                         .t_update = 15, .t_timeo = 60 }
                        }
                },
                .dir = {
                        .pol = DIR_DHT,
                        .dht = {
                                .params = { .alpha = 3, .k = 8,
                                            .t_expire = 86400,
                                            .t_refresh = 900,
                                            .t_replicate = 900 }
                        }
                },
                .addr_auth_type = ADDR_AUTH_FLAT_RANDOM,
                .cong_avoid     = CA_MB_ECN
        }
};

static const struct ipcp_config bc_default_conf = {
        .type = IPCP_BROADCAST
};

#endif /* OUROBOROS_IPCP_H */
