/*
 * ownership.pml: SwiftNFV's buffer ownership protocol, for spin.
 *
 * What it models (the code it stands for):
 * - take: peek, stamp, finish (nfv_ring_take in shim.h);
 * - the marked HTS enqueue (nfv_ring_enqueue_marked): a producer waits until
 *   no reservation stands, publishes in its own slot the position it is about
 *   to reserve from, then reserves by CAS, writes, publishes the tail and
 *   clears its mark;
 * - the dead-producer repair (Registry.repairRings): a reservation is voided
 *   only when it starts at a dead producer's mark and no live producer marks
 *   the same position;
 * - the supply (BufferSupply): a sender's new buffers come from a supply
 *   the manager stocks from the pool, taken as any descriptors (peek, stamp,
 *   finish); the manager takes back what is left when the sender goes;
 * - the reclaim batch (Reclaimer.add / finish): dead instances join a batch
 *   (their supply taken back first); the batch waits until the live consumer
 *   has taken everything its ring held when the last member joined, then
 *   frees every buffer stamped with a member that sits in no ring;
 * - a stale sender: a sender may also queue into ring W, the ring of a slot
 *   that has left (nobody consumes it and no reclaim waits on it; at
 *   shutdown the manager salvages it).
 *
 * Parties: the pool (0); senders X (1) and Z (2), which may die (SIGKILL) at
 * any step; receiver Y (3), live, the single consumer of the one RX ring; the
 * manager. Y's free is atomic here (it goes through Y's TX ring to the
 * manager, and Y does not die in this model).
 *
 * Properties:
 * - safety (assert in reclaimFree): the manager never frees a buffer that a
 *   live party holds or that sits in the ring, published or reserved;
 * - liveness (the end-state check in init, and spin's invalid end states):
 *   every run ends with every process done and every buffer back in the pool.
 *
 * Variants that must FAIL (make verify checks that they do):
 * -DNOEXCLUDE: the scan frees buffers that sit in a ring (the code before
 *         it read the rings first): a stale sender's buffer in W is freed;
 * -DNOSTALE -DNOEXCLUDE -DBUG1: no stale sender, no exclusion, and the
 *         batch keeps the ring position of its first member only (the bug
 *         fixed in Reclaimer.add): a use-after-free in Y's ring.
 * And variants that must PASS: -DBUG1 (the exclusion alone covers item 1's
 * interleaving) and -DNOSTALE -DNOEXCLUDE (without stale senders the wait
 * alone suffices): the two fixes are defence in depth.
 * -DBUG2: a standing reservation is voided whoever holds it (the old
 *         "stood still for 10 ms" rule): a live, preempted producer's
 *         descriptor is lost.
 * -DBUG3: senders allocate from the pool themselves and stamp afterwards
 *         (the old PacketPool.allocate): a kill in between loses a buffer.
 */

#define NB 3          /* buffers */
#define RS 4          /* ring slots: more than can ever be queued (NB) */
#define MASK 3
#define K 2           /* descriptors each sender tries to send */

#define POOL 0
#define X 1
#define Z 2
#define Y 3

byte stamp[NB];       /* owner stamp in each buffer's metadata */
bool inPool[NB];
bool inSupply[NB];    /* in the supply ring of sender supplyOf[b] */
bool inW[NB];         /* in ring W, which nobody consumes (a stale sender's) */
byte supplyOf[NB];
byte slots[RS];       /* buffer index + 1; 0: empty or voided */
byte phead, ptail;    /* producer head and tail; positions never wrap here */
byte ctail;           /* consumer tail */
bool marked[3];       /* marked[p]: p is inside an enqueue ... */
byte markPos[3];      /* ... reserving from markPos[p] */

bool alive[3];        /* senders only: Y and the manager do not die */
bool exited[3];       /* a sender said goodbye */
bool handled[3];      /* the manager has repaired after and batched a dead sender */
bool returned[3];     /* the manager has taken back an exited sender's supply */

/* ghosts, for the safety property */
byte heldBy[4];       /* buffer index + 1 a party holds outside any ring */

#define MAYDIE if :: skip :: alive[me] = false; goto gone fi

proctype Sender(byte me) {
    byte k, b, h;
    do
    :: k < K ->
#ifdef BUG3
        atomic {
            if
            :: inPool[0] -> b = 0
            :: inPool[1] -> b = 1
            :: inPool[2] -> b = 2
            :: else -> goto finished
            fi;
            inPool[b] = false
        }
        MAYDIE;
        stamp[b] = me; heldBy[me] = b + 1;
#else
        atomic {                                         /* peek at the supply */
            if
            :: inSupply[0] && supplyOf[0] == me -> b = 0
            :: inSupply[1] && supplyOf[1] == me -> b = 1
            :: inSupply[2] && supplyOf[2] == me -> b = 2
            :: else -> goto finished
            fi
        }
        MAYDIE;
        stamp[b] = me; heldBy[me] = b + 1;               /* stamp */
        MAYDIE;
        inSupply[b] = false;                             /* finish */
#endif
        MAYDIE;
#ifndef NOSTALE
        if
        :: atomic { inW[b] = true; heldBy[me] = 0 }; MAYDIE; k++; goto next   /* a stale view: W */
        :: skip
        fi;
#endif
retry:
        atomic { phead == ptail -> h = phead }          /* HTS: wait for no reservation */
        markPos[me] = h; marked[me] = true;              /* mark, then reserve */
        MAYDIE;
        atomic {
            if
            :: phead == h && ptail == h -> phead = h + 1 /* CAS (h,h) -> (h+1,h) */
            :: else -> marked[me] = false; goto retry
            fi
        }
        MAYDIE;
        slots[h & MASK] = b + 1; heldBy[me] = 0;
        MAYDIE;
        ptail = h + 1;                                   /* publish */
        MAYDIE;
        marked[me] = false;
        k++;
next:
        skip
    :: else -> break
    od;
finished:
    exited[me] = true;
gone:
    skip
}

proctype Receiver() {
    byte b;
    do
    :: ctail != ptail ->
        b = slots[ctail & MASK];                         /* peek */
        heldBy[Y] = b;
        if :: b != 0 -> stamp[b - 1] = Y :: else -> skip fi;    /* stamp */
        ctail++;                                         /* finish */
        if
        :: b != 0 -> atomic { stamp[b - 1] = POOL; inPool[b - 1] = true; heldBy[Y] = 0 }
        :: else -> skip
        fi
    :: atomic { (exited[X] || handled[X]) && (exited[Z] || handled[Z]) && ctail == ptail -> break }
    od
}

/* Is buffer b where a live party can reach it? */
#define INRING(b) ((ctail < phead && slots[ctail & MASK] == b + 1) \
                || (ctail + 1 < phead && slots[(ctail + 1) & MASK] == b + 1) \
                || (ctail + 2 < phead && slots[(ctail + 2) & MASK] == b + 1) \
                || (ctail + 3 < phead && slots[(ctail + 3) & MASK] == b + 1))
#define REACHABLE(b) (INRING(b) || inW[b] || inSupply[b] || heldBy[Y] == b + 1 \
                || (alive[X] && heldBy[X] == b + 1) || (alive[Z] && heldBy[Z] == b + 1))

#ifdef NOEXCLUDE
#define QUEUED(b) false
#else
#define QUEUED(b) (INRING(b) || inW[b])
#endif

inline reclaimFree(b) {
    if
    :: !inPool[b] && stamp[b] != POOL && (batch & (1 << stamp[b])) != 0 && !QUEUED(b) ->
        assert(!REACHABLE(b));
        stamp[b] = POOL; inPool[b] = true
    :: else -> skip
    fi
}

/* Voids the standing reservation [ptail, phead) and moves the tail on. */
inline voidReservation() {
    atomic {
        if
        :: phead != ptail ->
            slots[ptail & MASK] = 0;   /* one reservation is one descriptor here */
            ptail = phead
        :: else -> skip
        fi
    }
}

/* Takes back what is left in p's supply. */
inline takeBack(p) {
    atomic {
        if :: inSupply[0] && supplyOf[0] == p -> inSupply[0] = false; stamp[0] = POOL; inPool[0] = true :: else -> skip fi;
        if :: inSupply[1] && supplyOf[1] == p -> inSupply[1] = false; stamp[1] = POOL; inPool[1] = true :: else -> skip fi;
        if :: inSupply[2] && supplyOf[2] == p -> inSupply[2] = false; stamp[2] = POOL; inPool[2] = true :: else -> skip fi
    }
}

/* Stocks a live sender p whose supply is empty with one buffer from the pool. */
#define EMPTY(p) (!(inSupply[0] && supplyOf[0] == p) && !(inSupply[1] && supplyOf[1] == p) && !(inSupply[2] && supplyOf[2] == p))
inline topUp(p, b) {
    atomic { alive[p] && !exited[p] && EMPTY(p) && inPool[b] -> inPool[b] = false; supplyOf[b] = p; inSupply[b] = true }
}

/* A dead sender p: repair what it left in the ring, then join the batch. */
inline onDeath(p, q) {
#ifdef BUG2
    voidReservation();
#else
    if
    :: marked[p] && ptail == markPos[p] && phead != ptail ->
        /* wait while the live sender q marks the same position: it either
         * holds the reservation (and will publish) or will fail its CAS */
        !(alive[q] && marked[q] && markPos[q] == ptail);
        atomic { if :: ptail == markPos[p] && phead != ptail -> voidReservation() :: else -> skip fi }
    :: else -> skip
    fi;
#endif
    takeBack(p);
    batch = batch | (1 << p);
#ifdef BUG1
    if :: !waiting -> waitPos = ptail; waiting = true :: else -> skip fi;
#else
    waitPos = ptail; waiting = true;
#endif
    handled[p] = true
}

proctype Manager() {
    byte batch, waitPos;
    bool waiting;
    do
    :: !alive[X] && !handled[X] -> onDeath(X, Z)
    :: !alive[Z] && !handled[Z] -> onDeath(Z, X)
    :: exited[X] && !returned[X] -> takeBack(X); returned[X] = true
    :: exited[Z] && !returned[Z] -> takeBack(Z); returned[Z] = true
#ifndef BUG3
    :: topUp(X, 0) :: topUp(X, 1) :: topUp(X, 2)
    :: topUp(Z, 0) :: topUp(Z, 1) :: topUp(Z, 2)
#endif
    :: batch != 0 && ctail >= waitPos ->
        reclaimFree(0); reclaimFree(1); reclaimFree(2);
        batch = 0; waiting = false
    :: atomic { (returned[X] || handled[X]) && (returned[Z] || handled[Z]) && batch == 0 -> break }
    od;
    /* shutdown: what W holds is salvaged */
    atomic {
        if :: inW[0] -> inW[0] = false; stamp[0] = POOL; inPool[0] = true :: else -> skip fi;
        if :: inW[1] -> inW[1] = false; stamp[1] = POOL; inPool[1] = true :: else -> skip fi;
        if :: inW[2] -> inW[2] = false; stamp[2] = POOL; inPool[2] = true :: else -> skip fi
    }
}

init {
    atomic {
#ifdef BUG3
        inPool[0] = true; inPool[1] = true; inPool[2] = true;
#else
        /* the manager stocks X with buffer 0 and Z with buffers 1 and 2 */
        inSupply[0] = true; supplyOf[0] = X;
        inSupply[1] = true; supplyOf[1] = Z;
        inSupply[2] = true; supplyOf[2] = Z;
#endif
        alive[X] = true; alive[Z] = true;
        run Sender(X); run Sender(Z); run Receiver(); run Manager()
    }
    (_nr_pr == 1);
    assert(inPool[0] && inPool[1] && inPool[2])
}
