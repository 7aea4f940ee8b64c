/*
 * prov's compiled fingerprinting kernel: the two inner loops of provenance/fingerprint.py
 * in C, bit for bit the same as its NumPy path (tests/test_kernel.py compares them).
 *
 *   scan(text, starts, hashes, chunks, mostly_hard, chars_per_chunk) -> (tokens, chunks)
 *       normalize.simple_tokens's rule on a lower-cased text: its simple tokens' start
 *       offsets and xxh3-64 hashes (xxHash's own reference code, vendored in _xxhash.h)
 *       and the hard chunks left to the pattern.
 *   sketch(word_hashes, spans, a, b, shingle, rows, signatures, keys) -> None
 *       for each passage span (first, last) of word hashes: its k-word shingle hashes,
 *       datasketch's affine32 MinHash under the permutations (a, b), and one 64-bit key
 *       per band of `rows` rows.
 *
 * Arrays are passed as C-contiguous buffers (the caller allocates the outputs); every
 * size and span is checked here, so a wrong call raises ValueError, never reads or writes
 * out of bounds. The GIL is released while the loops run. No NumPy headers are needed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include "_xxhash.h" /* xxHash 0.8.2, vendored unchanged from python-xxhash 3.6.0 (BSD-2) */

/* The constants of fingerprint.py: _MIX, _fmix64 (murmur3's finaliser), _fmix32. */
static const uint64_t MIX[3] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL,
                                0x165667B19E3779F9ULL};

static inline uint64_t fmix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    return h ^ (h >> 16);
}

/* The hash of the n words at wh (n <= k for one short passage, else one window of k). */
static inline uint64_t shingle(const uint64_t *wh, Py_ssize_t n) {
    uint64_t acc = 0;
    for (Py_ssize_t j = 0; j < n; j++) acc = (acc ^ wh[j]) * MIX[j % 3];
    return fmix64(acc);
}

/* sig[p] = min over x in mixed of a[p] * x + b[p] (mod 2^32): the hot loop, vectorised
 * across permutations; built for AVX-512 and AVX2 beside the baseline where the
 * compiler can (GCC on glibc: ifunc), the best one chosen when the module loads. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void minhash(const uint32_t *restrict mixed, Py_ssize_t m, const uint32_t *restrict a,
                    const uint32_t *restrict b, Py_ssize_t perms, uint32_t *restrict sig) {
    for (Py_ssize_t p = 0; p < perms; p++) sig[p] = UINT32_MAX;
    for (Py_ssize_t i = 0; i < m; i++) {
        const uint32_t x = mixed[i];
        for (Py_ssize_t p = 0; p < perms; p++) {
            const uint32_t v = a[p] * x + b[p];
            sig[p] = v < sig[p] ? v : sig[p];
        }
    }
}

/* A C-contiguous buffer of `itemsize`-byte items; `writable` for outputs. */
static int get_array(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable,
                     const char *name) {
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    if (view->len % itemsize != 0 || (view->ndim > 0 && view->itemsize != itemsize)) {
        PyErr_Format(PyExc_ValueError, "%s: items of %zd bytes expected", name, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* get_array for each of objs[0..n), outputs (writable) from index `first_output` on: all
 * acquired (0), or none, with the error set (-1). */
static int get_arrays(PyObject *const *objs, Py_buffer *bufs, const Py_ssize_t *sizes,
                      const char *const *names, int n, int first_output) {
    for (int j = 0; j < n; j++)
        if (get_array(objs[j], &bufs[j], sizes[j], j >= first_output, names[j]) < 0) {
            while (j--) PyBuffer_Release(&bufs[j]);
            return -1;
        }
    return 0;
}

static void release_arrays(Py_buffer *bufs, int n) {
    for (int j = 0; j < n; j++) PyBuffer_Release(&bufs[j]);
}

/* normalize.simple_tokens's character classes (normalize._classes). */
enum { SEP, LETTER, DIGIT, APOS, POINT, OTHER };
static unsigned char CLASS[256];
/* 1 for the characters that can follow a digit in a hard chunk: . , ' */
static unsigned char AFTER_DIGIT[256];

static void init_classes(void) {
    for (int c = 0; c < 256; c++) {
        CLASS[c] = c == 0 || c >= 128             ? OTHER
                   : (c >= 'a' && c <= 'z')       ? LETTER
                   : (c >= '0' && c <= '9')       ? DIGIT
                   : c == '\''                    ? APOS
                   : (c == '.' || c == ',')       ? POINT
                                                  : SEP;
        AFTER_DIGIT[c] = CLASS[c] == POINT || CLASS[c] == APOS;
    }
}

static inline int is_alnum(unsigned char c) { return CLASS[c] == LETTER || CLASS[c] == DIGIT; }

/* normalize.simple_tokens then the hashing of its tokens. `s` is the lower-cased text
 * with every non-ASCII character made NUL. Tokens (the runs of letters and digits joined
 * by apostrophes that stand between two of them) outside hard chunks are written to
 * starts/hashes; the hard chunks (runs of non-SEP characters holding a NUL or a digit
 * followed by . , or ') to chunks as (start, end) pairs, for the pattern. Returns the
 * number of tokens (-1 when out of memory); *n_chunks is -1 when more than one chunk in
 * `mostly_hard` is hard (the caller then splits the text by the pattern).
 *
 * One vectorised pass over the characters makes the token text `flat` (letters and
 * digits, all else a space) and a bit mask of its non-space characters (64 a word);
 * apostrophes and hard characters, rare, are found only in the 64-character blocks that
 * hold one, and fixed up afterwards. Tokens
 * are then the runs of set bits, walked with count-trailing-zeros: a mispredicted
 * branch per word costs more than the rest of the work. */
/* Positions of apostrophes or hard characters, grown as they are found. */
typedef struct {
    Py_ssize_t *at, len, cap;
} Marks;

/* Room for `more` more positions (and one more slot: they are stored branch-free). */
static int reserve(Marks *m, Py_ssize_t more) {
    if (m->len + more < m->cap) return 0;
    Py_ssize_t cap = m->cap * 2 > m->len + more + 1 ? m->cap * 2 : m->len + more + 256;
    Py_ssize_t *at = PyMem_RawRealloc(m->at, sizeof(Py_ssize_t) * (size_t)cap);
    if (!at) return -1;
    m->at = at;
    m->cap = cap;
    return 0;
}

static Py_ssize_t scan_text(const unsigned char *s, Py_ssize_t n, unsigned char *flat,
                            uint64_t *mask, Marks *apos, Marks *hard, int64_t *starts,
                            uint64_t *hashes, int64_t *chunks, Py_ssize_t *n_chunks,
                            Py_ssize_t mostly_hard, Py_ssize_t chars_per_chunk) {
    for (Py_ssize_t w = 0; w * 64 < n; w++) {
        const Py_ssize_t lo = w * 64, hi = lo + 64 < n ? lo + 64 : n;
        unsigned char rare = 0; /* an apostrophe, a digit or a NUL/non-ASCII character */
        for (Py_ssize_t i = lo; i < hi; i++) { /* vectorised: no table, no branch */
            const unsigned char c = s[i];
            const unsigned char letter = (unsigned char)(c - 'a') < 26;
            const unsigned char digit = (unsigned char)(c - '0') < 10;
            flat[i] = (letter | digit) ? c : ' ';
            rare |= digit | (c == '\'') | (c == 0) | (c >= 128);
        }
        uint64_t m = 0;
        for (Py_ssize_t i = lo; i < hi; i += 8) { /* the non-space bytes, 8 at a time */
            uint64_t x = 0x2020202020202020ULL;
            memcpy(&x, flat + i, (size_t)(hi - i < 8 ? hi - i : 8));
            x ^= 0x2020202020202020ULL;  /* a space is now 0 */
            x = ((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | x;
            x = (x >> 7) & 0x0101010101010101ULL;  /* 1 in each non-zero byte */
            m |= ((x * 0x0102040810204080ULL) >> 56) << (i - lo);
        }
        mask[w] = m;
        if (!rare) continue;
        if (reserve(apos, 64) < 0 || reserve(hard, 64) < 0) return -1;
        for (Py_ssize_t i = lo; i < hi; i++) {
            const unsigned char c = s[i], k = CLASS[c];
            const unsigned char next = i + 1 < n ? s[i + 1] : ' ';
            apos->at[apos->len] = i;
            apos->len += k == APOS;
            hard->at[hard->len] = i;
            hard->len += (k == OTHER) | ((k == DIGIT) & AFTER_DIGIT[next]);
        }
    }
    /* Apostrophe runs between two letters/digits join them ("don't"). */
    for (Py_ssize_t j = 0; j < apos->len;) {
        const Py_ssize_t at = apos->at[j];
        Py_ssize_t end = at + 1;
        while (++j < apos->len && apos->at[j] == end) end++;
        if (at > 0 && end < n && is_alnum(s[at - 1]) && is_alnum(s[end]))
            for (Py_ssize_t i = at; i < end; i++) {
                flat[i] = '\'';
                mask[i / 64] |= (uint64_t)1 << (i % 64);
            }
    }
    /* Hard chunks: the run of non-SEP characters around each hard character. */
    Py_ssize_t k = 0, done = 0;
    for (Py_ssize_t j = 0; j < hard->len; j++) {
        Py_ssize_t a = hard->at[j], b = a + 1;
        if (a < done) continue; /* in the chunk just found */
        while (a > 0 && CLASS[s[a - 1]] != SEP) a--;
        while (b < n && CLASS[s[b]] != SEP) b++;
        chunks[2 * k] = a;
        chunks[2 * k + 1] = b;
        k++;
        done = b;
        for (Py_ssize_t i = a; i < b; i++) {
            flat[i] = ' ';
            mask[i / 64] &= ~((uint64_t)1 << (i % 64));
        }
    }
    *n_chunks = k;
    if (k * mostly_hard > n / chars_per_chunk) {
        *n_chunks = -1;
        return 0;
    }
    Py_ssize_t count = 0, start = 0;
    uint64_t carry = 0; /* whether the last character of the previous word was in a token */
    for (Py_ssize_t w = 0; w * 64 < n; w++) {
        const uint64_t m = mask[w];
        uint64_t edges = m ^ ((m << 1) | carry); /* where a token starts or ends */
        carry = m >> 63;
        while (edges) {
            const Py_ssize_t i = w * 64 + __builtin_ctzll(edges);
            edges &= edges - 1;
            if ((m >> (i % 64)) & 1) {
                start = i;
            } else {
                starts[count] = start;
                hashes[count++] = XXH3_64bits(flat + start, (size_t)(i - start));
            }
        }
    }
    if (carry) {
        starts[count] = start;
        hashes[count++] = XXH3_64bits(flat + start, (size_t)(n - start));
    }
    return count;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_text, *o_starts, *o_hashes, *o_chunks;
    Py_ssize_t mostly_hard, chars_per_chunk;
    if (!PyArg_ParseTuple(args, "OOOOnn:scan", &o_text, &o_starts, &o_hashes, &o_chunks,
                          &mostly_hard, &chars_per_chunk))
        return NULL;
    if (chars_per_chunk < 1) {
        PyErr_SetString(PyExc_ValueError, "scan: chars_per_chunk must be >= 1");
        return NULL;
    }
    Py_buffer bufs[4];
    PyObject *const objs[4] = {o_text, o_starts, o_hashes, o_chunks};
    const Py_ssize_t sizes[4] = {1, 8, 8, 8};
    const char *const names[4] = {"text", "starts", "hashes", "chunks"};
    if (get_arrays(objs, bufs, sizes, names, 4, 1) < 0) return NULL;
    const char *error = NULL;
    Py_ssize_t count = 0, n_chunks = 0;
    {
        const Py_ssize_t n = bufs[0].len, room = (n + 1) / 2;
        unsigned char *flat = NULL;
        uint64_t *mask = NULL;
        Marks apos = {NULL, 0, 0}, hard = {NULL, 0, 0};
        if (bufs[1].len / 8 < room || bufs[2].len / 8 < room || bufs[3].len / 16 < room)
            error = "starts, hashes and chunks need (len(text) + 1) // 2 items (pairs)";
        else if (!(flat = PyMem_RawMalloc((size_t)n + 1)) ||
                 !(mask = PyMem_RawMalloc(sizeof(uint64_t) * (size_t)(n / 64 + 1))))
            error = "out of memory";
        else {
            Py_BEGIN_ALLOW_THREADS
            count = scan_text(bufs[0].buf, n, flat, mask, &apos, &hard, bufs[1].buf,
                              bufs[2].buf, bufs[3].buf, &n_chunks, mostly_hard, chars_per_chunk);
            Py_END_ALLOW_THREADS
            if (count < 0) error = "out of memory";
        }
        PyMem_RawFree(flat);
        PyMem_RawFree(mask);
        PyMem_RawFree(apos.at);
        PyMem_RawFree(hard.at);
    }
    release_arrays(bufs, 4);
    if (error) {
        PyErr_Format(PyExc_ValueError, "scan: %s", error);
        return NULL;
    }
    return Py_BuildValue("nn", count, n_chunks);
}

static PyObject *sketch(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_wh, *o_spans, *o_a, *o_b, *o_sig, *o_keys;
    Py_ssize_t k, rows;
    if (!PyArg_ParseTuple(args, "OOOOnnOO:sketch", &o_wh, &o_spans, &o_a, &o_b, &k, &rows,
                          &o_sig, &o_keys))
        return NULL;
    if (k < 1 || rows < 1) {
        PyErr_SetString(PyExc_ValueError, "sketch: shingle and rows must be >= 1");
        return NULL;
    }
    Py_buffer bufs[6];
    PyObject *const objs[6] = {o_wh, o_spans, o_a, o_b, o_sig, o_keys};
    const Py_ssize_t sizes[6] = {8, 8, 4, 4, 4, 8};
    const char *const names[6] = {"word_hashes", "spans", "a", "b", "signatures", "keys"};
    if (get_arrays(objs, bufs, sizes, names, 6, 4) < 0) return NULL;
    const char *error = NULL;
    uint32_t *mixed = NULL;
    {
        const Py_ssize_t words = bufs[0].len / 8, n = bufs[1].len / 16, perms = bufs[2].len / 4;
        const uint64_t *wh = bufs[0].buf;
        const int64_t *spans = bufs[1].buf;
        Py_ssize_t longest = 0;
        if (bufs[1].len % 16) error = "spans must be (first, last) pairs";
        else if (bufs[3].len / 4 != perms || perms == 0 || perms % rows)
            error = "a and b must have the same length, a multiple of rows";
        else if (bufs[4].len / 4 != n * perms || bufs[5].len / 8 != n * (perms / rows))
            error = "signatures and keys have the wrong size";
        for (Py_ssize_t i = 0; !error && i < n; i++) {
            if (spans[2 * i] < 0 || spans[2 * i] >= spans[2 * i + 1] || spans[2 * i + 1] > words)
                error = "every span must hold at least one word, within word_hashes";
            else if (spans[2 * i + 1] - spans[2 * i] > longest)
                longest = spans[2 * i + 1] - spans[2 * i];
        }
        if (!error && n && !(mixed = PyMem_RawMalloc(sizeof(uint32_t) * (size_t)longest)))
            error = "out of memory";
        if (!error && n) {
            const uint32_t *a = bufs[2].buf, *b = bufs[3].buf;
            uint32_t *sig = bufs[4].buf;
            int64_t *keys = bufs[5].buf;
            const Py_ssize_t bands = perms / rows;
            Py_BEGIN_ALLOW_THREADS
            for (Py_ssize_t i = 0; i < n; i++, sig += perms, keys += bands) {
                const uint64_t *w = wh + spans[2 * i];
                const Py_ssize_t len = spans[2 * i + 1] - spans[2 * i];
                const Py_ssize_t width = len < k ? len : k, m = len - width + 1;
                for (Py_ssize_t j = 0; j < m; j++) mixed[j] = fmix32((uint32_t)shingle(w + j, width));
                minhash(mixed, m, a, b, perms, sig);
                for (Py_ssize_t band = 0; band < bands; band++) {
                    uint64_t h = (uint64_t)(band + 1) * MIX[0];
                    for (Py_ssize_t r = 0; r < rows; r++)
                        h = fmix64((h ^ (uint64_t)sig[band * rows + r]) * MIX[1]);
                    keys[band] = (int64_t)h;
                }
            }
            Py_END_ALLOW_THREADS
        }
        PyMem_RawFree(mixed);
    }
    release_arrays(bufs, 6);
    if (error) {
        PyErr_Format(PyExc_ValueError, "sketch: %s", error);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* The first index of sorted keys[0..n) not below key (above = 0) or above it (above = 1). */
static Py_ssize_t bound(const int64_t *keys, Py_ssize_t n, int64_t key, int above) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        const Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key || (above && keys[mid] == key)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int cmp_i64(const void *x, const void *y) {
    const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* A copy's n-gram tables (CopyIds): its trigrams' and bigrams' keys, sorted, with their
 * positions (the same order), and its vocabulary's size (the keys' base). */
typedef struct {
    const int64_t *keys3, *pos3, *keys2, *pos2;
    Py_ssize_t n3, n2;
    int64_t vocab;
} Grams;

/* The postings [*lo, *hi) of the n-gram (n = 2 or 3) of ids at p: empty when one of its
 * words is not the copy's (a negative id). */
static inline void postings(const Grams *g, const int64_t *p, int n, Py_ssize_t *lo,
                            Py_ssize_t *hi) {
    const int64_t a = p[0], b = p[1], c = n == 3 ? p[2] : 0;
    if (a < 0 || b < 0 || c < 0) {
        *lo = *hi = 0;
        return;
    }
    const int64_t key = n == 3 ? (a * g->vocab + b) * g->vocab + c : a * g->vocab + b;
    const int64_t *keys = n == 3 ? g->keys3 : g->keys2;
    const Py_ssize_t nk = n == 3 ? g->n3 : g->n2;
    *lo = bound(keys, nk, key, 0);
    *hi = bound(keys, nk, key, 1);
}

/* Room in a growing int64 array for `need` items (-1: out of memory). */
static int grow_i64(int64_t **d, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap) return 0;
    const Py_ssize_t room = 2 * need + 64;
    int64_t *grown = PyMem_Realloc(*d, sizeof(int64_t) * (size_t)room);
    if (!grown) return -1;
    *d = grown, *cap = room;
    return 0;
}

/* alignwork.vote of a passage's ids (size of them): 1 and the votes of the densest
 * cluster (*votes) and the median diagonal of each cluster (meds[0..*nout), most at
 * most); 0: no vote; -1: out of memory. *d, *cap: a scratch array, grown here. */
static int vote_ids(const Grams *g, const int64_t *ids, Py_ssize_t size, Py_ssize_t width,
                    Py_ssize_t most, Py_ssize_t max_postings, int64_t **d, Py_ssize_t *cap,
                    int64_t *meds, Py_ssize_t *nout, Py_ssize_t *votes) {
    Py_ssize_t nd = 0, first_votes = 0;
    int n = 3;
    *nout = 0;
    for (; n >= 2; n--) {
        const int64_t *pos = n == 3 ? g->pos3 : g->pos2;
        nd = 0;
        for (Py_ssize_t k = 0; k + n <= size; k++) {
            Py_ssize_t lo, hi;
            postings(g, ids + k, n, &lo, &hi);
            if (hi == lo || hi - lo > max_postings) continue;
            if (grow_i64(d, cap, nd + (hi - lo)) < 0) return -1;
            for (Py_ssize_t j = lo; j < hi; j++) (*d)[nd++] = pos[j] - k;
        }
        if (nd) break;
    }
    if (!nd) return 0;
    int64_t *dd = *d;
    qsort(dd, (size_t)nd, sizeof(int64_t), cmp_i64);
    while (nd && *nout < most) {
        Py_ssize_t best = 0, blo = 0, bhi = 0, start = 0;
        for (Py_ssize_t i = 0; i < nd; i++) {
            while (dd[start] < dd[i] - width) start++;
            if (i + 1 - start > best) best = i + 1 - start, blo = start, bhi = i + 1;
        }
        if (*nout == 0) first_votes = best;
        meds[(*nout)++] = dd[(blo + bhi - 1) / 2];
        memmove(dd + blo, dd + bhi, sizeof(int64_t) * (size_t)(nd - bhi));
        nd -= bhi - blo;
    }
    *votes = first_votes;
    return n == 3 || first_votes >= 2;
}

/* alignwork.vote: the diagonals (copy position - passage offset) of the passage's n-grams
 * found in the copy at most max_postings times, trigrams first, bigrams when no trigram
 * is found; clustered as alignwork._best_diagonals_small does (the first densest window of
 * diagonals within `width`, taken out, up to `most` times). Returns None or
 * (votes of the densest, [median diagonal of each cluster]). */
static PyObject *vote(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_ids, *o_k3, *o_p3, *o_k2, *o_p2;
    long long vocab;
    Py_ssize_t width, most, max_postings;
    if (!PyArg_ParseTuple(args, "OOOOOLnnn:vote", &o_ids, &o_k3, &o_p3, &o_k2, &o_p2, &vocab,
                          &width, &most, &max_postings))
        return NULL;
    if (vocab < 1 || vocab > (1LL << 21) || width < 0 || most < 1) {
        PyErr_SetString(PyExc_ValueError, "vote: vocab must be in 1..2**21, width >= 0, most >= 1");
        return NULL;
    }
    Py_buffer bufs[5];
    PyObject *const objs[5] = {o_ids, o_k3, o_p3, o_k2, o_p2};
    const Py_ssize_t sizes[5] = {8, 8, 8, 8, 8};
    const char *const names[5] = {"ids", "keys3", "pos3", "keys2", "pos2"};
    if (get_arrays(objs, bufs, sizes, names, 5, 5) < 0) return NULL;
    const char *error = NULL;
    PyObject *result = NULL;
    int64_t *d = NULL, *meds = NULL;
    Py_ssize_t cap = 0, nout = 0, votes = 0;
    const int64_t *ids = bufs[0].buf;
    const Py_ssize_t size = bufs[0].len / 8;
    const Grams g = {bufs[1].buf, bufs[2].buf, bufs[3].buf, bufs[4].buf,
                     bufs[1].len / 8, bufs[3].len / 8, vocab};
    int got = 0;
    if (bufs[1].len != bufs[2].len || bufs[3].len != bufs[4].len)
        error = "keys and positions must have the same length";
    for (Py_ssize_t i = 0; !error && i < size; i++)
        if (ids[i] >= vocab) error = "ids must be below vocab";
    if (!error && !(meds = PyMem_Malloc(sizeof(int64_t) * (size_t)most))) error = "out of memory";
    if (!error && (got = vote_ids(&g, ids, size, width, most, max_postings, &d, &cap, meds,
                                  &nout, &votes)) < 0)
        error = "out of memory";
    release_arrays(bufs, 5);
    if (!error && got) {
        PyObject *list = PyList_New(nout);
        for (Py_ssize_t i = 0; list && i < nout; i++) {
            PyObject *x = PyLong_FromLongLong(meds[i]);
            if (!x) Py_CLEAR(list);
            else PyList_SET_ITEM(list, i, x);
        }
        if (list) {
            result = Py_BuildValue("nN", votes, list);
        }
    } else if (!error) {
        result = Py_NewRef(Py_None);
    }
    PyMem_Free(d);
    PyMem_Free(meds);
    if (error) PyErr_Format(PyExc_ValueError, "vote: %s", error);
    return result;
}

/* A matching block of difflib's: a[i:i+k] == b[j:j+k]. */
typedef struct {
    Py_ssize_t i, j, k;
} Block;

/* difflib.SequenceMatcher.find_longest_match(alo, ahi, blo, bhi) with no junk (autojunk
 * off): the longest run of equal items, the first one met scanning a, then b (difflib's
 * b2j loop is this dynamic programme restricted to the equal pairs; its extension loops
 * find nothing more without junk). prev and cur: lb + 1 lengths each. */
static Block longest(const int64_t *a, const int64_t *b, Py_ssize_t alo, Py_ssize_t ahi,
                     Py_ssize_t blo, Py_ssize_t bhi, Py_ssize_t *prev, Py_ssize_t *cur) {
    Block best = {alo, blo, 0};
    for (Py_ssize_t j = blo; j <= bhi; j++) prev[j] = 0;
    cur[blo] = 0;
    for (Py_ssize_t i = alo; i < ahi; i++) {
        const int64_t x = a[i];
        for (Py_ssize_t j = blo; j < bhi; j++) {
            /* cur[j + 1]: the run of equal items ending at a[i], b[j] */
            if (x >= 0 && x == b[j]) {
                const Py_ssize_t k = prev[j] + 1;
                cur[j + 1] = k;
                if (k > best.k) best.i = i - k + 1, best.j = j - k + 1, best.k = k;
            } else {
                cur[j + 1] = 0;
            }
        }
        Py_ssize_t *t = prev;
        prev = cur;
        cur = t;
    }
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

/* difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() of two id
 * arrays (negative ids match nothing: words one side lacks), adjacent blocks joined,
 * without the final empty one: written to out (at least min(la, lb) + 1 blocks), their
 * number returned (-1: out of memory, the error set). The work is at most la * lb per
 * level of difflib's recursion: align calls it for a passage and a window of the copy
 * (tens of words), else uses cydifflib (the same blocks). */
static Py_ssize_t matching(const int64_t *a, Py_ssize_t la, const int64_t *b, Py_ssize_t lb,
                           Block *out) {
    const Py_ssize_t most = (la < lb ? la : lb) + 1; /* blocks (disjoint) and rectangles */
    Py_ssize_t *rows = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * (lb + 1)));
    Py_ssize_t(*queue)[4] = PyMem_Malloc(sizeof(Py_ssize_t[4]) * (size_t)(most + 1));
    /* the ids in 32 bits when they fit (a copy's ids do: below 2**21), and their rows */
    int narrow = la + lb < INT32_MAX;
    for (Py_ssize_t i = 0; narrow && i < la; i++) narrow = a[i] < INT32_MAX;
    for (Py_ssize_t j = 0; narrow && j < lb; j++) narrow = b[j] < INT32_MAX;
    int32_t *a32 = narrow ? PyMem_Malloc(sizeof(int32_t) * (size_t)(la + lb + 2 * (lb + 1) + 1))
                          : NULL;
    Py_ssize_t nfound = 0, nqueue = 0;
    if (!rows || !queue || (narrow && !a32)) {
        PyMem_Free(rows);
        PyMem_Free(queue);
        PyMem_Free(a32);
        PyErr_NoMemory();
        return -1;
    }
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
                            : longest(a, b, alo, ahi, blo, bhi, rows, rows + lb + 1);
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
    PyMem_Free(rows);
    PyMem_Free(queue);
    PyMem_Free(a32);
    qsort(out, (size_t)nfound, sizeof(Block), cmp_block);
    Py_ssize_t n = 0; /* difflib's collapse of adjacent blocks */
    for (Py_ssize_t m = 0; m < nfound; m++) {
        if (n && out[n - 1].i + out[n - 1].k == out[m].i && out[n - 1].j + out[n - 1].k == out[m].j)
            out[n - 1].k += out[m].k;
        else
            out[n++] = out[m];
    }
    return n;
}

/* Two id arrays as int64 buffers (released by the caller). */
static int get_pair(PyObject *o_a, PyObject *o_b, Py_buffer *bufs) {
    PyObject *const objs[2] = {o_a, o_b};
    const Py_ssize_t sizes[2] = {8, 8};
    const char *const names[2] = {"a", "b"};
    return get_arrays(objs, bufs, sizes, names, 2, 2);
}

/* blocks(a, b): the matching blocks as (i, j, size) tuples, ending with (la, lb, 0). */
static PyObject *blocks(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_a, *o_b;
    if (!PyArg_ParseTuple(args, "OO:blocks", &o_a, &o_b)) return NULL;
    Py_buffer bufs[2];
    if (get_pair(o_a, o_b, bufs) < 0) return NULL;
    const int64_t *a = bufs[0].buf, *b = bufs[1].buf;
    const Py_ssize_t la = bufs[0].len / 8, lb = bufs[1].len / 8;
    Block *found = PyMem_Malloc(sizeof(Block) * (size_t)((la < lb ? la : lb) + 1));
    PyObject *result = NULL;
    Py_ssize_t n = found ? matching(a, la, b, lb, found) : (PyErr_NoMemory(), -1);
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
    release_arrays(bufs, 2);
    return result;
}

/* align._core: the blocks [*lo, *hi) left when stray matches at either end are dropped
 * (a run smaller than half the gap that separates it from the rest; the gap is the
 * larger of the copy's and the passage's for a run of fewer than `stray` words, else the
 * smaller). */
static void core(const Block *bl, Py_ssize_t n, Py_ssize_t stray, Py_ssize_t *lo,
                 Py_ssize_t *hi) {
    Py_ssize_t l = 0, h = n;
    while (h - l > 1) {
        const Block x = bl[l], y = bl[l + 1];
        const Py_ssize_t cg = y.i - (x.i + x.k), pg = y.j - (x.j + x.k);
        const Py_ssize_t gap = x.k < stray ? (cg > pg ? cg : pg) : (cg < pg ? cg : pg);
        if (x.k * 2 >= gap) break;
        l++;
    }
    while (h - l > 1) {
        const Block p = bl[h - 2], x = bl[h - 1];
        const Py_ssize_t cg = x.i - (p.i + p.k), pg = x.j - (p.j + p.k);
        const Py_ssize_t gap = x.k < stray ? (cg > pg ? cg : pg) : (cg < pg ? cg : pg);
        if (x.k * 2 >= gap) break;
        h--;
    }
    *lo = l, *hi = h;
}

/* align._match of passage p (size ids) within the copy's ids c[lo, hi): its matching
 * blocks with the window, stray ends dropped (core), searched again in the window
 * tightened around that core. 1: found, out = (start, end, matched) of the core in the
 * copy; 0: nothing matches; -1: out of memory (the error set). bl: room for
 * min(hi - lo, size) + 1 blocks. */
static int window_match(const int64_t *c, Py_ssize_t lo, Py_ssize_t hi, const int64_t *p,
                        Py_ssize_t size, Py_ssize_t stray, Block *bl, Py_ssize_t *out) {
    Py_ssize_t clo = 0, chi = 0, matched = 0;
    for (int round = 0; round < 2; round++) {
        const Py_ssize_t n = matching(c + lo, hi - lo, p, size, bl);
        if (n < 0) return -1;
        Py_ssize_t l, h;
        core(bl, n, stray, &l, &h);
        if (h <= l) return 0;
        clo = lo + bl[l].i, chi = lo + bl[h - 1].i + bl[h - 1].k;
        const Py_ssize_t head = bl[l].j, tail = size - (bl[h - 1].j + bl[h - 1].k);
        matched = 0;
        for (Py_ssize_t m = l; m < h; m++) matched += bl[m].k;
        const Py_ssize_t tlo = clo - 2 * head - 1 > lo ? clo - 2 * head - 1 : lo;
        const Py_ssize_t thi = chi + 2 * tail + 1 < hi ? chi + 2 * tail + 1 : hi;
        if (tlo == lo && thi == hi) break;
        lo = tlo, hi = thi;
    }
    out[0] = clo, out[1] = chi, out[2] = matched;
    return 1;
}

/* match(copy, lo, hi, passage, stray) -> (start, end, matched) | None: align._match of a
 * passage (ids) within the copy's ids [lo, hi) (window_match). */
static PyObject *match(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_p;
    Py_ssize_t lo, hi, stray;
    if (!PyArg_ParseTuple(args, "OnnOn:match", &o_c, &lo, &hi, &o_p, &stray)) return NULL;
    Py_buffer bufs[2];
    if (get_pair(o_c, o_p, bufs) < 0) return NULL;
    const int64_t *c = bufs[0].buf, *p = bufs[1].buf;
    const Py_ssize_t lc = bufs[0].len / 8, size = bufs[1].len / 8;
    PyObject *result = NULL;
    Block *bl = NULL;
    Py_ssize_t out[3];
    if (lo < 0 || hi > lc || lo > hi) {
        PyErr_SetString(PyExc_ValueError, "match: window outside the copy");
        goto done;
    }
    if (!(bl = PyMem_Malloc(sizeof(Block) * (size_t)((hi - lo < size ? hi - lo : size) + 1)))) {
        PyErr_NoMemory();
        goto done;
    }
    const int got = window_match(c, lo, hi, p, size, stray, bl, out);
    if (got > 0) result = Py_BuildValue("(nnn)", out[0], out[1], out[2]);
    else if (got == 0) result = Py_NewRef(Py_None);
done:
    PyMem_Free(bl);
    release_arrays(bufs, 2);
    return result;
}

/* align's search for a passage p (size ids) around its diagonals diags[0..nd) in the
 * copy c (lc ids): at each diagonal d the free runs (u: a byte per copy word, 0 free) of
 * the copy's words [d - slack, d + size + slack) are matched (window_match), the most
 * similar core kept (2 * matched / (size + its span); the first of equal ones), and the
 * search stops after a diagonal once one is 0.999 similar or more. Returns 1 and the best
 * (*sim, out = start, end, matched), 0: nothing matches, 2: a run of more than `cells`
 * words times the passage's (not searched), -1: out of memory. bl: room for
 * min(lc, size) + 1 blocks. */
/* The words of the copy's ids c[i, j) a passage holds, counted as often as it holds them
 * (count: its count of each id; avail: the same, restored here): a bound on the words of
 * the passage any alignment with c[i, j) matches. */
static Py_ssize_t shared(const int64_t *c, Py_ssize_t i, Py_ssize_t j, int32_t *avail,
                         const int32_t *count) {
    Py_ssize_t most = 0;
    for (Py_ssize_t k = i; k < j; k++) {
        const int32_t left = avail[c[k]];
        most += left > 0;
        avail[c[k]] = left - (left > 0);
    }
    for (Py_ssize_t k = i; k < j; k++) avail[c[k]] = count[c[k]];
    return most;
}

static int search_windows(const int64_t *c, Py_ssize_t lc, const unsigned char *u,
                          const int64_t *p, Py_ssize_t size, const int64_t *diags, Py_ssize_t nd,
                          Py_ssize_t slack, Py_ssize_t stray, Py_ssize_t cells, Block *bl,
                          double *sim, Py_ssize_t *bout, int32_t *avail, const int32_t *count) {
    int found = 0;
    double best = 0.0;
    Py_ssize_t out[3];
    for (Py_ssize_t d = 0; d < nd; d++) {
        const Py_ssize_t diag = (Py_ssize_t)diags[d];
        const Py_ssize_t lo = diag - slack > 0 ? diag - slack : 0;
        const Py_ssize_t hi = diag + size + slack < lc ? diag + size + slack : lc;
        for (Py_ssize_t i = lo; i < hi;) { /* the free runs of [lo, hi) */
            if (u[i]) {
                i++;
                continue;
            }
            Py_ssize_t j = i;
            while (j < hi && !u[j]) j++;
            if ((j - i) * size > cells) return 2;
            if (found && avail) { /* a run whose words cannot beat the best: not matched */
                const Py_ssize_t most = shared(c, i, j, avail, count);
                if (2.0 * (double)most / (double)(size + most) <= best) {
                    i = j;
                    continue;
                }
            }
            const int got = window_match(c, i, j, p, size, stray, bl, out);
            if (got < 0) return -1;
            if (got > 0) {
                const double s = 2.0 * (double)out[2] / (double)(size + out[1] - out[0]);
                if (!found || s > best) {
                    found = 1, best = s;
                    bout[0] = out[0], bout[1] = out[1], bout[2] = out[2];
                }
            }
            i = j;
        }
        if (found && best >= 0.999) break;
    }
    *sim = best;
    return found;
}

/* search(copy, used, passage, diagonals, slack, stray, cells) -> (similarity, start, end,
 * matched) | None | False: search_windows of a passage (ids) around its diagonals (a
 * list). False: a run of more than `cells` words times the passage's (the kernel does
 * not search it: the caller does, as before). */
static PyObject *search(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_u, *o_p, *diagonals;
    Py_ssize_t slack, stray, cells;
    if (!PyArg_ParseTuple(args, "OOOO!nnn:search", &o_c, &o_u, &o_p, &PyList_Type, &diagonals,
                          &slack, &stray, &cells))
        return NULL;
    Py_buffer bufs[2], used;
    if (get_pair(o_c, o_p, bufs) < 0) return NULL;
    if (PyObject_GetBuffer(o_u, &used, PyBUF_C_CONTIGUOUS) < 0) {
        release_arrays(bufs, 2);
        return NULL;
    }
    const int64_t *c = bufs[0].buf, *p = bufs[1].buf;
    const Py_ssize_t lc = bufs[0].len / 8, size = bufs[1].len / 8;
    const Py_ssize_t nd = PyList_GET_SIZE(diagonals);
    PyObject *result = NULL;
    Block *bl = NULL;
    int64_t *diags = NULL;
    double best = 0.0;
    Py_ssize_t bout[3] = {0, 0, 0};
    if (used.len != lc) {
        PyErr_SetString(PyExc_ValueError, "search: used must hold a byte per copy word");
        goto done;
    }
    const Py_ssize_t room = (lc < size ? lc : size) + 1;
    if (!(bl = PyMem_Malloc(sizeof(Block) * (size_t)room)) ||
        !(diags = PyMem_Malloc(sizeof(int64_t) * (size_t)(nd + 1)))) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t d = 0; d < nd; d++) {
        diags[d] = PyLong_AsSsize_t(PyList_GET_ITEM(diagonals, d));
        if (diags[d] == -1 && PyErr_Occurred()) goto done;
    }
    const int got = search_windows(c, lc, used.buf, p, size, diags, nd, slack, stray, cells, bl,
                                   &best, bout, NULL, NULL);
    if (got < 0) PyErr_NoMemory();
    else if (got == 2) result = Py_NewRef(Py_False);
    else if (got) result = Py_BuildValue("(dnnn)", best, bout[0], bout[1], bout[2]);
    else result = Py_NewRef(Py_None);
done:
    PyMem_Free(bl);
    PyMem_Free(diags);
    PyBuffer_Release(&used);
    release_arrays(bufs, 2);
    return result;
}

/* A passage voted for (claim): its votes, index, and diagonals meds[at..at + n). */
typedef struct {
    Py_ssize_t votes, passage, at, n;
} Voted;

static int cmp_voted(const void *x, const void *y) { /* most votes first, then in order */
    const Voted *a = x, *b = y;
    if (a->votes != b->votes) return a->votes > b->votes ? -1 : 1;
    return (a->passage > b->passage) - (a->passage < b->passage);
}

/* align._first_free_copy: the first free verbatim occurrence of p (size ids) in the copy
 * at or after `after`, else the first one before it; anchors (sorted, n of them): the
 * copy positions of p's n-gram at offset k; at most max_tries tried on either side.
 * -1: none. */
static Py_ssize_t first_free(const int64_t *c, Py_ssize_t lc, const unsigned char *u,
                             const int64_t *p, Py_ssize_t size, const int64_t *anchors,
                             Py_ssize_t n, Py_ssize_t k, Py_ssize_t after, Py_ssize_t max_tries) {
    Py_ssize_t start = bound(anchors, n, after + k, 0);
    const Py_ssize_t sides[2][2] = {{start, n}, {0, start}};
    for (int side = 0; side < 2; side++) {
        const Py_ssize_t lo = sides[side][0];
        const Py_ssize_t hi = sides[side][1] < lo + max_tries ? sides[side][1] : lo + max_tries;
        for (Py_ssize_t a = lo; a < hi; a++) {
            const Py_ssize_t at = (Py_ssize_t)anchors[a] - k;
            if (at < 0 || at + size > lc) continue;
            if (memchr(u + at, 1, (size_t)size)) continue;
            if (!memcmp(c + at, p, sizeof(int64_t) * (size_t)size)) return at;
        }
    }
    return -1;
}

/* Whether a passage (size words; count and avail: shared's) may be found around its
 * diagonals diags[0..nd) (slack words either side): whether one of the free runs
 * search_windows matches shares enough of its words for a core that counts
 * (align._counts: similar enough, or abridged, which takes 8 words and a third of the
 * passage). 0: no core counts, whichever is the best. */
static int may_count(const int64_t *c, Py_ssize_t lc, const unsigned char *u, Py_ssize_t size,
                     const int64_t *diags, Py_ssize_t nd, Py_ssize_t slack, int32_t *avail,
                     const int32_t *count, double min_similarity) {
    for (Py_ssize_t d = 0; d < nd; d++) {
        const Py_ssize_t diag = (Py_ssize_t)diags[d];
        const Py_ssize_t lo = diag - slack > 0 ? diag - slack : 0;
        const Py_ssize_t hi = diag + size + slack < lc ? diag + size + slack : lc;
        for (Py_ssize_t i = lo; i < hi;) {
            if (u[i]) {
                i++;
                continue;
            }
            Py_ssize_t j = i;
            while (j < hi && !u[j]) j++;
            const Py_ssize_t most = shared(c, i, j, avail, count);
            if (2.0 * (double)most / (double)(size + most) >= min_similarity ||
                (most >= 8 && 3 * most >= size))
                return 1;
            i = j;
        }
    }
    return 0;
}

/* The memo of claim(): a dict of bytes (what a vote or a search is a function of: a tag,
 * the passage's ids, then `extra`) to bytes (its result). A key: NULL (the error set). */
static PyObject *memo_key(char tag, const int64_t *p, Py_ssize_t size, const int64_t *extra,
                          Py_ssize_t nextra) {
    PyObject *key = PyBytes_FromStringAndSize(NULL, 1 + 8 * (size + nextra));
    if (!key) return NULL;
    char *k = PyBytes_AS_STRING(key);
    k[0] = tag;
    memcpy(k + 1, p, 8 * (size_t)size);
    if (nextra) memcpy(k + 1 + 8 * size, extra, 8 * (size_t)nextra);
    return key;
}

/* The memo's result for key copied to out (n bytes): 1, 0 when it has none, -1 (the error
 * set). */
static int memo_get(PyObject *memo, PyObject *key, void *out, Py_ssize_t n) {
    PyObject *v = PyDict_GetItemWithError(memo, key); /* borrowed */
    if (!v) return PyErr_Occurred() ? -1 : 0;
    if (!PyBytes_Check(v) || PyBytes_GET_SIZE(v) != n) return 0;
    memcpy(out, PyBytes_AS_STRING(v), (size_t)n);
    return 1;
}

/* The memo given result (n bytes) for key, when it holds fewer than `limit` items: 0, or
 * -1 (the error set). */
static int memo_put(PyObject *memo, PyObject *key, const void *result, Py_ssize_t n,
                    Py_ssize_t limit) {
    if (PyDict_GET_SIZE(memo) >= limit) return 0;
    PyObject *v = PyBytes_FromStringAndSize(result, n);
    if (!v) return -1;
    const int got = PyDict_SetItem(memo, key, v);
    Py_DECREF(v);
    return got;
}

/* The free runs search_windows and may_count match, as the key of their result: for each
 * diagonal its number of runs, then their (start, end); appended to *key (*nkey items,
 * room *cap, grown). -1: out of memory. */
static int runs_key(const unsigned char *u, Py_ssize_t lc, Py_ssize_t size, const int64_t *diags,
                    Py_ssize_t nd, Py_ssize_t slack, int64_t **key, Py_ssize_t *nkey,
                    Py_ssize_t *cap) {
    for (Py_ssize_t d = 0; d < nd; d++) {
        const Py_ssize_t diag = (Py_ssize_t)diags[d];
        const Py_ssize_t lo = diag - slack > 0 ? diag - slack : 0;
        const Py_ssize_t hi = diag + size + slack < lc ? diag + size + slack : lc;
        if (grow_i64(key, cap, *nkey + 1 + (hi > lo ? hi - lo + 1 : 0)) < 0) return -1;
        const Py_ssize_t at = (*nkey)++;
        int64_t *k = *key;
        k[at] = 0;
        for (Py_ssize_t i = lo; i < hi;) {
            if (u[i]) {
                i++;
                continue;
            }
            Py_ssize_t j = i;
            while (j < hi && !u[j]) j++;
            k[(*nkey)++] = i, k[(*nkey)++] = j, k[at]++;
            i = j;
        }
    }
    return 0;
}

/* The claims of align() on ids (claim(), below); -1: out of memory. claims: room for
 * 4 items per passage (passage, start, end, matched), *nclaims set. */
static int claim_all(const int64_t *c, Py_ssize_t lc, unsigned char *u, const Grams *g,
                     const int64_t *src, const int64_t *spans, Py_ssize_t np, Py_ssize_t stray,
                     Py_ssize_t max_tries, Py_ssize_t most, Py_ssize_t max_postings,
                     Py_ssize_t cells, double min_similarity, double abridged, PyObject *memo,
                     Py_ssize_t limit, Py_ssize_t *claims, Py_ssize_t *nclaims) {
    Py_ssize_t nc = 0, last_end = 0, longest = 0, nv = 0, cap = 0, kcap = 0;
    int64_t *kx = NULL; /* a search's key after the passage: min_similarity, its runs */
    PyObject *key = NULL;
    int status = -1;
    for (Py_ssize_t pi = 0; pi < np; pi++)
        if (spans[2 * pi + 1] - spans[2 * pi] > longest) longest = spans[2 * pi + 1] - spans[2 * pi];
    unsigned char *exact = PyMem_Calloc((size_t)np + 1, 1);
    Voted *voted = PyMem_Malloc(sizeof(Voted) * (size_t)(np + 1));
    int64_t *meds = PyMem_Malloc(sizeof(int64_t) * (size_t)(np * most + 1)), *d = NULL;
    Block *bl = PyMem_Malloc(sizeof(Block) * (size_t)((lc < longest ? lc : longest) + 1));
    /* each copy word's count in the passage searched, and what is left of it (shared) */
    int32_t *count = PyMem_Calloc((size_t)(2 * g->vocab), sizeof(int32_t)), *avail = count + g->vocab;
    if (!exact || !voted || !meds || !bl || !count) goto done;
    /* align._claim_exact: the passages the copy holds word for word, in source order */
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        const int64_t *p = src + spans[2 * pi];
        const Py_ssize_t size = spans[2 * pi + 1] - spans[2 * pi];
        if (size < 2) continue;
        const int n = size >= 3 ? 3 : 2;
        Py_ssize_t k = 0, lo, hi;
        postings(g, p, n, &lo, &hi);
        if (hi - lo > max_tries) { /* a common first n-gram: the passage's rarest one */
            Py_ssize_t fewest = hi - lo;
            for (Py_ssize_t kk = 1; kk + n <= size; kk++) {
                Py_ssize_t l2, h2;
                postings(g, p + kk, n, &l2, &h2);
                if (h2 - l2 < fewest) fewest = h2 - l2, k = kk, lo = l2, hi = h2;
            }
        }
        const int64_t *pos = n == 3 ? g->pos3 : g->pos2;
        const Py_ssize_t at = first_free(c, lc, u, p, size, pos + lo, hi - lo, k, last_end, max_tries);
        if (at < 0) continue;
        memset(u + at, 1, (size_t)size);
        exact[pi] = 1;
        claims[4 * nc] = pi, claims[4 * nc + 1] = at, claims[4 * nc + 2] = at + size;
        claims[4 * nc + 3] = size, nc++;
        last_end = at + size;
    }
    /* the others' votes (alignwork.vote: width max(4, size // 5)), most voted first */
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        if (exact[pi]) continue;
        const Py_ssize_t size = spans[2 * pi + 1] - spans[2 * pi];
        Py_ssize_t n = 0, votes = 0;
        const Py_ssize_t width = size / 5 > 4 ? size / 5 : 4;
        int64_t *out = meds + nv * most;
        /* the memo's: (voted, votes, clusters) then the clusters' diagonals */
        int64_t known[3 + 64];
        const Py_ssize_t nknown = 8 * (3 + (most < 64 ? most : 64));
        int got = -1;
        Py_CLEAR(key);
        if (memo && most <= 64) {
            if (!(key = memo_key('v', src + spans[2 * pi], size, NULL, 0))) goto done;
            const int hit = memo_get(memo, key, known, nknown);
            if (hit < 0) goto done;
            if (hit) {
                got = (int)known[0], votes = known[1], n = known[2];
                memcpy(out, known + 3, 8 * (size_t)n);
            }
        }
        if (got < 0) {
            got = vote_ids(g, src + spans[2 * pi], size, width, most, max_postings, &d, &cap, out,
                           &n, &votes);
            if (got < 0) goto done;
            if (key) {
                known[0] = got, known[1] = votes, known[2] = n;
                memcpy(known + 3, out, 8 * (size_t)n);
                if (memo_put(memo, key, known, nknown, limit) < 0) goto done;
            }
        }
        if (got) voted[nv] = (Voted){votes, pi, nv * most, n}, nv++;
    }
    qsort(voted, (size_t)nv, sizeof(Voted), cmp_voted);
    /* each searched around its diagonals (slack max(8, size // 3)), claimed when it
     * counts (align._counts) */
    for (Py_ssize_t v = 0; v < nv; v++) {
        const Py_ssize_t pi = voted[v].passage, s = spans[2 * pi], size = spans[2 * pi + 1] - s;
        const Py_ssize_t slack = size / 3 > 8 ? size / 3 : 8;
        double sim = 0.0;
        Py_ssize_t out[3];
        const int64_t *p = src + s;
        /* the memo's: (found, similarity's bits, start, end, matched) */
        int64_t known[5];
        int got = -1;
        Py_CLEAR(key);
        if (memo) {
            Py_ssize_t nk = 2;
            if (grow_i64(&kx, &kcap, 2) < 0) goto done;
            memcpy(kx, &min_similarity, 8);
            kx[1] = stray;
            if (runs_key(u, lc, size, meds + voted[v].at, voted[v].n, slack, &kx, &nk, &kcap) < 0 ||
                !(key = memo_key('s', p, size, kx, nk)))
                goto done;
            const int hit = memo_get(memo, key, known, sizeof known);
            if (hit < 0) goto done;
            if (hit) {
                got = (int)known[0];
                memcpy(&sim, known + 1, 8);
                out[0] = known[2], out[1] = known[3], out[2] = known[4];
            }
        }
        if (got < 0) {
            for (Py_ssize_t k = 0; k < size; k++)
                if (p[k] >= 0) count[p[k]]++, avail[p[k]]++;
            got = 0;
            if (may_count(c, lc, u, size, meds + voted[v].at, voted[v].n, slack, avail, count,
                          min_similarity))
                got = search_windows(c, lc, u, p, size, meds + voted[v].at, voted[v].n, slack,
                                     stray, cells, bl, &sim, out, avail, count);
            for (Py_ssize_t k = 0; k < size; k++)
                if (p[k] >= 0) count[p[k]] = avail[p[k]] = 0;
            if (got < 0) goto done;
            if (key && got != 2) {
                known[0] = got, known[2] = out[0], known[3] = out[1], known[4] = out[2];
                memcpy(known + 1, &sim, 8);
                if (memo_put(memo, key, known, sizeof known, limit) < 0) goto done;
            }
        }
        if (got == 2) { /* checked by claim() before: never */
            status = -2;
            goto done;
        }
        if (!got) continue;
        const Py_ssize_t matched = out[2], span = out[1] - out[0];
        if (!(sim >= min_similarity || ((double)matched >= abridged * (double)span &&
                                         3 * matched >= size && matched >= 8)))
            continue;
        memset(u + out[0], 1, (size_t)span);
        claims[4 * nc] = pi, claims[4 * nc + 1] = out[0], claims[4 * nc + 2] = out[1];
        claims[4 * nc + 3] = matched, nc++;
    }
    *nclaims = nc;
    status = 0;
done:
    PyMem_Free(exact);
    PyMem_Free(voted);
    PyMem_Free(meds);
    PyMem_Free(d);
    PyMem_Free(bl);
    PyMem_Free(count);
    PyMem_Free(kx);
    Py_XDECREF(key);
    return status;
}

static PyObject *TAGS[4]; /* difflib's opcode tags: replace, delete, insert, equal */

/* The matching blocks of passage p (size ids) and the copy's span c[lo, hi) (matching;
 * the memo's when it holds them: kept there by the passage's ids and the span) in *bl
 * (room grown: *room blocks), their number in *n. 0, or -1 (the error set). */
static int span_blocks(const int64_t *c, Py_ssize_t lo, Py_ssize_t hi, const int64_t *p,
                       Py_ssize_t size, PyObject *memo, Py_ssize_t limit, Block **bl,
                       Py_ssize_t *room, Py_ssize_t *n) {
    const Py_ssize_t need = (size < hi - lo ? size : hi - lo) + 1;
    if (need > *room) {
        Block *grown = PyMem_Realloc(*bl, sizeof(Block) * (size_t)need);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        *bl = grown, *room = need;
    }
    const int64_t span[2] = {lo, hi};
    PyObject *key = memo_key('d', p, size, span, 2);
    if (!key) return -1;
    PyObject *v = PyDict_GetItemWithError(memo, key); /* borrowed */
    if (v && PyBytes_Check(v) && PyBytes_GET_SIZE(v) % (Py_ssize_t)sizeof(Block) == 0 &&
        PyBytes_GET_SIZE(v) / (Py_ssize_t)sizeof(Block) < need) {
        *n = PyBytes_GET_SIZE(v) / (Py_ssize_t)sizeof(Block);
        memcpy(*bl, PyBytes_AS_STRING(v), (size_t)PyBytes_GET_SIZE(v));
        Py_DECREF(key);
        return 0;
    }
    if (!v && PyErr_Occurred()) {
        Py_DECREF(key);
        return -1;
    }
    *n = matching(p, size, c + lo, hi - lo, *bl);
    const int got = *n < 0 ? -1 : memo_put(memo, key, *bl, *n * (Py_ssize_t)sizeof(Block), limit);
    Py_DECREF(key);
    return got;
}

/* How finish() makes a frozen dataclass with slots (align.Edit, align.PassageMatch): its
 * class and the member descriptors of its fields, in order. */
typedef struct {
    PyTypeObject *cls;
    PyObject *fields[8];
    int n;
} Made;

/* A new instance of t made as its generated __init__ makes it: a new object
 * (object.__new__) and each field set to values[f] by its slot's descriptor (what the
 * object.__setattr__ of a frozen dataclass's __init__ does). The values' references
 * are taken (NULL ones: the error set). NULL: the error set. */
static PyObject *make(const Made *t, PyObject **values) {
    PyObject *obj = NULL;
    int ok = 1;
    for (int f = 0; f < t->n; f++) ok = ok && values[f];
    if (ok && !(obj = t->cls->tp_alloc(t->cls, 0))) ok = 0;
    for (int f = 0; ok && f < t->n; f++)
        ok = Py_TYPE(t->fields[f])->tp_descr_set(t->fields[f], obj, values[f]) == 0;
    for (int f = 0; f < t->n; f++) Py_XDECREF(values[f]);
    if (!ok) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        Py_XDECREF(obj);
        return NULL;
    }
    return obj;
}

static int cmp_claim(const void *x, const void *y) { /* claims in passage order */
    const Py_ssize_t a = *(const Py_ssize_t *)x, b = *(const Py_ssize_t *)y;
    return (a > b) - (a < b);
}

/* align()'s last steps on the claims (4 items each: passage, start, end, matched; in
 * the order they were made): align._extend_edges (each span grown over the free copy
 * words at its ends, within the copy's sentence: bounds, sorted, hold 0 and lc), then in
 * passage order each pair's blocks (the growth undone when it makes the pair no longer
 * count, as align does). Returns [align.PassageMatch (match), ...]: its edits, a tuple of
 * align.Edit (edit), one for each of difflib's opcodes but "equal" of the passage (its
 * first word in the source: origins[passage]) and the span, its kind from kinds (for
 * replace, delete, insert); NULL (the error set). */
static PyObject *finish(const int64_t *c, Py_ssize_t lc, unsigned char *u, const int64_t *src,
                        const int64_t *spans, const int64_t *origins, Py_ssize_t *claims,
                        Py_ssize_t nc, const int64_t *bounds, Py_ssize_t nb, Py_ssize_t lead,
                        double min_similarity, double abridged, PyObject *memo, Py_ssize_t limit,
                        const Made *edit, PyObject *kinds, const Made *match) {
    Block *bl = NULL;
    Py_ssize_t room = 0, n = 0;
    PyObject *out = PyList_New(nc);
    Py_ssize_t *first = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * nc + 1));
    if (!out || !first) goto fail;
    for (Py_ssize_t m = 0; m < nc; m++) { /* _extend_edges */
        Py_ssize_t *x = claims + 4 * m;
        const int64_t *p = src + spans[2 * x[0]];
        const Py_ssize_t size = spans[2 * x[0] + 1] - spans[2 * x[0]];
        first[2 * m] = x[1], first[2 * m + 1] = x[2];
        if (span_blocks(c, x[1], x[2], p, size, memo, limit, &bl, &room, &n) < 0) goto fail;
        if (!n) continue;
        const Py_ssize_t head = bl[0].i, tail = size - (bl[n - 1].i + bl[n - 1].k);
        Py_ssize_t at = bound(bounds, nb, x[1], 1) - 1;
        const Py_ssize_t floor = at >= 0 && bounds[at] > 0 ? (Py_ssize_t)bounds[at] : 0;
        Py_ssize_t run = 0, most = head + lead + 1;
        while (run < most && x[1] - run - 1 >= floor && !u[x[1] - run - 1]) run++;
        Py_ssize_t take = run <= head + lead ? run : (head < run ? head : run);
        memset(u + x[1] - take, 1, (size_t)take);
        x[1] -= take;
        at = bound(bounds, nb, x[2], 0);
        const Py_ssize_t ceiling = at < nb && bounds[at] < lc ? (Py_ssize_t)bounds[at] : lc;
        run = 0, most = tail + lead + 1;
        while (run < most && x[2] + run < ceiling && !u[x[2] + run]) run++;
        take = run <= tail + lead ? run : (tail < run ? tail : run);
        memset(u + x[2], 1, (size_t)take);
        x[2] += take;
    }
    for (Py_ssize_t m = 0; m < nc; m++) claims[4 * m + 3] = m; /* (where its first span is) */
    qsort(claims, (size_t)nc, 4 * sizeof(Py_ssize_t), cmp_claim);
    for (Py_ssize_t m = 0; m < nc; m++) {
        Py_ssize_t *x = claims + 4 * m;
        const int64_t *p = src + spans[2 * x[0]];
        const Py_ssize_t size = spans[2 * x[0] + 1] - spans[2 * x[0]];
        const Py_ssize_t lo0 = first[2 * x[3]], hi0 = first[2 * x[3] + 1];
        Py_ssize_t matched = 0;
        for (int round = 0; round < 2; round++) {
            if (span_blocks(c, x[1], x[2], p, size, memo, limit, &bl, &room, &n) < 0) goto fail;
            matched = 0;
            for (Py_ssize_t b = 0; b < n; b++) matched += bl[b].k;
            const Py_ssize_t span = x[2] - x[1];
            const double sim = 2.0 * (double)matched / (double)(size + span);
            const int counts = sim >= min_similarity ||
                               ((double)matched >= abridged * (double)span && 3 * matched >= size &&
                                matched >= 8);
            if (counts || (x[1] == lo0 && x[2] == hi0)) break;
            x[1] = lo0, x[2] = hi0; /* the words taken in made it unlike: left out */
        }
        Py_ssize_t nops = 0, i = 0, j = 0;
        for (Py_ssize_t b = 0; b <= n; b++) { /* the opcodes but "equal" */
            const Block y = b < n ? bl[b] : (Block){size, x[2] - x[1], 0};
            nops += i < y.i || j < y.j;
            i = y.i + y.k, j = y.j + y.k;
        }
        PyObject *edits = PyTuple_New(nops);
        if (!edits) goto fail;
        const Py_ssize_t at = origins[x[0]];
        i = j = nops = 0;
        for (Py_ssize_t b = 0; b <= n; b++) {
            const Block y = b < n ? bl[b] : (Block){size, x[2] - x[1], 0};
            const int tag = i < y.i && j < y.j ? 0 : i < y.i ? 1 : j < y.j ? 2 : -1;
            if (tag >= 0) {
                PyObject *values[3] = {Py_NewRef(PyTuple_GET_ITEM(kinds, tag)),
                                       Py_BuildValue("(nn)", at + i, at + y.i),
                                       Py_BuildValue("(nn)", x[1] + j, x[1] + y.j)};
                PyObject *e = make(edit, values);
                if (!e) {
                    Py_DECREF(edits);
                    goto fail;
                }
                PyTuple_SET_ITEM(edits, nops++, e);
            }
            i = y.i + y.k, j = y.j + y.k;
        }
        const double sim = 2.0 * (double)matched / (double)(size + x[2] - x[1]);
        PyObject *values[6] = {PyLong_FromSsize_t(x[0]), Py_BuildValue("(nn)", at, at + size),
                               Py_BuildValue("(nn)", x[1], x[2]), PyLong_FromSsize_t(matched),
                               PyFloat_FromDouble(sim), edits};
        PyObject *t = make(match, values);
        if (!t) goto fail;
        PyList_SET_ITEM(out, m, t);
    }
    PyMem_Free(bl);
    PyMem_Free(first);
    return out;
fail:
    if (!PyErr_Occurred()) PyErr_NoMemory();
    Py_XDECREF(out);
    PyMem_Free(bl);
    PyMem_Free(first);
    return NULL;
}

/* align(copy, keys3, pos3, keys2, pos2, vocab, used, source, spans, origins, bounds,
 * stray, max_tries, most, max_postings, cells, lead, min_similarity, abridged, memo,
 * limit, (Edit, fields, kinds, PassageMatch, fields)) -> [PassageMatch, ...] | None:
 * align.align on ids, its matches in passage order (finish()'s: align.Edit and
 * align.PassageMatch made as their __init__ makes them; fields: the descriptors of their
 * fields, in order; kinds: the kind of difflib's replace, delete and insert; origins:
 * each passage's first word in the source).
 * The claims, in the order align makes them: the passages the copy holds word for word
 * (align._claim_exact, max_tries occurrences on either side), then the others that
 * count, most voted first (alignwork.vote: `most` clusters, n-grams in at most
 * max_postings places; searched as search() does; counted as align._counts does); then
 * finish() (align._extend_edges: `lead` words, bounds: where the copy's sentences start,
 * sorted, with 0 and its length). spans: (start, end) pairs into source (ids). used (a
 * byte per copy word) is updated. None when a passage's window may be more than `cells`
 * words times its own: the caller aligns as before. memo (a dict, the copy's: up to
 * `limit` items) keeps each vote, search and pair's blocks by what it is a function of
 * (the passage's ids, and for a search the free runs searched, for a pair the span): a
 * near-copy's passage is voted for and searched once a copy. A search whose runs share
 * too few of the passage's words for a core that counts (may_count), and a run that
 * cannot beat the best (shared), are not matched: the same claims. */
static PyObject *align(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_k3, *o_p3, *o_k2, *o_p2, *o_u, *o_src, *o_spans, *o_origins, *o_bounds;
    long long vocab;
    PyObject *memo, *o_edit, *fields, *kinds, *o_match, *match_fields;
    Py_ssize_t stray, max_tries, most, max_postings, cells, lead, limit;
    double min_similarity, abridged;
    if (!PyArg_ParseTuple(args, "OOOOOLOOOOOnnnnnnddO!n(O!O!O!O!O!):align", &o_c, &o_k3, &o_p3,
                          &o_k2, &o_p2, &vocab, &o_u, &o_src, &o_spans, &o_origins, &o_bounds,
                          &stray, &max_tries, &most, &max_postings, &cells, &lead,
                          &min_similarity, &abridged, &PyDict_Type, &memo, &limit, &PyType_Type,
                          &o_edit, &PyTuple_Type, &fields, &PyTuple_Type, &kinds, &PyType_Type,
                          &o_match, &PyTuple_Type, &match_fields))
        return NULL;
    if (vocab < 1 || vocab > (1LL << 21) || most < 1 || max_tries < 0 || lead < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "align: vocab must be in 1..2**21, most >= 1, max_tries and lead >= 0");
        return NULL;
    }
    Made edit = {(PyTypeObject *)o_edit, {NULL}, 3}, match = {(PyTypeObject *)o_match, {NULL}, 6};
    int fields_ok = PyTuple_GET_SIZE(fields) == 3 && PyTuple_GET_SIZE(kinds) == 3 &&
                    PyTuple_GET_SIZE(match_fields) == 6;
    for (int f = 0; fields_ok && f < 6; f++) {
        PyObject *d = f < 3 ? PyTuple_GET_ITEM(fields, f) : NULL;
        if (d) edit.fields[f] = d;
        fields_ok = !d || Py_TYPE(d)->tp_descr_set != NULL;
        match.fields[f] = d = PyTuple_GET_ITEM(match_fields, f);
        fields_ok = fields_ok && Py_TYPE(d)->tp_descr_set != NULL;
    }
    if (!fields_ok) {
        PyErr_SetString(PyExc_ValueError,
                        "align: made must be (Edit, its 3 fields' descriptors, 3 kinds, "
                        "PassageMatch, its 6 fields' descriptors)");
        return NULL;
    }
    Py_buffer bufs[10];
    PyObject *const objs[10] = {o_c,   o_k3,      o_p3,     o_k2, o_p2, o_src,
                                o_spans, o_origins, o_bounds, o_u};
    const Py_ssize_t sizes[10] = {8, 8, 8, 8, 8, 8, 8, 8, 8, 1};
    const char *const names[10] = {"copy",  "keys3",   "pos3",   "keys2", "pos2", "source",
                                   "spans", "origins", "bounds", "used"};
    if (get_arrays(objs, bufs, sizes, names, 10, 9) < 0) return NULL;
    const int64_t *c = bufs[0].buf, *src = bufs[5].buf, *spans = bufs[6].buf;
    const int64_t *origins = bufs[7].buf, *bounds = bufs[8].buf;
    const Py_ssize_t lc = bufs[0].len / 8, ls = bufs[5].len / 8, np = bufs[6].len / 16;
    const Py_ssize_t nb = bufs[8].len / 8;
    const Grams g = {bufs[1].buf, bufs[2].buf, bufs[3].buf, bufs[4].buf,
                     bufs[1].len / 8, bufs[3].len / 8, vocab};
    const char *error = NULL;
    PyObject *result = NULL;
    Py_ssize_t *claims = NULL, nclaims = 0;
    int fits = 1;
    if (bufs[9].len != lc) error = "used must hold a byte per copy word";
    else if (bufs[1].len != bufs[2].len || bufs[3].len != bufs[4].len ||
             bufs[1].len / 8 != (lc > 2 ? lc - 2 : 0) || bufs[3].len / 8 != (lc > 1 ? lc - 1 : 0))
        error = "keys and positions must be the copy's trigrams' and bigrams'";
    else if (bufs[6].len % 16) error = "spans must be (start, end) pairs";
    else if (bufs[7].len / 8 != np) error = "origins must hold a word per passage";
    else if (!nb || bounds[0] != 0 || bounds[nb - 1] != lc) error = "bounds must run from 0 to the copy's length";
    for (Py_ssize_t i = 1; !error && i < nb; i++)
        if (bounds[i] <= bounds[i - 1]) error = "bounds must be sorted";
    for (Py_ssize_t i = 0; !error && i < lc; i++)
        if (c[i] < 0 || c[i] >= vocab) error = "copy ids must be in 0..vocab";
    for (Py_ssize_t i = 0; !error && i < ls; i++)
        if (src[i] >= vocab) error = "source ids must be below vocab";
    for (Py_ssize_t i = 0; !error && i < lc - 2; i++) /* (positions index the copy) */
        if (g.pos3[i] < 0 || g.pos3[i] >= lc - 2) error = "positions must be in the copy";
    for (Py_ssize_t i = 0; !error && i < lc - 1; i++)
        if (g.pos2[i] < 0 || g.pos2[i] >= lc - 1) error = "positions must be in the copy";
    for (Py_ssize_t pi = 0; !error && pi < np; pi++) {
        const Py_ssize_t s = spans[2 * pi], e = spans[2 * pi + 1], size = e - s;
        const Py_ssize_t slack = size / 3 > 8 ? size / 3 : 8;
        if (s < 0 || e < s || e > ls) error = "every span must be within the source";
        else if ((size + 2 * slack) * size > cells) fits = 0;
    }
    if (!error && fits) {
        if (!(claims = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(4 * np + 1)))) {
            error = "out of memory";
        } else {
            const int got = claim_all(c, lc, bufs[9].buf, &g, src, spans, np, stray, max_tries,
                                      most, max_postings, cells, min_similarity, abridged,
                                      memo, limit, claims, &nclaims);
            if (got == -1 && !PyErr_Occurred()) error = "out of memory";
            else if (got == -2) error = "a window too large"; /* (checked above: never) */
            else if (got == 0)
                result = finish(c, lc, bufs[9].buf, src, spans, origins, claims, nclaims, bounds,
                                nb, lead, min_similarity, abridged, memo, limit, &edit, kinds,
                                &match);
        }
    }
    release_arrays(bufs, 10);
    PyMem_Free(claims);
    if (!error && !fits) result = Py_NewRef(Py_None);
    if (error) PyErr_Format(PyExc_ValueError, "align: %s", error);
    return result;
}

/* diff(a, copy, lo, hi) -> ((head, tail) | None, matched, opcodes): alignwork.pair of a
 * passage a and the copy's span [lo, hi) (ids): the passage words before its first and
 * after its last matching block (None: nothing matches), the words matched, and
 * difflib's get_opcodes (of a and the span). */
static PyObject *diff(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_a, *o_c;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "OOnn:diff", &o_a, &o_c, &lo, &hi)) return NULL;
    Py_buffer bufs[2];
    if (get_pair(o_a, o_c, bufs) < 0) return NULL;
    PyObject *result = NULL, *ops = NULL, *ends = NULL;
    Block *bl = NULL;
    if (lo < 0 || hi > bufs[1].len / 8 || lo > hi) {
        PyErr_SetString(PyExc_ValueError, "diff: span outside the copy");
        goto done;
    }
    const int64_t *a = bufs[0].buf, *b = (const int64_t *)bufs[1].buf + lo;
    const Py_ssize_t la = bufs[0].len / 8, lb = hi - lo;
    bl = PyMem_Malloc(sizeof(Block) * (size_t)((la < lb ? la : lb) + 2));
    Py_ssize_t n = bl ? matching(a, la, b, lb, bl) : (PyErr_NoMemory(), -1);
    if (n < 0 || !(ops = PyList_New(0))) goto done;
    Py_ssize_t matched = 0, i = 0, j = 0;
    bl[n] = (Block){la, lb, 0};
    for (Py_ssize_t m = 0; m <= n; m++) {
        const Block x = bl[m];
        matched += x.k;
        for (int step = 0; step < 2; step++) {
            int tag = -1;
            Py_ssize_t i1 = i, i2 = x.i, j1 = j, j2 = x.j;
            if (step == 0)
                tag = i < x.i && j < x.j ? 0 : i < x.i ? 1 : j < x.j ? 2 : -1;
            else if (x.k)
                tag = 3, i1 = x.i, i2 = x.i + x.k, j1 = x.j, j2 = x.j + x.k;
            if (tag < 0) continue;
            PyObject *t = Py_BuildValue("(Onnnn)", TAGS[tag], i1, i2, j1, j2);
            if (!t || PyList_Append(ops, t) < 0) {
                Py_XDECREF(t);
                goto done;
            }
            Py_DECREF(t);
        }
        i = x.i + x.k, j = x.j + x.k;
    }
    if (n) {
        ends = Py_BuildValue("(nn)", bl[0].i, la - (bl[n - 1].i + bl[n - 1].k));
        if (!ends) goto done;
    } else {
        ends = Py_NewRef(Py_None);
    }
    result = Py_BuildValue("(OnO)", ends, matched, ops);
done:
    Py_XDECREF(ends);
    Py_XDECREF(ops);
    PyMem_Free(bl);
    release_arrays(bufs, 2);
    return result;
}

/* ids(words, vocab) -> bytes: each word's id in vocab (a dict of str to int), -1 for a
 * word it lacks, as native int64s (CopyIds.of: a passage's words as a copy's ids). */
static PyObject *ids(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_words, *vocab;
    if (!PyArg_ParseTuple(args, "OO!:ids", &o_words, &PyDict_Type, &vocab)) return NULL;
    PyObject *words = PySequence_Fast(o_words, "ids: words must be a sequence");
    if (!words) return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(words);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (!out) goto fail;
    int64_t *dst = (int64_t *)PyBytes_AS_STRING(out);
    PyObject **items = PySequence_Fast_ITEMS(words);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(vocab, items[i]); /* borrowed */
        if (!v) {
            if (PyErr_Occurred()) goto fail;
            dst[i] = -1;
            continue;
        }
        const long long x = PyLong_AsLongLong(v);
        if (x == -1 && PyErr_Occurred()) goto fail;
        dst[i] = x;
    }
    Py_DECREF(words);
    return out;
fail:
    Py_XDECREF(out);
    Py_DECREF(words);
    return NULL;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(text, starts, hashes, chunks, mostly_hard, chars_per_chunk) -> (tokens, chunks): "
     "normalize.simple_tokens and the xxh3-64 of each token."},
    {"sketch", sketch, METH_VARARGS,
     "sketch(word_hashes, spans, a, b, shingle, rows, signatures, keys): MinHash signatures and "
     "band keys of word-hash spans."},
    {"vote", vote, METH_VARARGS,
     "vote(ids, keys3, pos3, keys2, pos2, vocab, width, most, max_postings) -> (votes, "
     "diagonals) | None: alignwork.vote on word ids."},
    {"blocks", blocks, METH_VARARGS,
     "blocks(a, b) -> [(i, j, size), ...]: difflib's get_matching_blocks of two id arrays."},
    {"search", search, METH_VARARGS,
     "search(copy, used, passage, diagonals, slack, stray, cells) -> (similarity, start, end, "
     "matched) | None | False: align's search for a passage around its diagonals."},
    {"align", align, METH_VARARGS,
     "align(copy, keys3, pos3, keys2, pos2, vocab, used, source, spans, origins, bounds, stray, "
     "max_tries, most, max_postings, cells, lead, min_similarity, abridged, memo, limit, (Edit, "
     "fields, kinds, PassageMatch, fields)) -> [PassageMatch, ...] | None: align.align of a "
     "source's passages on ids."},
    {"ids", ids, METH_VARARGS,
     "ids(words, vocab) -> bytes: the words' ids in vocab (-1: lacking) as native int64s."},
    {"match", match, METH_VARARGS,
     "match(copy, lo, hi, passage, stray) -> (start, end, matched) | None: align._match on "
     "word ids."},
    {"diff", diff, METH_VARARGS,
     "diff(a, copy, lo, hi) -> ((head, tail) | None, matched, opcodes): alignwork.pair on "
     "word ids."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "provenance._kernel",
    "prov's compiled fingerprinting kernel (see provenance/_kernel.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    init_classes();
    const char *const tags[4] = {"replace", "delete", "insert", "equal"};
    for (int t = 0; t < 4; t++)
        if (!TAGS[t] && !(TAGS[t] = PyUnicode_InternFromString(tags[t]))) return NULL;
    return PyModule_Create(&module);
}
