/*
 * prov's compiled kernel, difflib's matching blocks on word ids (the same blocks as
 * difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()):
 *
 *   blocks    the blocks of two id arrays (pk_matching: a passage and a window of the
 *             copy; the shorter held whole by the longer found without the search)
 */
#include "_kernel.h"

/* Where each item of a occurs in b, for difflib's b2j loop (its dict of b's positions):
 * b's positions of a[i]'s id from the last down, heads[i] then next[...], -1 ending;
 * and lengths/stamps, the runs ending at each position of b in the rows met (a row's
 * stamp: *row, grown by each call of longest). */
typedef struct {
    Py_ssize_t *heads, *next, *lengths, *stamps, row;
} Places;

/* places' lists made (a hash table of b's ids on `table`: 2 * slots items, slots a power
 * of two above 2 * lb); the pairs of equal items returned (negative ids: none). */
static Py_ssize_t place(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                        Places *pl, int64_t *table, Py_ssize_t slots) {
    const int shift = 64 - __builtin_ctzll((unsigned long long)slots);
    Py_ssize_t pairs = 0;
    for (Py_ssize_t h = 0; h < slots; h++) table[2 * h + 1] = -1; /* (an empty slot) */
    for (Py_ssize_t j = 0; j < lb; j++) {
        pl->lengths[j] = 0, pl->stamps[j] = -1, pl->next[j] = -1;
        if (b[j] < 0) continue;
        size_t h = (size_t)(((uint64_t)b[j] * 0x9E3779B97F4A7C15ull) >> shift);
        while (table[2 * h + 1] >= 0 && table[2 * h] != b[j]) h = (h + 1) & (size_t)(slots - 1);
        pl->next[j] = table[2 * h + 1]; /* (-1 for the first) */
        table[2 * h] = b[j], table[2 * h + 1] = j;
    }
    for (Py_ssize_t i = 0; i < la; i++) {
        pl->heads[i] = -1;
        if (a[i] < 0) continue;
        size_t h = (size_t)(((uint64_t)a[i] * 0x9E3779B97F4A7C15ull) >> shift);
        while (table[2 * h + 1] >= 0 && table[2 * h] != a[i]) h = (h + 1) & (size_t)(slots - 1);
        pl->heads[i] = table[2 * h + 1];
        for (Py_ssize_t j = pl->heads[i]; j >= 0; j = pl->next[j]) pairs++;
    }
    pl->row = 0;
    return pairs;
}

/* difflib.SequenceMatcher.find_longest_match(alo, ahi, blo, bhi) with no junk (autojunk
 * off), as difflib finds it: the runs of equal items ending at each equal pair, row by
 * row of a (b's places of a[i] walked from the last down: the previous row's run at
 * j - 1 not yet overwritten), the longest kept, the first one met scanning a, then b
 * (its extension loops find nothing more without junk). */
static Block longest(Py_ssize_t alo, Py_ssize_t ahi, Py_ssize_t blo, Py_ssize_t bhi,
                     Places *pl) {
    Block best = {alo, blo, 0};
    const Py_ssize_t base = pl->row + 2; /* (a row of an earlier call: never base - 1) */
    Py_ssize_t *lengths = pl->lengths, *stamps = pl->stamps;
    for (Py_ssize_t i = alo; i < ahi; i++) {
        const Py_ssize_t stamp = base + (i - alo);
        Py_ssize_t most = 0, at = 0;
        for (Py_ssize_t j = pl->heads[i]; j >= blo; j = pl->next[j]) {
            if (j >= bhi) continue;
            const Py_ssize_t k = j > blo && stamps[j - 1] == stamp - 1 ? lengths[j - 1] + 1 : 1;
            lengths[j] = k, stamps[j] = stamp;
            if (k >= most) most = k, at = j; /* (the first j of the row's longest) */
        }
        if (most > best.k) best.i = i - most + 1, best.j = at - most + 1, best.k = most;
    }
    pl->row = base + (ahi - alo);
    return best;
}

/* longest on ids narrowed to 32 bits (a's negative ids made -1, b's -2: unlike
 * everything, as longest holds them), the same block: each row's runs in a loop
 * without branches, which the compiler makes vector code (4 or 8 pairs at once). */
/* One row of longest32: cur[j + 1] for j in [blo, bhi), and the longest run. */
static inline int32_t row32(const int32_t *restrict b, const int32_t *restrict prev,
                            int32_t *restrict cur, Py_ssize_t blo, Py_ssize_t bhi, int32_t x) {
    int32_t most = 0;
    for (Py_ssize_t j = blo; j < bhi; j++) {
        const int32_t k = (prev[j] + 1) & -(int32_t)(b[j] == x);
        cur[j + 1] = k;
        most = k > most ? k : most;
    }
    return most;
}

static Block longest32(const int32_t *a, const int32_t *b, Py_ssize_t alo, Py_ssize_t ahi,
                       Py_ssize_t blo, Py_ssize_t bhi, int32_t *prev, int32_t *cur) {
    Block best = {alo, blo, 0};
    for (Py_ssize_t j = blo; j <= bhi; j++) prev[j] = cur[j] = 0;
    for (Py_ssize_t i = alo; i < ahi; i++) {
        const int32_t most = row32(b, prev, cur, blo, bhi, a[i]);
        if (most > best.k) { /* the first run of that length in the row */
            Py_ssize_t j = blo;
            while (cur[j + 1] != most) j++;
            best.i = i - most + 1, best.j = j - most + 1, best.k = most;
        }
        int32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return best;
}

static int cmp_block(const void *x, const void *y) {
    const Py_ssize_t a = ((const Block *)x)->i, b = ((const Block *)y)->i;
    return (a > b) - (a < b);
}

/* The shorter of a and b held whole by the longer (none of its ids negative: they match
 * nothing): its first place there as the one block of pk_matching (difflib's longest
 * match is then the shorter whole, its first place scanning a then b; nothing is left on
 * either side of it to recurse on). 1: out[0] made; 0: not held. A pair the claims made
 * word for word is most of align's: found in one pass, not in la * lb steps. */
static int held(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb, Block *out) {
    const int64_t *n = la <= lb ? a : b, *h = la <= lb ? b : a;
    const Py_ssize_t ln = la <= lb ? la : lb, lh = la <= lb ? lb : la;
    if (!ln) return 0;
    for (Py_ssize_t k = 0; k < ln; k++)
        if (n[k] < 0) return 0;
    for (Py_ssize_t at = 0; at + ln <= lh; at++)
        if (h[at] == n[0] && !memcmp(h + at, n, sizeof(int64_t) * (size_t)ln)) {
            out[0] = la <= lb ? (Block){0, at, la} : (Block){at, 0, lb};
            return 1;
        }
    return 0;
}

/* difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() of two id
 * arrays (negative ids match nothing: words one side lacks), adjacent blocks joined,
 * without the final empty one: written to out (at least min(la, lb) + 1 blocks), their
 * number returned (-1: out of memory, the error set). The work is at most la * lb per
 * level of difflib's recursion: align calls it for a passage and a window of the copy
 * (tens of words), else uses cydifflib (the same blocks). */
Py_ssize_t pk_matching(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                       Block *out) {
    if (held(a, la, b, lb, out)) return 1;
    const Py_ssize_t most = (la < lb ? la : lb) + 1; /* blocks (disjoint) and rectangles */
    /* the ids in 32 bits when they fit (a copy's ids do: below 2**21), for longest32 */
    int narrow = la + lb < INT32_MAX;
    for (Py_ssize_t i = 0; narrow && i < la; i++) narrow = a[i] < INT32_MAX;
    for (Py_ssize_t j = 0; narrow && j < lb; j++) narrow = b[j] < INT32_MAX;
    Py_ssize_t slots = 16;
    while (slots < 2 * lb) slots *= 2;
    /* scratch: the rectangles' queue, places (and its hash table), the ids narrowed and
     * their rows; on the stack when small (a passage and a window: tens of words) */
    const size_t nplaces = (size_t)(la + 3 * lb + 2 * slots);
    const size_t n32 = narrow ? (size_t)(la + lb + 2 * (lb + 1) + 1) : 0;
    const size_t bytes = sizeof(Py_ssize_t[4]) * (size_t)(most + 1) +
                         sizeof(Py_ssize_t) * nplaces + sizeof(int32_t) * n32;
    _Alignas(16) char stack[16384];
    char *scratch = bytes <= sizeof stack ? stack : PyMem_Malloc(bytes);
    if (!scratch) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t(*queue)[4] = (Py_ssize_t(*)[4])scratch;
    Py_ssize_t *room = (Py_ssize_t *)(scratch + sizeof(Py_ssize_t[4]) * (size_t)(most + 1));
    Places pl = {room, room + la, room + la + lb, room + la + 2 * lb, 0};
    const Py_ssize_t pairs = place(a, la, b, lb, &pl, (int64_t *)(room + la + 3 * lb), slots);
    /* difflib's own loop over the equal pairs, or every pair in vector code when most
     * pairs are equal (a text of few words): the same blocks */
    int32_t *a32 = narrow && 4 * pairs > la * lb ? (int32_t *)(room + nplaces) : NULL;
    Py_ssize_t nfound = 0, nqueue = 0;
    int32_t *b32 = a32 ? a32 + la : NULL, *rows32 = a32 ? a32 + la + lb : NULL;
    for (Py_ssize_t i = 0; a32 && i < la; i++) a32[i] = a[i] < 0 ? -1 : (int32_t)a[i];
    for (Py_ssize_t j = 0; b32 && j < lb; j++) b32[j] = b[j] < 0 ? -2 : (int32_t)b[j];
    queue[nqueue][0] = 0, queue[nqueue][1] = la, queue[nqueue][2] = 0, queue[nqueue][3] = lb;
    nqueue++;
    while (nqueue) {
        nqueue--;
        const Py_ssize_t alo = queue[nqueue][0], ahi = queue[nqueue][1];
        const Py_ssize_t blo = queue[nqueue][2], bhi = queue[nqueue][3];
        const Block x = a32 ? longest32(a32, b32, alo, ahi, blo, bhi, rows32, rows32 + lb + 1)
                            : longest(alo, ahi, blo, bhi, &pl);
        if (!x.k) continue;
        out[nfound++] = x;
        if (alo < x.i && blo < x.j) {
            queue[nqueue][0] = alo, queue[nqueue][1] = x.i;
            queue[nqueue][2] = blo, queue[nqueue][3] = x.j;
            nqueue++;
        }
        if (x.i + x.k < ahi && x.j + x.k < bhi) {
            queue[nqueue][0] = x.i + x.k, queue[nqueue][1] = ahi;
            queue[nqueue][2] = x.j + x.k, queue[nqueue][3] = bhi;
            nqueue++;
        }
    }
    if (scratch != stack) PyMem_Free(scratch);
    if (nfound > 16) {
        qsort(out, (size_t)nfound, sizeof(Block), cmp_block);
    } else { /* (a few blocks: by insertion; no two start at the same i) */
        for (Py_ssize_t m = 1; m < nfound; m++) {
            const Block x = out[m];
            Py_ssize_t j = m;
            for (; j > 0 && out[j - 1].i > x.i; j--) out[j] = out[j - 1];
            out[j] = x;
        }
    }
    Py_ssize_t n = 0; /* difflib's collapse of adjacent blocks */
    for (Py_ssize_t m = 0; m < nfound; m++) {
        if (n && out[n - 1].i + out[n - 1].k == out[m].i && out[n - 1].j + out[n - 1].k == out[m].j)
            out[n - 1].k += out[m].k;
        else
            out[n++] = out[m];
    }
    return n;
}

/* blocks(a, b): the matching blocks as (i, j, size) tuples, ending with (la, lb, 0). */
PyObject *pk_blocks(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_a, *o_b;
    if (!PyArg_ParseTuple(args, "OO:blocks", &o_a, &o_b)) return NULL;
    Py_buffer bufs[2];
    if (pk_get_pair(o_a, o_b, bufs) < 0) return NULL;
    const int64_t *a = bufs[0].buf, *b = bufs[1].buf;
    const Py_ssize_t la = bufs[0].len / 8, lb = bufs[1].len / 8;
    Block *found = PyMem_Malloc(sizeof(Block) * (size_t)((la < lb ? la : lb) + 1));
    PyObject *result = NULL;
    Py_ssize_t n = found ? pk_matching(a, la, b, lb, found) : (PyErr_NoMemory(), -1);
    if (n < 0 || !(result = PyList_New(n + 1))) goto done;
    for (Py_ssize_t m = 0; m <= n; m++) {
        const Block x = m < n ? found[m] : (Block){la, lb, 0};
        PyObject *t = Py_BuildValue("(nnn)", x.i, x.j, x.k);
        if (!t) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, m, t);
    }
done:
    PyMem_Free(found);
    pk_release_arrays(bufs, 2);
    return result;
}
