/*
 * The internal header of prov's compiled kernel (the extension provenance.match._kernel,
 * built by setup.py from these files, all of them one module):
 *
 *   _kernel.c         the module: its method table and init, the buffer helpers
 *   _kernel_scan.c    fingerprinting (fingerprint.py's two loops): scan (simple tokens and
 *                     their xxh3-64) and sketch (shingles, MinHash, band keys)
 *   _kernel_search.c  where a passage lies in a copy, on word ids: vote (n-gram
 *                     diagonals), match (claims._match in a window), search (a passage's
 *                     windows around its diagonals)
 *   _kernel_blocks.c  blocks (difflib's matching blocks of two id arrays: pk_matching)
 *   _kernel_claim.c   which copy words a candidate's passages claim, in align's order, and
 *                     the memo (a dict of bytes) that keeps its votes and searches
 *   _kernel_vocab.c   number (a copy's words numbered, its n-grams' keys, the table ids()
 *                     looks words up in)
 *   _kernel_align.c   align (a candidate aligned in one call: claims, edges, the matches
 *                     made), diff (alignwork.pair), ids (words as a copy's ids)
 *   _kernel_bags.c    the reworded-passage search's tf-idf loops on dicts (bags.py's weigh,
 *                     weigh_more, cosine; texts.py's held), the same floats bit for bit
 *
 * What the files share is declared here, with a pk_ prefix; the rest is static to its file.
 * Arrays are passed as C-contiguous buffers; every size, span and id is checked by the
 * function Python calls, so a wrong call raises ValueError, never reads or writes out of
 * bounds. No NumPy headers are needed.
 */
#ifndef PROV_KERNEL_H
#define PROV_KERNEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* _kernel.c: the buffer helpers */

/* A C-contiguous buffer of sizes[j]-byte items for each of objs[0..n), outputs (writable)
 * from index `first_output` on: all acquired (0), or none, with the error set (-1). */
int pk_get_arrays(PyObject *const *objs, Py_buffer *bufs, const Py_ssize_t *sizes,
                  const char *const *names, int n, int first_output);
void pk_release_arrays(Py_buffer *bufs, int n);
/* Two id arrays as int64 buffers (released by the caller). */
int pk_get_pair(PyObject *o_a, PyObject *o_b, Py_buffer *bufs);

/* The first index of sorted keys[0..n) not below key (above = 0) or above it (above = 1). */
static inline Py_ssize_t pk_bound(const int64_t *keys, Py_ssize_t n, int64_t key, int above) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        const Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key || (above && keys[mid] == key)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The window of a passage of size words around diagonal diag of the copy's lc words,
 * slack words either side: [*lo, *hi). */
static inline void pk_window(Py_ssize_t diag, Py_ssize_t size, Py_ssize_t slack, Py_ssize_t lc,
                             Py_ssize_t *lo, Py_ssize_t *hi) {
    *lo = diag - slack > 0 ? diag - slack : 0;
    *hi = diag + size + slack < lc ? diag + size + slack : lc;
}

/* The next run of free words (u[k] == 0) of [*i, hi): set in [*i, *j); 0 when none is
 * left (claims._free_runs, one run a call). */
static inline int pk_next_run(const unsigned char *u, Py_ssize_t hi, Py_ssize_t *i,
                              Py_ssize_t *j) {
    Py_ssize_t a = *i;
    while (a < hi && u[a]) a++;
    if (a >= hi) return 0;
    Py_ssize_t b = a;
    while (b < hi && !u[b]) b++;
    *i = a, *j = b;
    return 1;
}

/* Room in a growing int64 array for `need` items (-1: out of memory). */
static inline int pk_grow_i64(int64_t **d, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap) return 0;
    const Py_ssize_t room = 2 * need + 64;
    int64_t *grown = PyMem_Realloc(*d, sizeof(int64_t) * (size_t)room);
    if (!grown) return -1;
    *d = grown, *cap = room;
    return 0;
}

/* A copy's n-gram tables (CopyIds): its trigrams' and bigrams' keys, sorted, with their
 * positions (the same order), and its vocabulary's size (the keys' base); first3 and
 * first2 (or NULL): where the keys of each first word a start, [first[a], first[a + 1])
 * (pk_first_words). */
typedef struct {
    const int64_t *keys3, *pos3, *keys2, *pos2;
    Py_ssize_t n3, n2;
    int64_t vocab;
    const Py_ssize_t *first3, *first2;
} Grams;

/* The postings [*lo, *hi) of the n-gram (n = 2 or 3) of ids at p: empty when one of its
 * words is not the copy's (a negative id). */
static inline void pk_postings(const Grams *g, const int64_t *p, int n, Py_ssize_t *lo,
                               Py_ssize_t *hi) {
    const int64_t a = p[0], b = p[1], c = n == 3 ? p[2] : 0;
    if (a < 0 || b < 0 || c < 0) {
        *lo = *hi = 0;
        return;
    }
    const int64_t key = n == 3 ? (a * g->vocab + b) * g->vocab + c : a * g->vocab + b;
    const int64_t *keys = n == 3 ? g->keys3 : g->keys2;
    const Py_ssize_t *first = n == 3 ? g->first3 : g->first2;
    Py_ssize_t from = 0, to = n == 3 ? g->n3 : g->n2;
    if (first) from = first[a], to = first[a + 1]; /* (the keys of its first word) */
    *lo = from + pk_bound(keys + from, to - from, key, 0);
    *hi = *lo + pk_bound(keys + *lo, to - *lo, key, 1);
}

/* first3 and first2 of Grams, made from the copy's ids c (lc of them, each below
 * g->vocab; the keys sorted, of its trigrams and bigrams: a key's first word is the id at
 * its position), in first (2 * (vocab + 1) items). */
static inline void pk_first_words(Grams *g, const int64_t *c, Py_ssize_t lc, Py_ssize_t *first) {
    Py_ssize_t *f3 = first, *f2 = first + g->vocab + 1;
    memset(first, 0, sizeof(Py_ssize_t) * (size_t)(2 * (g->vocab + 1)));
    for (Py_ssize_t t = 0; t + 2 < lc; t++) f3[c[t] + 1]++;
    for (Py_ssize_t t = 0; t + 1 < lc; t++) f2[c[t] + 1]++;
    for (int64_t a = 0; a < g->vocab; a++) f3[a + 1] += f3[a], f2[a + 1] += f2[a];
    g->first3 = f3, g->first2 = f2;
}

/* A matching block of difflib's: a[i:i+k] == b[j:j+k]. */
typedef struct {
    Py_ssize_t i, j, k;
} Block;

/* _kernel_scan.c */
void pk_init_scan(void);
PyObject *pk_scan(PyObject *self, PyObject *args);
PyObject *pk_sketch(PyObject *self, PyObject *args);

/* _kernel_search.c (each described there) */
int pk_vote_ids(const Grams *g, const int64_t *ids, Py_ssize_t size, Py_ssize_t width,
                Py_ssize_t most, Py_ssize_t max_postings, int64_t **d, Py_ssize_t *cap,
                int64_t *meds, Py_ssize_t *nout, Py_ssize_t *votes);
int pk_search_windows(const int64_t *c, Py_ssize_t lc, const unsigned char *u, const int64_t *p,
                      Py_ssize_t size, const int64_t *diags, Py_ssize_t nd, Py_ssize_t slack,
                      Py_ssize_t stray, Py_ssize_t cells, Block *bl, double *sim,
                      Py_ssize_t *bout, int32_t *avail, const int32_t *count);
int pk_may_count(const int64_t *c, Py_ssize_t lc, const unsigned char *u, Py_ssize_t size,
                 const int64_t *diags, Py_ssize_t nd, Py_ssize_t slack, int32_t *avail,
                 const int32_t *count, double min_similarity);
PyObject *pk_vote(PyObject *self, PyObject *args);
PyObject *pk_match(PyObject *self, PyObject *args);
PyObject *pk_search(PyObject *self, PyObject *args);

/* _kernel_blocks.c (each described there) */
Py_ssize_t pk_matching(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                       Block *out);
PyObject *pk_blocks(PyObject *self, PyObject *args);

/* _kernel_claim.c (each described there) */
PyObject *pk_memo_key(char tag, const int64_t *p, Py_ssize_t size, const int64_t *extra,
                      Py_ssize_t nextra);
int pk_memo_put(PyObject *memo, PyObject *key, const void *result, Py_ssize_t n,
                Py_ssize_t limit);
int pk_claim_all(const int64_t *c, Py_ssize_t lc, unsigned char *u, const Grams *g,
                 const int64_t *src, const int64_t *spans, Py_ssize_t np, Py_ssize_t stray,
                 Py_ssize_t max_tries, Py_ssize_t most, Py_ssize_t max_postings,
                 Py_ssize_t cells, double min_similarity, double abridged, PyObject *memo,
                 Py_ssize_t limit, Py_ssize_t *claims, Py_ssize_t *nclaims);

/* _kernel_vocab.c (each described there) */
PyObject *pk_number(PyObject *self, PyObject *args);
int pk_table_ids(PyObject *table, PyObject *const *words, Py_ssize_t n, int64_t *dst);

/* _kernel_align.c */
int pk_init_align(void);
PyObject *pk_align(PyObject *self, PyObject *args);
PyObject *pk_diff(PyObject *self, PyObject *args);
PyObject *pk_ids(PyObject *self, PyObject *args);

/* _kernel_bags.c (bags.py and texts.py; each returns None for what it leaves to Python) */
PyObject *pk_bag_weigh(PyObject *self, PyObject *args);
PyObject *pk_bag_weigh_more(PyObject *self, PyObject *args);
PyObject *pk_bag_scaled(PyObject *self, PyObject *args);
PyObject *pk_bag_cosine(PyObject *self, PyObject *args);
PyObject *pk_bag_held(PyObject *self, PyObject *args);
PyObject *pk_bag_units(PyObject *self, PyObject *args);
PyObject *pk_bag_mapped(PyObject *self, PyObject *args);

#endif /* PROV_KERNEL_H */
