/*
 * prov's compiled kernel, fingerprinting (the two inner loops of
 * provenance/match/fingerprint.py in C, bit for bit the same as its NumPy path:
 * tests/test_kernel.py compares them):
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
 * The caller allocates the outputs; the GIL is released while the loops run. (The
 * module's other files: _kernel.h.)
 */
#include "_kernel.h"

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

/* normalize.simple_tokens's character classes (normalize._classes). */
enum { SEP, LETTER, DIGIT, APOS, POINT, OTHER };
static unsigned char CLASS[256];
/* 1 for the characters that can follow a digit in a hard chunk: . , ' */
static unsigned char AFTER_DIGIT[256];

void pk_init_scan(void) {
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

PyObject *pk_scan(PyObject *self, PyObject *args) {
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
    if (pk_get_arrays(objs, bufs, sizes, names, 4, 1) < 0) return NULL;
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
    pk_release_arrays(bufs, 4);
    if (error) {
        PyErr_Format(PyExc_ValueError, "scan: %s", error);
        return NULL;
    }
    return Py_BuildValue("nn", count, n_chunks);
}

PyObject *pk_sketch(PyObject *self, PyObject *args) {
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
    if (pk_get_arrays(objs, bufs, sizes, names, 6, 4) < 0) return NULL;
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
    pk_release_arrays(bufs, 6);
    if (error) {
        PyErr_Format(PyExc_ValueError, "sketch: %s", error);
        return NULL;
    }
    Py_RETURN_NONE;
}
