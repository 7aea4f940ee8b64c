/*
 * prov's compiled kernel (the extension provenance.match._kernel): its method table and
 * init, and the buffer helpers its functions share. The functions themselves are in
 * _kernel_scan.c (fingerprinting), _kernel_search.c (votes, a passage's search),
 * _kernel_blocks.c (difflib's matching blocks), _kernel_vocab.c (a copy's words
 * numbered), _kernel_claim.c and _kernel_align.c (a candidate aligned in one call),
 * _kernel_bags.c (the reworded-passage search's tf-idf loops); what they share is
 * declared in _kernel.h.
 */
#include "_kernel.h"

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

/* (pk_get_arrays, pk_release_arrays and pk_get_pair: see _kernel.h.) */
int pk_get_arrays(PyObject *const *objs, Py_buffer *bufs, const Py_ssize_t *sizes,
                  const char *const *names, int n, int first_output) {
    for (int j = 0; j < n; j++)
        if (get_array(objs[j], &bufs[j], sizes[j], j >= first_output, names[j]) < 0) {
            while (j--) PyBuffer_Release(&bufs[j]);
            return -1;
        }
    return 0;
}

void pk_release_arrays(Py_buffer *bufs, int n) {
    for (int j = 0; j < n; j++) PyBuffer_Release(&bufs[j]);
}

int pk_get_pair(PyObject *o_a, PyObject *o_b, Py_buffer *bufs) {
    PyObject *const objs[2] = {o_a, o_b};
    const Py_ssize_t sizes[2] = {8, 8};
    const char *const names[2] = {"a", "b"};
    return pk_get_arrays(objs, bufs, sizes, names, 2, 2);
}

static PyMethodDef methods[] = {
    {"scan", pk_scan, METH_VARARGS,
     "scan(text, starts, hashes, chunks, mostly_hard, chars_per_chunk) -> (tokens, chunks): "
     "normalize.simple_tokens and the xxh3-64 of each token."},
    {"sketch", pk_sketch, METH_VARARGS,
     "sketch(word_hashes, spans, a, b, shingle, rows, signatures, keys): MinHash signatures and "
     "band keys of word-hash spans."},
    {"vote", pk_vote, METH_VARARGS,
     "vote(ids, keys3, pos3, keys2, pos2, vocab, width, most, max_postings) -> (votes, "
     "diagonals) | None: votes.vote on word ids."},
    {"blocks", pk_blocks, METH_VARARGS,
     "blocks(a, b) -> [(i, j, size), ...]: difflib's get_matching_blocks of two id arrays."},
    {"search", pk_search, METH_VARARGS,
     "search(copy, used, passage, diagonals, slack, stray, cells) -> (similarity, start, end, "
     "matched) | None | False: align's search for a passage around its diagonals."},
    {"align", pk_align, METH_VARARGS,
     "align(copy, keys3, pos3, keys2, pos2, vocab, used, source, spans, origins, bounds, stray, "
     "max_tries, most, max_postings, cells, lead, min_similarity, abridged, memo, limit, (Edit, "
     "fields, kinds, PassageMatch, fields)) -> [PassageMatch, ...] | None: align.align of a "
     "source's passages on ids."},
    {"ids", pk_ids, METH_VARARGS,
     "ids(words, vocab) -> bytes: the words' ids in vocab (a dict, or number()'s table; -1: "
     "lacking) as native int64s."},
    {"number", pk_number, METH_VARARGS,
     "number(words, most) -> [vocab, ids, keys3, pos3, keys2, pos2, table] | None: a copy's "
     "words numbered (CopyIds.build), its n-grams' keys sorted with their positions, and the "
     "table ids() looks words up in."},
    {"match", pk_match, METH_VARARGS,
     "match(copy, lo, hi, passage, stray) -> (start, end, matched) | None: claims._match on "
     "word ids."},
    {"diff", pk_diff, METH_VARARGS,
     "diff(a, copy, lo, hi) -> ((head, tail) | None, matched, opcodes): alignwork.pair on "
     "word ids."},
    {"bag_weigh", pk_bag_weigh, METH_VARARGS,
     "bag_weigh(bag, idf, tf) -> (vec, norm) | None: bags.weigh."},
    {"bag_weigh_more", pk_bag_weigh_more, METH_VARARGS,
     "bag_weigh_more(weighed, bag, added, idf, tf) -> (vec, norm) | None: bags.weigh_more."},
    {"bag_scaled", pk_bag_scaled, METH_VARARGS,
     "bag_scaled(weights, idf) -> (vec, norm) | None: a bag's weights times idf, and the norm."},
    {"bag_cosine", pk_bag_cosine, METH_VARARGS,
     "bag_cosine(a, na, b, nb) -> float | None: bags.cosine, a no larger than b."},
    {"bag_held", pk_bag_held, METH_VARARGS,
     "bag_held(counts, keys) -> int | None: sum(counts.get(t, 0) for t in keys)."},
    {"bag_units", pk_bag_units, METH_VARARGS,
     "bag_units(counter_type, bag, postings, start) -> Counter | None: each unit's count of the "
     "bag's stems, by their postings, from start's."},
    {"bag_mapped", pk_bag_mapped, METH_VARARGS,
     "bag_mapped(counts, table) -> dict | None: {t: table[k] for t, k in counts.items()}."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "provenance.match._kernel",
    "prov's compiled kernel: fingerprinting and alignment's inner loops (see "
    "provenance/match/_kernel.h).",
    -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    pk_init_scan();
    if (pk_init_align() < 0) return NULL;
    return PyModule_Create(&module);
}
