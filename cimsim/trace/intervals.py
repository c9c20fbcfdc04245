"""Columnar interval records in preallocated numpy buffers, streamed to Parquet when large.

Each record: start and end cycle, component, kind, layer, bytes, cause. An append only
stages the record as a tuple; every ``STAGE_ROWS`` records are moved into the columns at
once (strings interned to small integers, stored as dictionary-encoded columns), so a
record costs one list append during the run and a few bytes of array afterwards. When a
spill path is given, every full block is written to it as one Parquet row group and the
buffers are reused, so memory stays bounded however long the run; without one, the
buffers grow.
"""

import errno
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ("start_cycle", "end_cycle", "component", "kind", "layer", "bytes", "cause")
"""Column order of every interval table."""

_DICTIONARY_COLUMNS = ("component", "kind", "layer", "cause")

STAGE_ROWS = 4096
"""Records staged as tuples before they are moved into the numpy columns together."""

Record = tuple[int, int, str, str, str, int, str]


class IntervalBuffer:
    """Append-only interval store."""

    def __init__(self, block_rows: int = 1 << 18, spill_path: Path | None = None) -> None:
        self._block_rows = block_rows
        self._spill_path = spill_path
        self._writer: pq.ParquetWriter | None = None
        self._spilled_rows = 0
        self._names: dict[str, dict[str, int]] = {c: {} for c in _DICTIONARY_COLUMNS}
        self._staged: list[Record] = []
        self._allocate(block_rows)

    def _allocate(self, rows: int) -> None:
        self._start = np.empty(rows, np.int64)
        self._end = np.empty(rows, np.int64)
        self._bytes = np.empty(rows, np.int64)
        self._codes = {c: np.empty(rows, np.int32) for c in _DICTIONARY_COLUMNS}
        self._rows = 0

    def append(
        self,
        start: int,
        end: int,
        component: str,
        kind: str,
        layer: str,
        nbytes: int = 0,
        cause: str = "",
    ) -> None:
        """Add one record."""
        staged = self._staged
        staged.append((start, end, component, kind, layer, nbytes, cause))
        if len(staged) >= STAGE_ROWS:
            self._store_staged()

    def __len__(self) -> int:
        return self._spilled_rows + self._rows + len(self._staged)

    def _store_staged(self) -> None:
        """Move the staged records into the columns, block by block."""
        staged, self._staged = self._staged, []
        done = 0
        while done < len(staged):
            if self._rows == len(self._start):
                self._make_room()
            take = min(len(staged) - done, len(self._start) - self._rows)
            self._store(staged[done : done + take])
            done += take

    def _store(self, records: list[Record]) -> None:
        i, n = self._rows, len(records)
        start, end, component, kind, layer, nbytes, cause = zip(*records, strict=True)
        self._start[i : i + n] = start
        self._end[i : i + n] = end
        self._bytes[i : i + n] = nbytes
        for column, names in zip(_DICTIONARY_COLUMNS, (component, kind, layer, cause), strict=True):
            table = self._names[column]
            self._codes[column][i : i + n] = [table.setdefault(x, len(table)) for x in names]
        self._rows = i + n

    def _make_room(self) -> None:
        if self._spill_path is None:
            self._grow()
            return
        table = self._block_table()
        if self._writer is None:
            self._spill_path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._spill_path, _schema())
        self._writer.write_table(table)
        self._spilled_rows += self._rows
        self._rows = 0

    def _grow(self) -> None:
        size = len(self._start) * 2
        self._start = np.resize(self._start, size)
        self._end = np.resize(self._end, size)
        self._bytes = np.resize(self._bytes, size)
        self._codes = {c: np.resize(a, size) for c, a in self._codes.items()}

    def _block_table(self) -> pa.Table:
        self._store_staged()
        n = self._rows
        arrays = {
            "start_cycle": pa.array(self._start[:n]),
            "end_cycle": pa.array(self._end[:n]),
            "bytes": pa.array(self._bytes[:n]),
        }
        for column in _DICTIONARY_COLUMNS:
            names = pa.array(list(self._names[column]), pa.string())
            arrays[column] = pa.DictionaryArray.from_arrays(
                pa.array(self._codes[column][:n]), names
            ).cast(pa.string())
        return pa.table({c: arrays[c] for c in COLUMNS}, schema=_schema())

    def to_table(self) -> pa.Table:
        """Every record as one Arrow table (reading back any spilled row groups)."""
        tail = self._block_table()
        if self._spill_path is None or not (self._writer or self._spill_path.exists()):
            return tail
        self._close_writer()
        head = pq.read_table(self._spill_path, schema=_schema())
        return pa.concat_tables([head, tail])

    def to_frame(self) -> pd.DataFrame:
        """Every record as a DataFrame (string columns as categoricals)."""
        frame = self.to_table().to_pandas()
        for column in _DICTIONARY_COLUMNS:
            frame[column] = frame[column].astype("category")
        return frame

    def save(self, path: Path) -> None:
        """Write every record to ``path`` as Parquet, atomically; the buffer is then spent.

        When spilling, the remaining block goes into the spill file as its last row group
        and the spill file is moved into place (no second copy in memory; copied first when
        it lies on another file system, as in the system's temporary folder).
        """
        if self._writer is not None:
            table = self._block_table()
            if table.num_rows:
                self._writer.write_table(table)
                self._rows = 0
            self._close_writer()
            assert self._spill_path is not None
            _move(self._spill_path, path)
            return
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(self.to_table(), tmp)
        tmp.replace(path)
        if self._spill_path is not None:
            self._spill_path.unlink(missing_ok=True)

    def discard(self) -> None:
        """Drop a spill file (after a failed or interrupted run)."""
        self._close_writer()
        if self._spill_path is not None:
            self._spill_path.unlink(missing_ok=True)

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``; across file systems, copy it beside ``target``
    first, so the rename stays atomic."""
    try:
        source.replace(target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        staged = target.with_name(f".{target.name}.move.tmp")
        shutil.copyfile(source, staged)
        staged.replace(target)
        source.unlink()


def _schema() -> pa.Schema:
    return pa.schema(
        [
            ("start_cycle", pa.int64()),
            ("end_cycle", pa.int64()),
            ("component", pa.string()),
            ("kind", pa.string()),
            ("layer", pa.string()),
            ("bytes", pa.int64()),
            ("cause", pa.string()),
        ]
    )
