/*
 * CDPDK: the only C in SwiftNFV.
 *
 * Swift imports most of DPDK directly, but not what is written as macros or
 * lives in structs aligned beyond 16 bytes (rte_mbuf, rte_ring, rte_mempool
 * arrive as OpaquePointer). This header fills that gap with `static inline`
 * accessors (kept inline: an out-of-line accessor costs about a quarter of
 * the forwarding rate), the futex and atomic helpers the shared-memory layer
 * needs, and the layout of the table the manager shares with every NF.
 *
 * Everything here is used only by the NFVShared module.
 */
#ifndef SWIFTNFV_CDPDK_SHIM_H
#define SWIFTNFV_CDPDK_SHIM_H

#include <rte_config.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_cycles.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_peek.h>
#include <rte_ethdev.h>

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/prctl.h>

/* ---------------------------------------------------------------------------
 * Sizes of the shared table. Instance IDs are 1...NFV_MAX_NFS (0 means
 * "nobody": the manager, a port, or the free pool); service IDs are
 * 1..<NFV_MAX_SERVICES.
 * ------------------------------------------------------------------------- */
#define NFV_MAX_PORTS 16
#define NFV_MAX_SERVICES 64
#define NFV_MAX_INSTANCES_PER_SERVICE 16
#define NFV_MAX_NFS 64
#define NFV_MAX_CHAIN 16
#define NFV_NAME_LEN 32
#define NFV_PORT_NAME_LEN 112
#define NFV_LOOKUP_SIZE 2039  /* entries of a service's consistent-hashing table (a prime) */
#define NFV_TABLE_MAGIC 0x5357494654564e46ull /* "SWIFTNFV" */
#define NFV_TABLE_VERSION 3u
#define NFV_MAX_CHAINS 64     /* named chains; a packet carries its chain's index (meta.aux) */
#define NFV_MAX_RULES 4096    /* flow rules in one version of the steering table */
#define NFV_STEER_VERSIONS 4  /* versions of the steering table kept at once */
#define NFV_READERS (NFV_MAX_NFS + 1) /* steering readers: 0 the manager's dataplane, i instance i */

/* A doorbell: how a producer wakes a consumer that went to sleep.
 * The consumer sets `sleeping`, issues a full fence, re-checks its ring and
 * only then waits on `word`; a producer enqueues, issues a full fence and
 * rings (bumps `word`, FUTEX_WAKE) only when it sees `sleeping`. One of the
 * two always sees the other (Dekker), so no wake-up is lost. */
typedef struct nfv_doorbell {
    uint32_t word;
    uint32_t sleeping;
    uint64_t rings;     /* how many times a producer had to wake it */
    uint8_t pad[48];
} nfv_doorbell_t;

/* Why the platform dropped a packet. Every packet that enters (from a port,
 * or made by an NF in a buffer the manager gave it) leaves by a port or is
 * counted under exactly one of these, by the manager. */
enum {
    NFV_DROP_VERDICT = 0,    /* an NF's handler said drop (or had no chain to follow) */
    NFV_DROP_NO_ROUTE = 1,   /* its destination (service, port) did not exist */
    NFV_DROP_RING_FULL = 2,  /* its destination ring was full */
    NFV_DROP_STOPPED = 3,    /* queued for an NF that stopped (drained at its stop) */
    NFV_DROP_RECLAIMED = 4,  /* held or queued by an NF that died or left: taken back */
    NFV_DROP_TX_FAILED = 5,  /* a port refused it */
    NFV_DROP_BACKPRESSURE = 6, /* held back at the entry of a chain with a step over its high watermark */
    NFV_DROP_REASONS = 7,
};

/* What became of the packets whose last holder was an instance of one
 * service (index 0: the manager and its ports). Single writer: the
 * manager's dataplane thread (it is the only party that frees buffers of
 * packets; NFs hand theirs back through their TX rings). */
typedef struct nfv_fates {
    uint64_t dropped[NFV_DROP_REASONS];
    uint64_t supplied;    /* buffers given to its instances to make packets in, net of what came back unused */
} nfv_fates_t;

/* Counters an NF publishes about itself (single writer: the NF). */
typedef struct nfv_nf_stats {
    uint64_t rx;          /* descriptors dequeued from its RX ring */
    uint64_t tx;          /* descriptors handed on (to an NF or a port) */
    uint64_t dropped;     /* dropped by its handler */
    uint64_t no_route;    /* dropped: destination service had no instance */
    uint64_t ring_full;   /* dropped: destination ring was full */
    uint64_t batches;     /* non-empty bursts processed */
    uint64_t sleeps;      /* times it went to sleep on its doorbell */
    uint64_t enqueues;    /* ring enqueues that delivered packets (one per destination per burst) */
} nfv_nf_stats_t;

/* Slot states. The NF moves FREE->CLAIMED->REQUESTED and RUNNING->STOPPING->
 * EXITED; the manager moves REQUESTED->RUNNING|REFUSED, STOPPING->REMOVED and
 * anything -> FREE once the process is gone and its buffers are reclaimed. */
enum {
    NFV_SLOT_FREE = 0,
    NFV_SLOT_CLAIMED = 1,
    NFV_SLOT_REQUESTED = 2,
    NFV_SLOT_RUNNING = 3,
    NFV_SLOT_REFUSED = 4,
    NFV_SLOT_STOPPING = 5,
    NFV_SLOT_REMOVED = 6,
    NFV_SLOT_EXITED = 7,
};

typedef struct nfv_nf_slot {
    /* cache line 0: identity and lifecycle */
    uint32_t state;       /* atomic, see NFV_SLOT_* */
    uint16_t service;
    uint16_t refusal;     /* reason code when REFUSED */
    int32_t pid;
    uint32_t generation;  /* bumped each time the slot is handed out */
    char name[NFV_NAME_LEN];
    uint64_t reclaimed;   /* buffers the manager took back when it died or left */
    int32_t cpu;          /* atomic: the CPU the NF last ran on (it publishes it) */
    uint32_t pad0;
    /* cache line 1: its RX doorbell */
    nfv_doorbell_t doorbell;
    /* cache line 2: its counters */
    nfv_nf_stats_t stats;
    /* cache line 3: the RX-ring enqueue it is inside, if any (NFV_MARK, 0:
     * none), written by the NF before it reserves (nfv_ring_enqueue_marked) */
    uint64_t producing;
    uint32_t wants_buffers;  /* atomic: the NF asks the manager to top up its supply ring */
    uint32_t pad2;
    uint64_t strays;      /* of `reclaimed`: found by the stamp scan, outside any ring */
    uint64_t rule_changes;   /* its rule requests the manager carried out (manager writes) */
    uint64_t rule_refusals;  /* its rule requests the manager refused (manager writes) */
    uint32_t cpu_weight;  /* the CPU weight it asks for (0: none), written before it requests */
    uint32_t cpu_cap;     /* the CPU cap it asks for, percent of one CPU (0: none), likewise */
    int32_t pinned_cpu;   /* the CPU it pins itself to (-1: none), likewise */
    uint8_t pad3[12];
} nfv_nf_slot_t;

/* How a service with several instances spreads packets over them. */
enum { NFV_BALANCE_FLOW = 0, NFV_BALANCE_QUEUE = 1 };

typedef struct nfv_service {
    uint32_t count;       /* atomic: valid entries in instances[] */
    uint32_t balance;     /* NFV_BALANCE_*, set by the manager at start */
    uint16_t instances[NFV_MAX_INSTANCES_PER_SERVICE];
    uint32_t lookup;      /* atomic: which of its two lookup tables is current (0 or 1) */
    uint8_t pad[20];
} nfv_service_t;

typedef struct nfv_port {
    uint32_t present;
    uint16_t port_id;     /* DPDK port id */
    uint16_t pad0;
    uint64_t rx;          /* written by the manager's dataplane thread */
    uint64_t tx;
    uint64_t dropped;     /* no route, ring full, or TX refused */
    uint64_t mac;         /* its Ethernet address (48 bits), 0 if none */
    uint64_t rx_bytes;    /* bytes of the packets in rx (dataplane thread) */
    uint64_t tx_bytes;    /* bytes of the packets in tx */
    uint8_t pad1[8];
    char name[NFV_PORT_NAME_LEN];
    uint8_t pad2[16];
} nfv_port_t;

typedef struct nfv_chain {
    uint32_t defined;     /* 0: no chain at this index */
    uint32_t length;
    int32_t exit_port;    /* -1: the port the packet arrived on; -2: the other port of its pair */
    uint16_t services[NFV_MAX_CHAIN];
    uint8_t pad[20];
} nfv_chain_t;

typedef struct nfv_shared {
    uint64_t magic;
    uint32_t version;
    uint32_t manager_state;   /* atomic: 1 running, 2 stopping */
    int32_t manager_pid;
    uint32_t port_count;
    uint32_t ring_size;
    uint32_t pool_size;
    uint64_t active;          /* atomic: bit i set while NF slot i is registered */
    int32_t dataplane_cpu;    /* atomic: the CPU the manager's dataplane thread last ran on */
    uint32_t pad1;
    uint64_t dataplane_producing; /* the dataplane thread's enqueue mark, as a slot's `producing` */
    uint8_t pad0[8];
    nfv_doorbell_t dataplane;  /* the manager's RX/TX thread */
    nfv_doorbell_t control;    /* the manager's control thread */
    nfv_service_t services[NFV_MAX_SERVICES];
    nfv_port_t ports[NFV_MAX_PORTS];
    nfv_nf_slot_t nfs[NFV_MAX_NFS];
    nfv_fates_t fates[NFV_MAX_SERVICES];
    /* Per service, two consistent-hashing tables (flow hash % NFV_LOOKUP_SIZE
     * -> instance ID): the manager writes the one not in use, then flips
     * `lookup` (release); readers load `lookup` (acquire) and read that one. */
    uint16_t lookups[NFV_MAX_SERVICES][2][NFV_LOOKUP_SIZE];
} nfv_shared_t;

_Static_assert(sizeof(nfv_doorbell_t) == 64, "doorbell is one cache line");
_Static_assert(sizeof(nfv_nf_stats_t) == 64, "stats are one cache line");
_Static_assert(sizeof(nfv_nf_slot_t) == 256, "slot is four cache lines");
_Static_assert(offsetof(nfv_shared_t, dataplane) == 64, "header is one cache line");
_Static_assert(sizeof(nfv_service_t) == 64, "service is one cache line");
_Static_assert(sizeof(nfv_port_t) == 192, "port is three cache lines");
_Static_assert(sizeof(nfv_chain_t) == 64, "chain is one cache line");
_Static_assert(sizeof(nfv_fates_t) == 64, "fates are one cache line");

static inline nfv_nf_slot_t *nfv_slot(nfv_shared_t *t, uint32_t index) { return &t->nfs[index]; }
static inline nfv_service_t *nfv_service(nfv_shared_t *t, uint32_t id) { return &t->services[id]; }
static inline nfv_port_t *nfv_port(nfv_shared_t *t, uint32_t index) { return &t->ports[index]; }
static inline uint16_t nfv_service_instance(const nfv_service_t *s, uint32_t i) { return __atomic_load_n(&s->instances[i], __ATOMIC_RELAXED); }
static inline void nfv_service_set_instance(nfv_service_t *s, uint32_t i, uint16_t v) { __atomic_store_n(&s->instances[i], v, __ATOMIC_RELAXED); }
static inline uint32_t nfv_service_balance(const nfv_service_t *s) { return s->balance; }
static inline uint32_t nfv_service_lookup_current(const nfv_service_t *s) { return __atomic_load_n(&s->lookup, __ATOMIC_ACQUIRE) & 1; }
static inline void nfv_service_set_lookup_current(nfv_service_t *s, uint32_t which) { __atomic_store_n(&s->lookup, which & 1, __ATOMIC_RELEASE); }
/* Entries are read and written with relaxed atomics: a reader of a table
 * the manager is rewriting gets, entry by entry, the old or the new ID. */
static inline uint16_t nfv_service_lookup_entry(const nfv_shared_t *t, uint32_t service, uint32_t which, uint32_t i) {
    return __atomic_load_n(&t->lookups[service][which & 1][i], __ATOMIC_RELAXED);
}
static inline void nfv_service_lookup_store(nfv_shared_t *t, uint32_t service, uint32_t which, const uint16_t *ids, uint32_t n) {
    for (uint32_t i = 0; i < n && i < NFV_LOOKUP_SIZE; i++) __atomic_store_n(&t->lookups[service][which & 1][i], ids[i], __ATOMIC_RELAXED);
}
static inline void nfv_service_set_balance(nfv_service_t *s, uint32_t b) { s->balance = b; }
static inline const char *nfv_slot_name(const nfv_nf_slot_t *s) { return s->name; }
static inline void nfv_slot_set_name(nfv_nf_slot_t *s, const char *n) { strncpy(s->name, n, NFV_NAME_LEN - 1); s->name[NFV_NAME_LEN - 1] = 0; }
static inline const char *nfv_port_name(const nfv_port_t *p) { return p->name; }
static inline uint64_t nfv_port_mac(uint16_t port_id) {
    struct rte_ether_addr a;
    if (rte_eth_macaddr_get(port_id, &a) != 0) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 6; i++) v = v << 8 | a.addr_bytes[i];
    return v;
}
static inline void nfv_port_set_name(nfv_port_t *p, const char *n) { strncpy(p->name, n, NFV_PORT_NAME_LEN - 1); p->name[NFV_PORT_NAME_LEN - 1] = 0; }

/* ---------------------------------------------------------------------------
 * Atomics on shared memory. Each caller in Swift says what it pairs with.
 * ------------------------------------------------------------------------- */
static inline uint32_t nfv_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint32_t nfv_load_relaxed_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void nfv_store_release_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void nfv_store_relaxed_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline int nfv_cas_u32(uint32_t *p, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline uint64_t nfv_load_relaxed_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void nfv_store_relaxed_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint64_t nfv_load_acquire_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void nfv_store_release_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* Field addresses for the atomics above (Swift cannot take them itself
 * without relying on how it materialises inout arguments). */
static inline uint32_t *nfv_slot_state(nfv_nf_slot_t *s) { return &s->state; }
static inline nfv_doorbell_t *nfv_slot_doorbell(nfv_nf_slot_t *s) { return &s->doorbell; }
static inline nfv_nf_stats_t *nfv_slot_stats(nfv_nf_slot_t *s) { return &s->stats; }
static inline uint32_t *nfv_service_count(nfv_service_t *s) { return &s->count; }
static inline uint32_t *nfv_manager_state(nfv_shared_t *t) { return &t->manager_state; }
static inline nfv_doorbell_t *nfv_table_dataplane(nfv_shared_t *t) { return &t->dataplane; }
static inline nfv_doorbell_t *nfv_table_control(nfv_shared_t *t) { return &t->control; }
static inline uint64_t *nfv_doorbell_rings(nfv_doorbell_t *d) { return &d->rings; }
/* 0: rx, 1: tx, 2: dropped */
static inline uint64_t *nfv_port_counter(nfv_port_t *p, unsigned i) { return (&p->rx) + i; }
static inline uint64_t *nfv_slot_reclaimed(nfv_nf_slot_t *s) { return &s->reclaimed; }
static inline uint64_t *nfv_slot_strays(nfv_nf_slot_t *s) { return &s->strays; }
static inline uint64_t *nfv_slot_producing(nfv_nf_slot_t *s) { return &s->producing; }
static inline uint32_t *nfv_slot_wants_buffers(nfv_nf_slot_t *s) { return &s->wants_buffers; }
/* Counter `i` of a service's fates: 0..<NFV_DROP_REASONS the drops by reason, then `supplied`. */
static inline uint64_t *nfv_fate_counter(nfv_shared_t *t, uint32_t service, uint32_t i) { return &t->fates[service].dropped[0] + i; }
static inline uint64_t *nfv_table_dataplane_producing(nfv_shared_t *t) { return &t->dataplane_producing; }
static inline int32_t nfv_dataplane_cpu(const nfv_shared_t *t) { return __atomic_load_n(&t->dataplane_cpu, __ATOMIC_RELAXED); }
static inline void nfv_set_dataplane_cpu(nfv_shared_t *t, int32_t cpu) { __atomic_store_n(&t->dataplane_cpu, cpu, __ATOMIC_RELAXED); }
static inline int32_t nfv_slot_cpu(const nfv_nf_slot_t *s) { return __atomic_load_n(&s->cpu, __ATOMIC_RELAXED); }
static inline void nfv_slot_set_cpu(nfv_nf_slot_t *s, int32_t cpu) { __atomic_store_n(&s->cpu, cpu, __ATOMIC_RELAXED); }
/* The active mask: set and cleared by the manager (release), read by the
 * manager's dataplane and by NFs looking for core-mates (acquire). */
static inline uint64_t nfv_active_load(const nfv_shared_t *t) { return __atomic_load_n(&t->active, __ATOMIC_ACQUIRE); }
static inline void nfv_active_set(nfv_shared_t *t, uint64_t bits) { __atomic_fetch_or(&t->active, bits, __ATOMIC_RELEASE); }
static inline void nfv_active_clear(nfv_shared_t *t, uint64_t bits) { __atomic_fetch_and(&t->active, ~bits, __ATOMIC_RELEASE); }
extern int sched_getcpu(void); /* glibc; read from rseq, no syscall */
/* Pins thread `tid` (0: the calling thread) to one CPU; 0 on success, else an errno. */
static inline int nfv_pin_task_to_cpu(int tid, int cpu) {
    unsigned long mask[16] = {0};
    if (cpu < 0 || cpu >= (int)(sizeof mask * 8)) return EINVAL;
    mask[cpu / (8 * sizeof(unsigned long))] = 1UL << (cpu % (8 * sizeof(unsigned long)));
    return syscall(SYS_sched_setaffinity, tid, sizeof mask, mask) == 0 ? 0 : errno;
}
/* Pins the calling thread to one CPU; 0 on success, else an errno. */
static inline int nfv_pin_to_cpu(int cpu) { return nfv_pin_task_to_cpu(0, cpu); }
static inline int nfv_current_cpu(void) { return sched_getcpu(); }

/* ---------------------------------------------------------------------------
 * Doorbells over futexes. The table lives in a MAP_SHARED huge-page file, so
 * the futexes are process-shared (no FUTEX_PRIVATE_FLAG).
 * ------------------------------------------------------------------------- */

/* Consumer side: announce the intent to sleep. Returns the word to wait on. */
static inline uint32_t nfv_doorbell_arm(nfv_doorbell_t *d) {
    uint32_t w = __atomic_load_n(&d->word, __ATOMIC_ACQUIRE);
    __atomic_store_n(&d->sleeping, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the fence in nfv_doorbell_ring_if_asleep */
    return w;
}

static inline void nfv_doorbell_disarm(nfv_doorbell_t *d) {
    __atomic_store_n(&d->sleeping, 0, __ATOMIC_RELAXED);
}

/* Consumer side: wait until rung or `timeout_ns` passes. */
static inline void nfv_doorbell_wait(nfv_doorbell_t *d, uint32_t armed_word, uint64_t timeout_ns) {
    struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
    syscall(SYS_futex, &d->word, FUTEX_WAIT, armed_word, &ts, NULL, 0);
    __atomic_store_n(&d->sleeping, 0, __ATOMIC_RELAXED);
}

/* Consumer side of several doorbells (one thread running several NFs):
 * each of `bells[i]` armed with `armed[i]` (nfv_doorbell_arm), sleep until
 * any is rung or `timeout_ns` passes (futex_waitv, Linux 5.16+), then
 * disarm them all. Returns 0, or -1 with errno (ENOSYS: the kernel is too
 * old; EAGAIN: a bell was rung between arming and waiting). */
static inline int nfv_doorbell_wait_any(nfv_doorbell_t *const *bells, const uint32_t *armed, uint32_t n, uint64_t timeout_ns) {
    struct futex_waitv waiters[FUTEX_WAITV_MAX];
    if (n > FUTEX_WAITV_MAX) n = FUTEX_WAITV_MAX;
    for (uint32_t i = 0; i < n; i++) {
        waiters[i].val = armed[i];
        waiters[i].uaddr = (uint64_t)(uintptr_t)&bells[i]->word;
        waiters[i].flags = FUTEX_32; /* shared: no FUTEX_PRIVATE_FLAG */
        waiters[i].__reserved = 0;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t end = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec + timeout_ns;
    struct timespec deadline = { (time_t)(end / 1000000000ull), (long)(end % 1000000000ull) };
    long r = syscall(SYS_futex_waitv, waiters, n, 0, &deadline, CLOCK_MONOTONIC);
    int saved = errno;
    for (uint32_t i = 0; i < n; i++) __atomic_store_n(&bells[i]->sleeping, 0, __ATOMIC_RELAXED);
    if (r < 0 && saved != ETIMEDOUT) { errno = saved; return -1; }
    return 0;
}

/* Producer side, after publishing work: wake the consumer if it sleeps.
 * Returns 1 when it had to ring. */
static inline int nfv_doorbell_ring_if_asleep(nfv_doorbell_t *d) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the fence in nfv_doorbell_arm */
    if (__atomic_load_n(&d->sleeping, __ATOMIC_RELAXED) == 0) return 0;
    __atomic_store_n(&d->sleeping, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&d->word, 1, __ATOMIC_RELEASE);
    __atomic_fetch_add(&d->rings, 1, __ATOMIC_RELAXED);
    syscall(SYS_futex, &d->word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    return 1;
}

/* Unconditional ring: for stop requests and control messages. */
static inline void nfv_doorbell_ring(nfv_doorbell_t *d) {
    __atomic_fetch_add(&d->word, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &d->word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* glibc 2.34+: close every descriptor from `from` up in a spawned child
 * (declared here: <spawn.h> declares it only under _GNU_SOURCE). */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int nfv_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/* Whether the kernel sends this process SIGKILL when the thread that started it ends. */
static inline int nfv_kill_me_with_parent(int on) { return prctl(PR_SET_PDEATHSIG, on ? SIGKILL : 0, 0, 0, 0); }

static inline int nfv_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* ---------------------------------------------------------------------------
 * The steering table: named chains, each input port's default chain and the
 * flow rules, in NFV_STEER_VERSIONS versions (a memzone of its own). The
 * manager is the only writer; readers (its dataplane thread, every NF)
 * announce the version they use.
 *
 * Reader (nfv_steer_enter), at the start of each burst: load `current`; if
 * it is what the reader announced, use it. Otherwise announce it (seq_cst
 * store), load `current` again, and repeat until the two agree. Before it
 * sleeps a reader announces nothing (nfv_steer_quiesce).
 * Writer (nfv_steer_slot_free, then a plain fill, then nfv_steer_publish):
 * writes only a slot that is not current and that no reader's announcement
 * names. A reader that announced a slot and then found it still current did
 * so before the writer's store that made it old (both seq_cst), hence before
 * the writer's scan, which therefore sees the announcement. A reader that
 * died keeps its announcement until the manager has seen its process gone
 * and clears it; a stopped one keeps it: its slot waits, the others turn.
 * Model: Sources/NFVShared/Models/steering.pml.
 * ------------------------------------------------------------------------- */
enum { NFV_TARGET_CHAIN = 0, NFV_TARGET_SERVICE = 1, NFV_TARGET_PORT = 2, NFV_TARGET_DROP = 3 };
#define NFV_ANY16 0xFFFFu

/* One flow rule. Addresses are big-endian words as they sit in the packet
 * (IPv4: src[0..3]); `family` 0 matches either, and then no address. */
typedef struct nfv_rule {
    uint32_t id;
    int32_t priority;      /* lower first; equal: the lower id */
    uint16_t in_port;      /* NFV_ANY16: any */
    uint16_t vlan;         /* outer VLAN ID; NFV_ANY16: any, tagged or not */
    uint8_t family;        /* 0 any, 4, 6 */
    uint8_t proto;         /* with has_proto */
    uint8_t has_proto;
    uint8_t src_len;       /* prefix lengths (0: any) */
    uint8_t dst_len;
    uint8_t target_kind;   /* NFV_TARGET_* */
    uint16_t target;       /* chain index, service ID or port */
    uint16_t sport_low, sport_high, dport_low, dport_high;
    uint16_t owner;        /* the instance that installed it; 0: configuration */
    uint16_t pad;
    uint8_t src[16];
    uint8_t dst[16];
} nfv_rule_t;

typedef struct nfv_steer_version {
    uint64_t version;      /* written with the rest, before it is published */
    uint32_t rule_count;
    uint32_t pad0;
    uint8_t port_default[NFV_MAX_PORTS];  /* chain index per input port; 0xFF: none (drop) */
    uint64_t chained;      /* bit s: service s is a step of some chain (else `toService` records no position) */
    uint8_t pad1[24];
    nfv_chain_t chains[NFV_MAX_CHAINS];
    char chain_names[NFV_MAX_CHAINS][NFV_NAME_LEN];
    /* The first step of service s in chain c (0xFF: not in it): what
     * `toService` records as the packet's position. */
    uint8_t positions[NFV_MAX_CHAINS][NFV_MAX_SERVICES];
    nfv_rule_t rules[NFV_MAX_RULES];
} nfv_steer_version_t;

typedef struct nfv_steer_reader {
    uint64_t announced;    /* atomic: (version << 8) | slot + 1 in use; 0: none */
    uint8_t pad[56];
} nfv_steer_reader_t;

typedef struct nfv_steer {
    uint64_t current;      /* atomic: (version << 8) | slot + 1 */
    uint64_t publishes;    /* versions published since start */
    uint8_t pad[48];
    nfv_steer_reader_t readers[NFV_READERS];
    nfv_steer_version_t versions[NFV_STEER_VERSIONS];
} nfv_steer_t;

_Static_assert(sizeof(nfv_rule_t) == 64, "rule is one cache line");
_Static_assert(sizeof(nfv_chain_t) == 64, "chain is one cache line");
_Static_assert(sizeof(nfv_steer_reader_t) == 64, "reader is one cache line");

#define NFV_STEER_SLOT(word) ((uint32_t)((word) & 0xFF) - 1)
static inline nfv_steer_version_t *nfv_steer_version(nfv_steer_t *s, uint32_t slot) { return &s->versions[slot]; }
static inline uint64_t nfv_steer_current(const nfv_steer_t *s) { return __atomic_load_n(&s->current, __ATOMIC_SEQ_CST); }

/* The version reader `r` may use for one burst; `*announced` is what it
 * announced last (reader-private). See the protocol above. */
static inline nfv_steer_version_t *nfv_steer_enter(nfv_steer_t *s, uint32_t r, uint64_t *announced) {
    uint64_t v = __atomic_load_n(&s->current, __ATOMIC_SEQ_CST);
    if (__builtin_expect(v == *announced, 1)) return &s->versions[NFV_STEER_SLOT(v)];
    for (;;) {
        __atomic_store_n(&s->readers[r].announced, v, __ATOMIC_SEQ_CST);
        uint64_t again = __atomic_load_n(&s->current, __ATOMIC_SEQ_CST);
        if (again == v) break;
        v = again;
    }
    *announced = v;
    return &s->versions[NFV_STEER_SLOT(v)];
}
/* The reader uses no version until its next nfv_steer_enter. */
static inline void nfv_steer_quiesce(nfv_steer_t *s, uint32_t r, uint64_t *announced) {
    if (*announced == 0) return;
    __atomic_store_n(&s->readers[r].announced, 0, __ATOMIC_RELEASE);
    *announced = 0;
}
static inline uint64_t nfv_steer_announced(const nfv_steer_t *s, uint32_t r) {
    return __atomic_load_n(&s->readers[r].announced, __ATOMIC_SEQ_CST);
}
/* Manager: forgets what a reader announced (it is known to be gone). */
static inline void nfv_steer_clear_reader(nfv_steer_t *s, uint32_t r) {
    __atomic_store_n(&s->readers[r].announced, 0, __ATOMIC_SEQ_CST);
}
/* Writer: whether `slot` may be written now (not current, named by no
 * announcement); if not, `*holder` is a reader that holds it (or -1: it is
 * current). Seq_cst loads: they come after the store that made it old. */
static inline int nfv_steer_slot_free(const nfv_steer_t *s, uint32_t slot, int32_t *holder) {
    uint64_t cur = __atomic_load_n(&s->current, __ATOMIC_SEQ_CST);
    if (cur != 0 && NFV_STEER_SLOT(cur) == slot) { *holder = -1; return 0; }
    for (uint32_t r = 0; r < NFV_READERS; r++) {
        uint64_t a = __atomic_load_n(&s->readers[r].announced, __ATOMIC_SEQ_CST);
        if (a != 0 && NFV_STEER_SLOT(a) == slot) { *holder = (int32_t)r; return 0; }
    }
    return 1;
}
/* Writer: makes the filled `slot` current as `version`. */
static inline void nfv_steer_publish(nfv_steer_t *s, uint32_t slot, uint64_t version) {
    s->versions[slot].version = version;
    __atomic_store_n(&s->current, (version << 8) | (slot + 1), __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->publishes, s->publishes + 1, __ATOMIC_RELAXED);
}
static inline uint64_t nfv_steer_publishes(const nfv_steer_t *s) { return __atomic_load_n(&s->publishes, __ATOMIC_RELAXED); }
static inline nfv_chain_t *nfv_steer_chain(nfv_steer_version_t *v, uint32_t c) { return &v->chains[c]; }
static inline uint16_t nfv_steer_chain_step(const nfv_steer_version_t *v, uint32_t c, uint32_t i) { return v->chains[c].services[i]; }
static inline uint8_t nfv_steer_position(const nfv_steer_version_t *v, uint32_t c, uint32_t service) { return v->positions[c][service]; }
static inline int nfv_steer_chained(const nfv_steer_version_t *v, uint32_t service) { return (v->chained >> (service & 63)) & 1; }
static inline char *nfv_steer_chain_name(nfv_steer_version_t *v, uint32_t c) { return v->chain_names[c]; }
static inline nfv_rule_t *nfv_steer_rule(nfv_steer_version_t *v, uint32_t i) { return &v->rules[i]; }

/* ---------------------------------------------------------------------------
 * Messages between an NF and the manager: per NF slot, two single-producer
 * single-consumer rings of fixed-size elements (rte_ring_*_elem), one each
 * way. A party killed inside an enqueue or dequeue stalls only its own ring,
 * which the manager resets before the slot's next instance starts.
 * ------------------------------------------------------------------------- */
enum {
    NFV_MSG_ADD_RULE = 1,     /* NF -> manager: install `rule` (its chain target named in `text`) */
    NFV_MSG_REMOVE_RULE = 2,  /* NF -> manager: remove rule `rule.id` */
    NFV_MSG_DONE = 3,         /* manager -> NF: request `seq` carried out, in steering version `version` */
    NFV_MSG_REFUSED = 4,      /* manager -> NF: request `seq` refused, because `text` */
    NFV_MSG_SET_CHAIN = 5,    /* NF -> manager: add or replace the chain named `text` as `chain` */
    NFV_MSG_REMOVE_CHAIN = 6, /* NF -> manager: remove the chain named `text` */
    NFV_MSG_RELOAD = 7,       /* manager -> NF: reload your configuration (the API's reload) */
    NFV_MSG_ALARM = 8,        /* NF -> manager: a threshold passed, described by `text` */
};
#define NFV_MSG_RING_SIZE 256
#define NFV_MSG_TEXT_LEN 112
typedef struct nfv_msg {
    uint32_t type;        /* NFV_MSG_* */
    uint32_t seq;         /* the NF's number for the request; its answer carries it */
    uint64_t version;
    uint32_t rule_id;     /* DONE: the rule's ID */
    uint32_t pad;
    nfv_rule_t rule;
    nfv_chain_t chain;
    char text[NFV_MSG_TEXT_LEN];
} nfv_msg_t;
_Static_assert(sizeof(nfv_msg_t) == 264, "a message is 264 bytes");

static inline struct rte_ring *nfv_msg_ring_create(const char *name) {
    return rte_ring_create_elem(name, sizeof(nfv_msg_t), NFV_MSG_RING_SIZE, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}
static inline int nfv_msg_send(struct rte_ring *r, const nfv_msg_t *m) { return rte_ring_enqueue_elem(r, m, sizeof(nfv_msg_t)); }
static inline int nfv_msg_receive(struct rte_ring *r, nfv_msg_t *m) { return rte_ring_dequeue_elem(r, m, sizeof(nfv_msg_t)); }
static inline void nfv_ring_reset(struct rte_ring *r) { rte_ring_reset(r); }

/* ---------------------------------------------------------------------------
 * Packet metadata: 8 bytes carried in the mbuf's `hash` union (first cache
 * line, written anyway on the forwarding path). The manager overwrites it on
 * RX, so a driver's RSS hash is never mistaken for it.
 * ------------------------------------------------------------------------- */
typedef struct nfv_meta {
    uint16_t owner;      /* instance that holds it or whose RX ring has it; 0: manager or pool */
    uint8_t chain_pos;   /* index of the current step in its chain (0xFF: before the first) */
    uint8_t flags;
    uint16_t out_port;   /* port for the manager's TX work; NFV_OUT_FREE: back to the pool */
    uint16_t aux;        /* the index of its chain; with NFV_OUT_FREE: the NFV_DROP_* reason */
} nfv_meta_t;

/* An `out_port` that asks the manager to free the buffer and count it. */
#define NFV_OUT_FREE 0xFFFF
/* meta.flags: an NF chose the port the packet leaves by after the chain's
 * last step (`out_port`), instead of the exit port or its input port. */
#define NFV_FLAG_EGRESS 0x01
static inline void nfv_mbuf_set_egress(struct rte_mbuf *m, uint16_t port) {
    nfv_meta_t *meta = (nfv_meta_t *)(void *)&m->hash;
    meta->out_port = port; meta->flags |= NFV_FLAG_EGRESS;
}
static inline int nfv_mbuf_egress(const struct rte_mbuf *m) {
    const nfv_meta_t *meta = (const nfv_meta_t *)(const void *)&m->hash;
    return (meta->flags & NFV_FLAG_EGRESS) ? meta->out_port : -1;
}

_Static_assert(sizeof(nfv_meta_t) == sizeof(((struct rte_mbuf *)0)->hash), "meta fills the hash union");

static inline nfv_meta_t *nfv_mbuf_meta(struct rte_mbuf *m) { return (nfv_meta_t *)(void *)&m->hash; }
static inline uint16_t nfv_mbuf_owner(const struct rte_mbuf *m) { return ((const nfv_meta_t *)(const void *)&m->hash)->owner; }
static inline void nfv_mbuf_set_owner(struct rte_mbuf *m, uint16_t owner) { ((nfv_meta_t *)(void *)&m->hash)->owner = owner; }
/* A packet that enters the platform (from a port, or made by an NF): owned
 * by `owner`, before the first step of chain 0 (so `next` goes to its step 0). */
static inline void nfv_mbuf_meta_enter(struct rte_mbuf *m, uint16_t owner) {
    nfv_meta_t *meta = (nfv_meta_t *)(void *)&m->hash;
    meta->owner = owner; meta->chain_pos = 0xFF; meta->flags = 0; meta->out_port = 0; meta->aux = 0;
}
/* Puts a packet before the first step of chain `chain`. */
static inline void nfv_mbuf_enter_chain(struct rte_mbuf *m, uint16_t chain) {
    nfv_meta_t *meta = (nfv_meta_t *)(void *)&m->hash;
    meta->chain_pos = 0xFF; meta->aux = chain;
}

/* ---------------------------------------------------------------------------
 * mbuf accessors (macros and fields of a struct Swift cannot import).
 * ------------------------------------------------------------------------- */
static inline uint8_t *nfv_mbuf_data(struct rte_mbuf *m) { return rte_pktmbuf_mtod(m, uint8_t *); }
static inline uint16_t nfv_mbuf_data_len(const struct rte_mbuf *m) { return m->data_len; }
static inline uint16_t nfv_mbuf_port(const struct rte_mbuf *m) { return m->port; }
static inline uint16_t nfv_mbuf_tailroom(const struct rte_mbuf *m) { return rte_pktmbuf_tailroom(m); }
static inline void nfv_mbuf_set_len(struct rte_mbuf *m, uint16_t len) { m->data_len = len; m->pkt_len = len; }
static inline void nfv_mbuf_set_port(struct rte_mbuf *m, uint16_t port) { m->port = port; }
static inline uint32_t nfv_mbuf_pkt_len(const struct rte_mbuf *m) { return m->pkt_len; }

/* How many descriptors wait in `r`, as seen by a thread that is neither its
 * producer nor its consumer. rte_ring_count reads the producer's tail before
 * the consumer's: if both move between the two reads, the difference wraps
 * and it says "full" (a spurious backpressure hold). Reading the consumer's
 * tail first, the producer's can only be ahead of it: never a wrap; at most
 * it also counts what was taken between the two reads. */
static inline uint32_t nfv_ring_count(const struct rte_ring *r) {
    uint32_t cons = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
    uint32_t n = (prod - cons) & r->mask;
    return n > r->capacity ? r->capacity : n;
}
static inline uint32_t nfv_ring_free_count(const struct rte_ring *r) { return rte_ring_free_count(r); }

/* Takes up to `max` descriptors from a single-consumer ring and stamps each
 * buffer with its new owner before the ring lets go of them (peek, stamp,
 * finish): a consumer killed at any point leaves every buffer either in its
 * ring or stamped as its own, never in between. Empty entries (voided by
 * nfv_ring_repair_producer) are skipped. Returns how many it took. */
static inline unsigned nfv_ring_take(struct rte_ring *r, void **objs, unsigned max, uint16_t owner) {
    unsigned n = rte_ring_dequeue_burst_start(r, objs, max, NULL);
    unsigned kept = 0;
    /* Ask for every buffer's first line (for writing) before stamping any:
     * when the sender ran on the other CPU, the misses overlap instead of
     * coming one after the other. */
    for (unsigned i = 0; i < n; i++)
        if (objs[i] != NULL) __builtin_prefetch(&((struct rte_mbuf *)objs[i])->hash, 1, 3);
    for (unsigned i = 0; i < n; i++) {
        if (objs[i] == NULL) continue;
        nfv_mbuf_set_owner((struct rte_mbuf *)objs[i], owner);
        objs[kept++] = objs[i];
    }
    rte_ring_dequeue_finish(r, n);
    return kept;
}

/* Empties the ring of a consumer that died, from its consumer tail (so that
 * entries it had peeked at but not finished are included), up to `max`;
 * returns how many non-empty entries it copied into `objs`. Producers may
 * still be adding: what they add after the snapshot stays for the next
 * call. Manager only. */
static inline unsigned nfv_ring_salvage(struct rte_ring *r, void **objs, unsigned max) {
    uint32_t tail = r->cons.tail;
    uint32_t prod = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE); /* pairs with the producers' release of prod.tail */
    uint32_t n = prod - tail;
    if (n > max) n = max;
    void **slots = (void **)(void *)&r[1];
    unsigned kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        void *o = slots[(tail + i) & r->mask];
        if (o != NULL) objs[kept++] = o;
    }
    __atomic_store_n(&r->cons.head, tail + n, __ATOMIC_RELAXED);
    __atomic_store_n(&r->cons.tail, tail + n, __ATOMIC_RELEASE); /* pairs with the producers' acquire of cons.tail */
    return kept;
}

/* ---------------------------------------------------------------------------
 * The marked enqueue into an RX ring (HTS producers), so that the manager can
 * tell a dead producer's reservation from a live one's without a timeout.
 * A producer's mark (its slot's `producing`) is NFV_MARK(ring, head): the ring
 * and the head position it reserves from. The protocol (modelled in
 * Sources/NFVShared/Models/ownership.pml):
 *   1. wait until no reservation stands (head == tail), as HTS does;
 *   2. publish the mark for that head (ordered before the CAS by its release);
 *   3. reserve by CAS of the (head, tail) word; on failure go back to 1;
 *   4. write the entries, publish the tail (release), clear the mark.
 * So every reservation's holder marks its start before it holds it, and a
 * reservation that starts at a position no live producer marks belongs to a
 * dead producer (nfv_ring_repair_producer may void it).
 * ------------------------------------------------------------------------- */
#define NFV_MARK(ring, head) ((((uint64_t)(ring) + 1) << 32) | (uint32_t)(head))
static inline uint32_t nfv_mark_ring(uint64_t mark) { return (uint32_t)(mark >> 32) - 1; }
static inline uint32_t nfv_mark_head(uint64_t mark) { return (uint32_t)mark; }
static inline uint64_t nfv_mark_load(const uint64_t *mark) { return __atomic_load_n(mark, __ATOMIC_ACQUIRE); }
static inline void nfv_mark_clear(uint64_t *mark) { __atomic_store_n(mark, 0, __ATOMIC_RELEASE); }

/* Enqueues up to `n` descriptors into HTS-producer ring `r` (its index
 * `ring`), marking `mark` as above. Returns how many went in. `fault`, for
 * fault-injection tests only (NULL otherwise), counts down once per
 * reservation and stops the process (SIGSTOP) inside the reservation it
 * reaches 0 in. */
static inline unsigned nfv_ring_enqueue_marked(struct rte_ring *r, uint32_t ring, void *const *objs, unsigned n,
                                               uint64_t *mark, uint32_t *fault) {
    uint64_t *word = (uint64_t *)(void *)&r->hts_prod.ht.raw;
    unsigned spins = 0;
    for (;;) {
        /* Acquire: pairs with the release of the tail by the previous producer. */
        uint64_t raw = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        uint32_t head = (uint32_t)raw, tail = (uint32_t)(raw >> 32);
        if (head != tail) {
            /* Another producer is inside (or died inside: the manager repairs it). */
            if (++spins % 1024 == 0) sched_yield(); else rte_pause();
            continue;
        }
        /* Acquire: pairs with the consumer's release of cons.tail. */
        uint32_t cons_tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
        uint32_t room = r->capacity + cons_tail - head;
        unsigned k = n < room ? n : room;
        if (k == 0) return 0;
        /* Relaxed store, then a CAS with release order: whoever reads the
         * reservation with acquire (the manager reads the word, then the
         * marks) sees the mark too. No second fence on the hot path. */
        __atomic_store_n(mark, NFV_MARK(ring, head), __ATOMIC_RELAXED);
        uint64_t reserved = (uint64_t)(head + k) | ((uint64_t)tail << 32);
        if (!__atomic_compare_exchange_n(word, &raw, reserved, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) continue;
        if (fault != NULL && *fault > 0 && --*fault == 0) raise(SIGSTOP);
        void **slots = (void **)(void *)&r[1];
        for (unsigned i = 0; i < k; i++) slots[(head + i) & r->mask] = objs[i];
        /* Release: the entries are visible before the consumer sees the tail move. */
        __atomic_store_n(&r->hts_prod.ht.pos.tail, head + k, __ATOMIC_RELEASE);
        __atomic_store_n(mark, 0, __ATOMIC_RELEASE);
        return k;
    }
}

/* Copies, without taking them, the descriptors a ring holds now (from its
 * consumer tail, so entries a consumer has peeked at but not finished are
 * included; voided entries are skipped), up to `max`. Returns how many.
 * Reads only: safe while producers and the consumer work. Manager only. */
static inline unsigned nfv_ring_peek_all(const struct rte_ring *r, void **objs, unsigned max) {
    uint32_t tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE); /* pairs with the consumer's release */
    uint32_t prod = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE); /* pairs with the producers' release */
    uint32_t n = prod - tail;
    if (n > r->capacity) n = 0;  /* the two reads straddled a wrap: nothing certain, nothing copied */
    if (n > max) n = max;
    void *const *slots = (void *const *)(const void *)&r[1];
    unsigned kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        void *o = __atomic_load_n(&slots[(tail + i) & r->mask], __ATOMIC_RELAXED);
        if (o != NULL) objs[kept++] = o;
    }
    return kept;
}

/* A producer killed inside an enqueue leaves the ring's producer head ahead
 * of its tail: in HTS mode (RX rings) every other producer then waits for
 * ever, and in single-producer mode (TX rings) the next producer would
 * publish the half-written entries. These two repair that.
 *
 * nfv_ring_producer_gap: the producer head, and how far the tail lags it
 * (0 when no enqueue is under way). */
static inline uint32_t nfv_ring_producer_gap(const struct rte_ring *r, uint32_t *head) {
    uint64_t raw = __atomic_load_n((const uint64_t *)(const void *)&r->prod, __ATOMIC_ACQUIRE);
    uint32_t h = (uint32_t)raw, t = (uint32_t)(raw >> 32);
    *head = h;
    return h - t;
}

/* If the producer head is still `head` and the tail lags it, voids the
 * reserved entries (the consumer skips them) and moves the tail to the head,
 * as the dead producer would have. Returns how many entries it voided. Call
 * only for a reservation whose holder is dead: in an RX ring, one that starts
 * at a position no live producer marks; in a TX ring, that of its one
 * producer, dead. Manager only. */
static inline uint32_t nfv_ring_repair_producer(struct rte_ring *r, uint32_t head) {
    uint64_t *word = (uint64_t *)(void *)&r->prod;
    uint64_t raw = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    uint32_t h = (uint32_t)raw, t = (uint32_t)(raw >> 32);
    if (h != head || h == t) return 0;
    void **slots = (void **)(void *)&r[1];
    for (uint32_t i = t; i != h; i++) slots[i & r->mask] = NULL;
    uint64_t fixed = (uint64_t)h | ((uint64_t)h << 32);
    /* Release: the voided entries are visible before the consumer sees the tail move. */
    if (!__atomic_compare_exchange_n(word, &raw, fixed, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) return 0;
    return h - t;
}

/* Ring positions, for waiting until a consumer has taken everything that
 * was in its ring at some moment. */
static inline uint32_t nfv_ring_prod_tail(const struct rte_ring *r) { return __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE); }
static inline uint32_t nfv_ring_cons_tail(const struct rte_ring *r) { return __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE); }
static inline unsigned nfv_mempool_avail(const struct rte_mempool *mp) { return rte_mempool_avail_count(mp); }

/* Gives the calling lcore's cache of `mp` back to the pool (a worker
 * lcore that stops using it). */
static inline void nfv_mempool_flush_my_cache(struct rte_mempool *mp) {
    struct rte_mempool_cache *cache = rte_mempool_default_cache(mp, rte_lcore_id());
    if (cache != NULL) rte_mempool_cache_flush(cache, mp);
}
/* Frees `n` mbufs (every segment) to their pools straight into the pools'
 * rings, bypassing any per-lcore cache: for NF processes, whose threads all
 * share lcore ID 0 and must not touch its cache. */
static inline void nfv_free_bulk_uncached(struct rte_mbuf **mbufs, unsigned n) {
    void *objs[64];
    unsigned k = 0;
    struct rte_mempool *mp = NULL;
    for (unsigned i = 0; i < n; i++) {
        struct rte_mbuf *seg = mbufs[i];
        while (seg != NULL) {
            struct rte_mbuf *next = seg->next;
            struct rte_mbuf *m = rte_pktmbuf_prefree_seg(seg);
            if (m != NULL) {
                if (k == 64 || (mp != NULL && m->pool != mp)) { rte_mempool_generic_put(mp, objs, k, NULL); k = 0; }
                mp = m->pool;
                objs[k++] = m;
            }
            seg = next;
        }
    }
    if (k > 0) rte_mempool_generic_put(mp, objs, k, NULL);
}
static inline unsigned nfv_mempool_size(const struct rte_mempool *mp) { return mp->size; }

static inline int nfv_errno(void) { return rte_errno; }
static inline uint16_t nfv_default_buf_size(void) { return RTE_MBUF_DEFAULT_BUF_SIZE; }
static inline uint64_t nfv_tsc(void) { return rte_rdtsc(); }
static inline void nfv_pause(void) { rte_pause(); }
static inline uint64_t nfv_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sets the owner of every buffer of the pool to 0 (the manager); the pool is
 * created that way so that ownership tracking starts clean. */
static void nfv_owner_clear_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned idx) {
    (void)mp; (void)opaque; (void)idx;
    nfv_mbuf_set_owner((struct rte_mbuf *)obj, 0);
}
static inline void nfv_mempool_clear_owners(struct rte_mempool *mp) {
    rte_mempool_obj_iter(mp, nfv_owner_clear_cb, NULL);
}

struct nfv_collect { uint16_t owner; uint16_t any; struct rte_mbuf **out; unsigned max; unsigned n; };
static void nfv_collect_cb(struct rte_mempool *mp, void *opaque, void *obj, unsigned idx) {
    (void)mp; (void)idx;
    struct nfv_collect *c = (struct nfv_collect *)opaque;
    uint16_t o = nfv_mbuf_owner((struct rte_mbuf *)obj);
    if ((c->any ? o != 0 : o == c->owner) && c->n < c->max) c->out[c->n++] = (struct rte_mbuf *)obj;
}
/* Collects up to `max` buffers whose owner is `owner` (any non-zero owner
 * when `any_owner` is set). Only safe while no live party can hold them. */
static inline unsigned nfv_mempool_collect_owned(struct rte_mempool *mp, uint16_t owner, int any_owner,
                                                 struct rte_mbuf **out, unsigned max) {
    struct nfv_collect c = { owner, (uint16_t)(any_owner != 0), out, max, 0 };
    rte_mempool_obj_iter(mp, nfv_collect_cb, &c);
    return c.n;
}

#endif
