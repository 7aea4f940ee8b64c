"""Sentence vectors kept in-process by the text's content, so that a text compared again
(``compare`` of one source against many copies, a server, a scan worker that meets the
same source page after page) is embedded once.

A bounded least-recently-used map from a digest of (encoder, passage text) to its
float32 vector: :data:`MAX_BYTES` of vectors at most (2 KB each at 512 dimensions:
~16,000 passages, a few hundred sources), the oldest dropped first. Thread-safe (the
server's threads share it). Embedding is deterministic, so a vector read from here is
the one the encoder would compute again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from provenance.semantic import encoder

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Bytes of vectors kept at most per process (each entry also costs its 16-byte key and
#: the map's own ~100 bytes, counted as :data:`ENTRY_OVERHEAD`).
MAX_BYTES = 32 << 20
ENTRY_OVERHEAD = 128


class VectorCache:
    """A bounded LRU of sentence vectors by content (module docstring)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._rows: OrderedDict[bytes, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self.bytes = 0

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """``encoder.embed(texts)``, computing only the rows not kept (each distinct
        text once), and keeping the new ones."""
        import numpy as np

        if not texts:
            return np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
        name = encoder.encoder_name().encode()
        keys = [
            hashlib.blake2b(
                t.encode("utf-8", "surrogatepass"), digest_size=16, key=name[:64]
            ).digest()
            for t in texts
        ]
        found: dict[bytes, npt.NDArray[np.float32]] = {}
        with self._lock:
            for k in keys:
                row = self._rows.get(k)
                if row is not None:
                    self._rows.move_to_end(k)
                    found[k] = row
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        if todo:
            first = {k: i for i, k in reversed(list(enumerate(keys)))}
            rows = encoder.embed([texts[first[k]] for k in todo])
            with self._lock:
                for k, row in zip(todo, rows, strict=True):
                    row = row.copy()  # (not a view holding the whole batch)
                    found[k] = row
                    if k not in self._rows:
                        self._rows[k] = row
                        self.bytes += row.nbytes + ENTRY_OVERHEAD
                while self.bytes > self.max_bytes and self._rows:
                    _, old = self._rows.popitem(last=False)
                    self.bytes -= old.nbytes + ENTRY_OVERHEAD
        return np.vstack([found[k] for k in keys])


#: The process's cache.
VECTORS = VectorCache()


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Embed ``texts`` through the process's cache (:data:`VECTORS`)."""
    return VECTORS.embed(texts)
