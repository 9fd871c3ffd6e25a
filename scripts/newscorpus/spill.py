"""A list kept on disk, so that one summary per document does not grow memory with the corpus.

The validator keeps a small result per document (sha256s, counts, findings) that the report and
the build read again later. At news-archive size those summaries add up (about 1.7 KB each, so
170 MB at 100,000 documents); `SpillList` pickles them in batches to an anonymous temporary file
and reads them back in the same order, holding one batch at a time.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")
BATCH_ITEMS = 512  # items pickled together: big enough to amortise pickle, small enough to be flat


class SpillList(Generic[T]):
    """Append, then iterate (any number of times, in append order). No indexing: it is a stream."""

    def __init__(self, items: Iterable[T] = (), batch_items: int | None = None):
        self._batch_items = batch_items or BATCH_ITEMS
        self._pending: list[T] = []
        self._batches: list[tuple[int, int]] = []  # (offset, length) of each pickled batch
        self._size = 0
        self._len = 0
        self._file = None  # created on the first full batch: small lists never touch the disk
        self.extend(items)

    def append(self, item: T) -> None:
        self._pending.append(item)
        self._len += 1
        if len(self._pending) >= self._batch_items:
            self._flush()

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="newscorpus-spill-")
        data = pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self._file.fileno(), data, self._size)
        self._batches.append((self._size, len(data)))
        self._size += len(data)
        self._pending = []

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __iter__(self) -> Iterator[T]:
        # positional reads (pread): two iterations at once do not disturb each other
        batches, pending = list(self._batches), list(self._pending)
        for offset, length in batches:
            data = os.pread(self._file.fileno(), length, offset)
            if len(data) != length:
                raise OSError(f"spill file truncated: read {len(data)} of {length} bytes at {offset}")
            yield from pickle.loads(data)
        yield from pending

    def clear(self) -> None:
        """Forget every item and give the disk space back."""
        if self._file is not None:
            self._file.close()
        self._file = None
        self._pending, self._batches, self._size, self._len = [], [], 0, 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, SpillList)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"SpillList({self._len} items, {len(self._batches)} batches on disk)"

    def __del__(self) -> None:
        try:
            if self._file is not None:
                self._file.close()
        except Exception:
            pass
