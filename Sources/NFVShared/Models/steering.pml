/*
 * steering.pml: the versioned steering table's reclamation protocol, for spin.
 *
 * What it models (the code it stands for, in shim.h and SteeringTable.swift):
 * - the writer (the manager's control thread, SteeringTable.publish): picks a
 *   slot that is not current and that no reader's announcement names
 *   (nfv_steer_slot_free, one load per reader), writes the new version into
 *   it, then makes it current (nfv_steer_publish);
 * - readers (the dataplane thread, each NF; nfv_steer_enter): load current;
 *   if it is what they announced, use it; else announce it, load current
 *   again and retry until the two agree; read the slot for a burst; between
 *   bursts they may quiesce (announce nothing: an empty poll, a sleep);
 * - reader 1 may die at any step (SIGKILL); the manager clears a reader's
 *   announcement only once it is dead (Registry, on the process's exit);
 *   reader 0 may stop for as long as it likes (every step is optional).
 * Words are (version * 4) + slot + 1, as (version << 8) | (slot + 1); 0 is
 * "nothing announced". spin's interleavings are sequentially consistent, as
 * the seq_cst loads and stores of the protocol are.
 *
 * Properties:
 * - safety: a reader never reads a slot while it is being written, and
 *   the slot holds, for the whole read, the version the reader announced;
 * - liveness: every run ends with the writer's versions all published and
 *   every process done (end-state check; spin's invalid end states).
 *
 * Variants that must FAIL (make verify checks that they do):
 * -DNORECHECK: a reader uses the version it loaded without loading current
 *         again after announcing it: the writer can reuse that slot in
 *         between, and the reader reads a slot being rewritten;
 * -DNOSCAN: the writer rewrites any slot that is not current, whatever
 *         readers announce;
 * -DREAPLIVE: the manager clears the announcement of a reader that is not
 *         dead (a timeout: "it has not moved for 10 ms"), so a stopped
 *         reader's slot is rewritten under it.
 */

#define S 3           /* version slots */
#define NV 3          /* versions the writer publishes after the first */
#define R 2           /* readers */
#define BURSTS 2      /* bursts each reader reads */

#define SLOT(w) ((w) % 4 - 1)
#define VER(w) ((w) / 4)

byte current = 1;             /* version 0 in slot 0 */
byte announced[R];            /* 0: none */
byte content[S];              /* the version each slot holds */
bool writing[S];
bool dead[R];
bool done[R];
bool published = false;

proctype Reader(byte r) {
    byte mine = 0;            /* what it announced last (its private copy) */
    byte v, again, seen;
    byte bursts = 0;
    do
    :: bursts == BURSTS -> break
    :: bursts < BURSTS ->
        /* nfv_steer_enter */
        v = current;
        if
        :: v == mine -> skip
        :: else ->
            do
            :: announced[r] = v;
#ifdef NORECHECK
               break
#else
               again = current;
               if
               :: again == v -> break
               :: else -> v = again
               fi
#endif
            od;
            mine = v
        fi;
        /* the burst reads the slot, in two steps */
        assert(!writing[SLOT(v)]);
        seen = content[SLOT(v)];
        assert(seen == VER(v));
        assert(!writing[SLOT(v)] && content[SLOT(v)] == VER(v));
        bursts++;
        if
        :: skip                                   /* busy: keeps its announcement */
        :: announced[r] = 0; mine = 0             /* nfv_steer_quiesce */
        fi
    :: r == 1 -> dead[r] = true; goto gone        /* SIGKILL, at any step */
    od;
    announced[r] = 0;
    done[r] = true;
gone:
    skip
}

/* Registry: clears the announcement of a reader whose process is gone. */
proctype Reaper() {
    byte r;
    do
    :: published && (done[0] || dead[0]) && (done[1] || dead[1]) -> break
    :: dead[1] && announced[1] != 0 -> announced[1] = 0
#ifdef REAPLIVE
    :: announced[0] != 0 -> announced[0] = 0
#endif
    od
}

proctype Writer() {
    byte n = 1, s, r, a;
    bool free;
    do
    :: n > NV -> break
    :: n <= NV ->
        /* nfv_steer_slot_free for each slot in turn, until one is free */
        s = 0;
        do
        :: s == S -> s = 0                        /* none free now: look again */
        :: s < S ->
            free = (SLOT(current) != s);
#ifndef NOSCAN
            r = 0;
            do
            :: r == R -> break
            :: r < R -> a = announced[r]; free = free && (a == 0 || SLOT(a) != s); r++
            od;
#endif
            if
            :: free -> break
            :: else -> s++
            fi
        od;
        writing[s] = true;
        content[s] = n;
        writing[s] = false;
        current = n * 4 + s + 1;                  /* nfv_steer_publish */
        n++
    od;
    published = true
}

init {
    content[0] = 0;
    atomic {
        run Writer();
        run Reader(0);
        run Reader(1);
        run Reaper()
    }
    (published && (done[0] || dead[0]) && (done[1] || dead[1]));
    assert(VER(current) == NV)
}
