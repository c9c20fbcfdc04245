"""Columnar interval records in preallocated numpy buffers, streamed to Parquet when large.

Each record: start and end cycle, component, kind, layer, bytes, cause. Strings are
interned to small integers on append and stored as dictionary-encoded columns, so a record
costs a few array stores, not a Python object. When a spill path is given, every full block
is written to it as one Parquet row group and the buffers are reused, so memory stays
bounded however long the run; without one, the buffers grow.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ("start_cycle", "end_cycle", "component", "kind", "layer", "bytes", "cause")
"""Column order of every interval table."""

_DICTIONARY_COLUMNS = ("component", "kind", "layer", "cause")


class IntervalBuffer:
    """Append-only interval store."""

    def __init__(self, block_rows: int = 1 << 18, spill_path: Path | None = None) -> None:
        self._block_rows = block_rows
        self._spill_path = spill_path
        self._writer: pq.ParquetWriter | None = None
        self._spilled_rows = 0
        self._names: dict[str, dict[str, int]] = {c: {} for c in _DICTIONARY_COLUMNS}
        self._allocate(block_rows)

    def _allocate(self, rows: int) -> None:
        self._start = np.empty(rows, np.int64)
        self._end = np.empty(rows, np.int64)
        self._bytes = np.empty(rows, np.int64)
        self._codes = {c: np.empty(rows, np.int32) for c in _DICTIONARY_COLUMNS}
        self._rows = 0

    def _code(self, column: str, name: str) -> int:
        table = self._names[column]
        code = table.get(name)
        if code is None:
            code = len(table)
            table[name] = code
        return code

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
        i = self._rows
        if i == len(self._start):
            self._make_room()
            i = self._rows
        self._start[i] = start
        self._end[i] = end
        self._bytes[i] = nbytes
        codes = self._codes
        codes["component"][i] = self._code("component", component)
        codes["kind"][i] = self._code("kind", kind)
        codes["layer"][i] = self._code("layer", layer)
        codes["cause"][i] = self._code("cause", cause)
        self._rows = i + 1

    def __len__(self) -> int:
        return self._spilled_rows + self._rows

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
        and the spill file is renamed into place (no second copy in memory).
        """
        if self._writer is not None:
            if self._rows:
                if self._writer is None:
                    self._writer = pq.ParquetWriter(self._spill_path, _schema())
                self._writer.write_table(self._block_table())
                self._rows = 0
            self._close_writer()
            assert self._spill_path is not None
            self._spill_path.replace(path)
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
