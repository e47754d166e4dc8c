/* Reverse maximum matching of ideographs against a word list, in one pass over a text.

   The same words, in the same order, as ``keywords.words`` computes in Python (which stays the
   reference, and the fallback where this module was not built): the text's runs of two or more
   ideographs (U+4E00..U+9FFF) from left to right; in each run, from its end back to its start, the
   longest word of four, three or two characters that ends at the current point, else one character
   is stepped over.

   A word of two to four characters is packed into one 64-bit key (16 bits a character, the first
   one highest: a key's size tells its length, as no character is NUL) and kept in an
   open-addressing table with its weight: a lookup makes no string and no Python hash. Only the
   words found are made into strings. The table is built from the keyword table's packed form
   (``keywords._pack``): the counted words joined by newlines, their weights as doubles, and the stop
   words (matched, weight None). ``Words.keywords`` also counts and ranks them, as
   ``keywords.keywords`` does: by count times weight, ties by the word.
   ``Starts(lists)`` is a second, small matcher: for each of a few lists of words, every position of a
   text where one of them starts (overlaps included), in one pass that reads a character, tests one
   bit for whether a word opens with it, and only there compares the words that do. ``departments``
   finds where a name and the anchors of its open grammars can start with it (``keywords.word_starts``,
   whose Python form, a look-ahead pattern per list, is the reference). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#ifndef RMM_SOURCE
#define RMM_SOURCE "" /* setup.py defines it: the digest of this file */
#endif

#define FIRST 0x4E00
#define LAST 0x9FFF
#define IS_IDEOGRAPH(c) ((c) >= FIRST && (c) <= LAST)

typedef struct {
    PyObject_HEAD
    uint64_t *slots; /* 0: empty */
    int32_t *entry;  /* per slot: the word's index in weights, or -1 for a stop word */
    double *weights;
    size_t mask;     /* slots - 1, a power of two less one */
    int shift;       /* 64 - log2(slots): a key's slot is the top bits of its product */
    uint64_t *bloom; /* one bit a key, BLOOM_BITS long: most windows are no word, and a bit in this
                        small map says so without a probe of the large table */
    Py_ssize_t size;
    Py_ssize_t left_out; /* words of the table that no key can hold (none in jieba's dictionary) */
} Words;

#define BLOOM_LOG 23 /* 2^23 bits, 1 MiB */

static inline uint64_t
bloom_bit(uint64_t key)
{
    return (key * 0xC2B2AE3D27D4EB4FULL) >> (64 - BLOOM_LOG);
}

static inline size_t
slot_of(const Words *w, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> w->shift);
}

/* The slot holding ``key``, or -1. */
static Py_ssize_t
find(const Words *w, uint64_t key)
{
    uint64_t bit = bloom_bit(key);
    if (!(w->bloom[bit >> 6] & (1ULL << (bit & 63))))
        return -1;
    size_t i = slot_of(w, key);
    for (;;) {
        uint64_t k = w->slots[i];
        if (k == key)
            return (Py_ssize_t)i;
        if (k == 0)
            return -1;
        i = (i + 1) & w->mask;
    }
}

static void
insert(Words *w, uint64_t key, int32_t entry)
{
    size_t i = slot_of(w, key);
    for (;;) {
        uint64_t k = w->slots[i];
        if (k == key) {
            w->entry[i] = entry; /* a later row wins, as in a dict */
            return;
        }
        if (k == 0) {
            uint64_t bit = bloom_bit(key);
            w->bloom[bit >> 6] |= 1ULL << (bit & 63);
            w->slots[i] = key;
            w->entry[i] = entry;
            w->size++;
            return;
        }
        i = (i + 1) & w->mask;
    }
}

/* The key of text[start:end] (two to four characters, each of the Basic Multilingual Plane and not
   NUL: 16 bits each, so the key is the word's and no other's), or 0 when it is no such word. The
   table holds every word of the keyword table this way (the few with letters, C++, B超, too), so
   that membership and weights are the table's own; the matching looks up runs of ideographs only. */
static uint64_t
key_of(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    if (end - start < 2 || end - start > 4)
        return 0;
    uint64_t key = 0;
    for (Py_ssize_t j = start; j < end; j++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, j);
        if (c == 0 || c > 0xFFFF)
            return 0;
        key = (key << 16) | (uint64_t)c;
    }
    return key;
}

static void
Words_dealloc(Words *self)
{
    PyMem_Free(self->slots);
    PyMem_Free(self->entry);
    PyMem_Free(self->weights);
    PyMem_Free(self->bloom);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Words(blob, weights, stop): the counted words joined by newlines, their weights (native doubles,
   one per word), the stop words. Words that are not two to four ideographs are left out: they can
   never match inside a run. */
static PyObject *
Words_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *blob, *stop;
    Py_buffer weights;
    if (!PyArg_ParseTuple(args, "Uy*O!:Words", &blob, &weights, &PyTuple_Type, &stop))
        return NULL;
    Py_ssize_t count = weights.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t n = count + PyTuple_GET_SIZE(stop);
    size_t capacity = 1024;
    int bits = 10;
    while (capacity < (size_t)n * 3) {
        capacity <<= 1;
        bits++;
    }
    Words *self = (Words *)type->tp_alloc(type, 0);
    if (self == NULL) {
        PyBuffer_Release(&weights);
        return NULL;
    }
    self->slots = PyMem_Calloc(capacity, sizeof(uint64_t));
    self->entry = PyMem_Malloc(capacity * sizeof(int32_t));
    self->weights = PyMem_Malloc((count ? count : 1) * sizeof(double));
    self->bloom = PyMem_Calloc((size_t)1 << (BLOOM_LOG - 6), sizeof(uint64_t));
    if (self->slots == NULL || self->entry == NULL || self->weights == NULL || self->bloom == NULL) {
        PyBuffer_Release(&weights);
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    memcpy(self->weights, weights.buf, count * sizeof(double));
    PyBuffer_Release(&weights);
    self->mask = capacity - 1;
    self->shift = 64 - bits;

    int kind = PyUnicode_KIND(blob);
    const void *data = PyUnicode_DATA(blob);
    Py_ssize_t length = PyUnicode_GET_LENGTH(blob), start = 0, index = 0;
    for (Py_ssize_t i = 0; i <= length; i++) {
        if (i < length && PyUnicode_READ(kind, data, i) != '\n')
            continue;
        if (index >= count) {
            PyErr_SetString(PyExc_ValueError, "more words than weights");
            Py_DECREF(self);
            return NULL;
        }
        uint64_t key = key_of(kind, data, start, i);
        if (key)
            insert(self, key, (int32_t)index);
        else
            self->left_out++;
        index++;
        start = i + 1;
    }
    if (index != count) {
        PyErr_SetString(PyExc_ValueError, "fewer words than weights");
        Py_DECREF(self);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(stop); i++) {
        PyObject *word = PyTuple_GET_ITEM(stop, i);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "stop words are strings");
            Py_DECREF(self);
            return NULL;
        }
        uint64_t key = key_of(PyUnicode_KIND(word), PyUnicode_DATA(word), 0, PyUnicode_GET_LENGTH(word));
        if (key)
            insert(self, key, -1);
        else
            self->left_out++;
    }
    return (PyObject *)self;
}

/* What is done with each word found: its slot in the table, where it starts, its length. */
typedef int (*on_word)(const Words *w, void *ctx, PyObject *text, Py_ssize_t slot, Py_ssize_t at,
                       Py_ssize_t size);

/* The words of one run [start, end) of ideographs, right to left. */
static int
walk_run(const Words *w, PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end,
         on_word found, void *ctx)
{
    while (end - start >= 2) {
        Py_ssize_t size = end - start >= 4 ? 4 : end - start, slot = -1;
        for (; size >= 2; size--) {
            uint64_t key = 0;
            for (Py_ssize_t j = end - size; j < end; j++)
                key = (key << 16) | (uint64_t)PyUnicode_READ(kind, data, j);
            slot = find(w, key);
            if (slot >= 0)
                break;
        }
        if (slot < 0) {
            end -= 1;
            continue;
        }
        if (found(w, ctx, text, slot, end - size, size) < 0)
            return -1;
        end -= size;
    }
    return 0;
}

/* The words of each run of two or more ideographs, the runs from left to right. */
static int
walk(const Words *w, PyObject *text, on_word found, void *ctx)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    while (i < n) {
        if (!IS_IDEOGRAPH(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < n && IS_IDEOGRAPH(PyUnicode_READ(kind, data, i)))
            i++;
        if (i - start >= 2 && walk_run(w, text, kind, data, start, i, found, ctx) < 0)
            return -1;
    }
    return 0;
}

static int
append_word(const Words *w, void *ctx, PyObject *text, Py_ssize_t slot, Py_ssize_t at, Py_ssize_t size)
{
    (void)w;
    (void)slot;
    PyObject *word = PyUnicode_Substring(text, at, at + size);
    if (word == NULL)
        return -1;
    int failed = PyList_Append((PyObject *)ctx, word);
    Py_DECREF(word);
    return failed;
}

static PyObject *
Words_words(Words *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "words() takes a str");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out != NULL && walk(self, text, append_word, out) < 0)
        Py_CLEAR(out);
    return out;
}

/* The counted (not stop) words of a text, by table slot: how often, and where one of them is. */
typedef struct {
    Py_ssize_t slot; /* -1: empty */
    Py_ssize_t count, at, size;
} Hit;

typedef struct {
    Hit *hits;
    size_t mask, used;
} Tally;

static int
tally_word(const Words *w, void *ctx, PyObject *text, Py_ssize_t slot, Py_ssize_t at, Py_ssize_t size)
{
    (void)text;
    Tally *t = ctx;
    if (w->entry[slot] < 0)
        return 0; /* a stop word: matched, not counted */
    if (2 * (t->used + 1) > t->mask + 1) { /* keep it at most half full */
        size_t capacity = 2 * (t->mask + 1);
        Hit *hits = PyMem_Malloc(capacity * sizeof(Hit));
        if (hits == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (size_t i = 0; i < capacity; i++)
            hits[i].slot = -1;
        for (size_t i = 0; i <= t->mask; i++) {
            if (t->hits[i].slot < 0)
                continue;
            size_t j = (size_t)t->hits[i].slot & (capacity - 1);
            while (hits[j].slot >= 0)
                j = (j + 1) & (capacity - 1);
            hits[j] = t->hits[i];
        }
        PyMem_Free(t->hits);
        t->hits = hits;
        t->mask = capacity - 1;
    }
    size_t j = (size_t)slot & t->mask;
    while (t->hits[j].slot >= 0 && t->hits[j].slot != slot)
        j = (j + 1) & t->mask;
    if (t->hits[j].slot < 0) {
        t->hits[j].slot = slot;
        t->hits[j].count = 0;
        t->hits[j].at = at;
        t->hits[j].size = size;
        t->used++;
    }
    t->hits[j].count++;
    return 0;
}

/* A counted word of a text and its sort key. */
typedef struct {
    double score; /* -count * weight */
    Py_ssize_t at, size;
} Ranked;

typedef struct {
    int kind;
    const void *data;
} Source;

static Source sort_source; /* the text being ranked (qsort passes no context; the GIL is held) */

/* By score, then by the word's characters (as Python compares (score, word) pairs). */
static int
by_rank(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->score < y->score)
        return -1;
    if (x->score > y->score)
        return 1;
    Py_ssize_t n = x->size < y->size ? x->size : y->size;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(sort_source.kind, sort_source.data, x->at + i);
        Py_UCS4 d = PyUnicode_READ(sort_source.kind, sort_source.data, y->at + i);
        if (c != d)
            return c < d ? -1 : 1;
    }
    return (x->size > y->size) - (x->size < y->size);
}

/* keywords(text, k) -> list[str]: the k counted words of the text with the lowest -count * weight
   (the highest TF-IDF), ties by the word, interned: keywords.keywords in C. */
static PyObject *
Words_keywords(Words *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "Un:keywords", &text, &k))
        return NULL;
    Tally t = {PyMem_Malloc(16 * sizeof(Hit)), 15, 0};
    if (t.hits == NULL)
        return PyErr_NoMemory();
    for (size_t i = 0; i <= t.mask; i++)
        t.hits[i].slot = -1;
    PyObject *out = NULL;
    Ranked *ranked = NULL;
    if (walk(self, text, tally_word, &t) < 0)
        goto done;
    ranked = PyMem_Malloc((t.used ? t.used : 1) * sizeof(Ranked));
    if (ranked == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i <= t.mask; i++) {
        Hit *h = &t.hits[i];
        if (h->slot < 0)
            continue;
        ranked[n].score = (double)(-h->count) * self->weights[self->entry[h->slot]];
        ranked[n].at = h->at;
        ranked[n].size = h->size;
        n++;
    }
    sort_source.kind = PyUnicode_KIND(text);
    sort_source.data = PyUnicode_DATA(text);
    qsort(ranked, n, sizeof(Ranked), by_rank);
    if (k < 0) /* as a Python slice [:k] */
        k += (Py_ssize_t)n;
    if (k < 0)
        k = 0;
    if ((size_t)k > n)
        k = (Py_ssize_t)n;
    out = PyList_New(k);
    if (out == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *word = PyUnicode_Substring(text, ranked[i].at, ranked[i].at + ranked[i].size);
        if (word == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyUnicode_InternInPlace(&word); /* a keyword repeated over records is held once */
        PyList_SET_ITEM(out, i, word);
    }
done:
    PyMem_Free(ranked);
    PyMem_Free(t.hits);
    return out;
}

/* weight(word) -> float | None: the word's weight, None for a stop word; KeyError if not a word. */
static PyObject *
Words_weight(Words *self, PyObject *word)
{
    if (!PyUnicode_Check(word)) {
        PyErr_SetString(PyExc_TypeError, "weight() takes a str");
        return NULL;
    }
    uint64_t key = key_of(PyUnicode_KIND(word), PyUnicode_DATA(word), 0, PyUnicode_GET_LENGTH(word));
    Py_ssize_t slot = key ? find(self, key) : -1;
    if (slot < 0) {
        PyErr_SetObject(PyExc_KeyError, word);
        return NULL;
    }
    if (self->entry[slot] < 0)
        Py_RETURN_NONE;
    return PyFloat_FromDouble(self->weights[self->entry[slot]]);
}

/* word in table: whether the word is in the keyword table (stop words too), as ``word in
   keywords._weights()`` says; a table that had to leave words out cannot say, and raises. */
static int
Words_contains(Words *self, PyObject *word)
{
    if (!PyUnicode_Check(word))
        return 0;
    uint64_t key = key_of(PyUnicode_KIND(word), PyUnicode_DATA(word), 0, PyUnicode_GET_LENGTH(word));
    if (key)
        return find(self, key) >= 0;
    if (self->left_out) {
        PyErr_SetString(PyExc_ValueError, "the table left out words it cannot hold: ask the dictionary");
        return -1;
    }
    return 0;
}

static Py_ssize_t
Words_len(Words *self)
{
    return self->size;
}

static PyMethodDef Words_methods[] = {
    {"words", (PyCFunction)Words_words, METH_O,
     "words(text) -> list[str]: the words of each run of ideographs, by reverse maximum matching."},
    {"keywords", (PyCFunction)Words_keywords, METH_VARARGS,
     "keywords(text, k) -> list[str]: the k counted words with the highest count * weight, ties by word."},
    {"weight", (PyCFunction)Words_weight, METH_O,
     "weight(word) -> float | None: the word's weight (None: a stop word); KeyError if not in the table."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Words_as_sequence = {
    .sq_length = (lenfunc)Words_len,
    .sq_contains = (objobjproc)Words_contains,
};

static PyTypeObject WordsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sqzl_docs.extract._rmm.Words",
    .tp_basicsize = sizeof(Words),
    .tp_dealloc = (destructor)Words_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Words(blob, weights, stop): the keyword table, for reverse maximum matching.",
    .tp_methods = Words_methods,
    .tp_as_sequence = &Words_as_sequence,
    .tp_new = Words_new,
};

/* Starts(lists): where the words of each of some lists start in a text, in one pass. The words'
   characters are kept in one array, the words sorted by their first character, each with its list;
   a first character's words are found through a small open-addressing table, and a bit per character
   of the Basic Multilingual Plane says whether any word opens with it (a character beyond it is
   looked up in the table). */
#define MAX_LISTS 64 /* a position is given once per list: a bit a list says it was */

typedef struct {
    PyObject_HEAD
    Py_ssize_t lists;
    Py_UCS4 *chars;        /* the words' characters, one word after another */
    Py_ssize_t *offsets;   /* word i is chars[offsets[i]:offsets[i + 1]], the words by first character */
    int *list_of;          /* word i's list */
    Py_UCS4 *firsts;       /* per slot: a first character (0: empty) */
    Py_ssize_t *from, *to; /* per slot: its words are offsets' indices [from, to) */
    size_t mask;
    uint64_t opens[0x10000 / 64]; /* bit c: some word opens with c (c < 0x10000) */
} Starts;

/* The slot of first character c: the one holding it, else the empty one where it would go. */
static inline size_t
first_slot(const Starts *s, Py_UCS4 c)
{
    size_t slot = (size_t)(((uint64_t)c * 0x9E3779B97F4A7C15ULL) >> 40) & s->mask;
    while (s->firsts[slot] != 0 && s->firsts[slot] != c)
        slot = (slot + 1) & s->mask;
    return slot;
}

static void
Starts_dealloc(Starts *self)
{
    PyMem_Free(self->chars);
    PyMem_Free(self->offsets);
    PyMem_Free(self->list_of);
    PyMem_Free(self->firsts);
    PyMem_Free(self->from);
    PyMem_Free(self->to);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

typedef struct {
    PyObject *word;
    int list;
} ListedWord;

static int
by_first(const void *a, const void *b)
{
    Py_UCS4 x = PyUnicode_READ_CHAR(((const ListedWord *)a)->word, 0);
    Py_UCS4 y = PyUnicode_READ_CHAR(((const ListedWord *)b)->word, 0);
    return (x > y) - (x < y);
}

static PyObject *
Starts_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)kwds;
    PyObject *lists;
    if (!PyArg_ParseTuple(args, "O!:Starts", &PyTuple_Type, &lists))
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(lists), n = 0, total = 0;
    if (count > MAX_LISTS) {
        PyErr_SetString(PyExc_ValueError, "Starts() takes at most 64 lists");
        return NULL;
    }
    for (Py_ssize_t l = 0; l < count; l++) {
        PyObject *words = PyTuple_GET_ITEM(lists, l);
        if (!PyTuple_Check(words)) {
            PyErr_SetString(PyExc_TypeError, "Starts() takes a tuple of tuples of strings");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
            PyObject *w = PyTuple_GET_ITEM(words, i);
            if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0 || PyUnicode_READ_CHAR(w, 0) == 0) {
                PyErr_SetString(PyExc_TypeError, "Starts() takes non-empty strings (no NUL first)");
                return NULL;
            }
            total += PyUnicode_GET_LENGTH(w);
            n++;
        }
    }
    size_t capacity = 16;
    while (capacity < (size_t)n * 2)
        capacity <<= 1;
    Starts *self = (Starts *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->lists = count;
    ListedWord *sorted = PyMem_Malloc((n ? n : 1) * sizeof(ListedWord));
    self->chars = PyMem_Malloc((total ? total : 1) * sizeof(Py_UCS4));
    self->offsets = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    self->list_of = PyMem_Malloc((n ? n : 1) * sizeof(int));
    self->firsts = PyMem_Calloc(capacity, sizeof(Py_UCS4));
    self->from = PyMem_Malloc(capacity * sizeof(Py_ssize_t));
    self->to = PyMem_Malloc(capacity * sizeof(Py_ssize_t));
    if (sorted == NULL || self->chars == NULL || self->offsets == NULL || self->list_of == NULL
            || self->firsts == NULL || self->from == NULL || self->to == NULL) {
        PyMem_Free(sorted);
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->mask = capacity - 1;
    memset(self->opens, 0, sizeof(self->opens));
    Py_ssize_t k = 0;
    for (Py_ssize_t l = 0; l < count; l++) {
        PyObject *words = PyTuple_GET_ITEM(lists, l);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
            sorted[k].word = PyTuple_GET_ITEM(words, i);
            sorted[k++].list = (int)l;
        }
    }
    qsort(sorted, (size_t)n, sizeof(ListedWord), by_first);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = sorted[i].word;
        self->offsets[i] = at;
        self->list_of[i] = sorted[i].list;
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(w); j++)
            self->chars[at++] = PyUnicode_READ_CHAR(w, j);
        Py_UCS4 c = self->chars[self->offsets[i]];
        if (c < 0x10000)
            self->opens[c >> 6] |= 1ULL << (c & 63);
        size_t slot = first_slot(self, c);
        if (self->firsts[slot] == 0) {
            self->firsts[slot] = c;
            self->from[slot] = i;
        }
        self->to[slot] = i + 1; /* the words are sorted by first character: its words are adjacent */
    }
    self->offsets[n] = at;
    PyMem_Free(sorted);
    return (PyObject *)self;
}

/* The positions of text (of one kind) where the words start, appended to out's lists. Written once
   for the three kinds of str (inlined with a constant kind, so that a character is read directly). */
static inline int
find_in(const Starts *self, int kind, const void *data, Py_ssize_t n, PyObject *out)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x10000 && !(self->opens[c >> 6] & (1ULL << (c & 63))))
            continue;
        size_t slot = first_slot(self, c);
        if (self->firsts[slot] == 0)
            continue;
        uint64_t given = 0; /* the lists this position was given to */
        for (Py_ssize_t w = self->from[slot]; w < self->to[slot]; w++) {
            int list = self->list_of[w];
            Py_ssize_t a = self->offsets[w], len = self->offsets[w + 1] - a, j = 1;
            if ((given >> list) & 1 || i + len > n)
                continue;
            while (j < len && PyUnicode_READ(kind, data, i + j) == self->chars[a + j])
                j++;
            if (j < len)
                continue;
            given |= 1ULL << list;
            PyObject *at = PyLong_FromSsize_t(i);
            if (at == NULL || PyList_Append(PyTuple_GET_ITEM(out, list), at) < 0) {
                Py_XDECREF(at);
                return -1;
            }
            Py_DECREF(at);
        }
    }
    return 0;
}

/* find(text) -> tuple of lists: for each list of words, every position where one of them starts
   (overlaps included), in order. */
static PyObject *
Starts_find(Starts *self, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "find() takes a str");
        return NULL;
    }
    PyObject *out = PyTuple_New(self->lists);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t l = 0; l < self->lists; l++) {
        PyObject *list = PyList_New(0);
        if (list == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, l, list);
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int failed;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        failed = find_in(self, PyUnicode_1BYTE_KIND, data, n, out);
        break;
    case PyUnicode_2BYTE_KIND:
        failed = find_in(self, PyUnicode_2BYTE_KIND, data, n, out);
        break;
    default:
        failed = find_in(self, PyUnicode_4BYTE_KIND, data, n, out);
    }
    if (failed) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyMethodDef Starts_methods[] = {
    {"find", (PyCFunction)Starts_find, METH_O,
     "find(text) -> tuple[list[int], ...]: per list, every position where one of its words starts, in order."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject StartsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sqzl_docs.extract._rmm.Starts",
    .tp_basicsize = sizeof(Starts),
    .tp_dealloc = (destructor)Starts_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Starts(lists): where the words of each list start in a text (find).",
    .tp_methods = Starts_methods,
    .tp_new = Starts_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_rmm", "Reverse maximum matching of ideographs, and where words start (see keywords.py).", -1, NULL,
};

PyMODINIT_FUNC
PyInit__rmm(void)
{
    if (PyType_Ready(&WordsType) < 0 || PyType_Ready(&StartsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "SOURCE", RMM_SOURCE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&WordsType);
    if (PyModule_AddObject(m, "Words", (PyObject *)&WordsType) < 0) {
        Py_DECREF(&WordsType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&StartsType);
    if (PyModule_AddObject(m, "Starts", (PyObject *)&StartsType) < 0) {
        Py_DECREF(&StartsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
