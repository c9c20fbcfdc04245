"""All numba policy of hwmodels, in one place.

- Kernels are decorated with :func:`njit`: numba ``njit(cache=True, nogil=True)``; numba
  compiles on the first call (never at import) and caches the machine code on disk.
- Setting the environment variable ``HWMODELS_DISABLE_JIT=1`` (read when hwmodels._jit is
  first imported), or running without numba installed, leaves the kernels as plain Python
  functions (slow, for debugging and coverage; integer overflow wraps silently, as in
  compiled code); results are identical.
- :data:`prange`, :func:`popcount64`, :func:`fetch_add` and :func:`num_threads` have
  pure-Python fallbacks for that case.
- Parallel kernels hand out work dynamically (one ``prange`` iteration per thread, each
  taking chunks from a shared :func:`fetch_add` counter) rather than numba's static split:
  on a shared 2-core machine one thread is often descheduled for a few milliseconds, and a
  static split then waits for its half of the work. Measured with a busy process on the
  second core, for the crossbar layer kernel (2.8 ms on two idle cores, 5.7 ms on one):
  median 7.0 ms with the static split, 5.1 ms with dynamic chunks.
"""

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

DISABLE_ENV = "HWMODELS_DISABLE_JIT"
"""Environment variable that turns the JIT off when set to 1, true or yes."""


def jit_requested() -> bool:
    """True unless HWMODELS_DISABLE_JIT asks for plain Python."""
    return os.environ.get(DISABLE_ENV, "").strip().lower() not in ("1", "true", "yes")


try:
    import numba as _numba
except ImportError:  # pragma: no cover - numba is a declared dependency
    _numba = None

JIT_ENABLED: bool = _numba is not None and jit_requested()
"""Whether kernels are compiled by numba in this process."""


def njit(*, parallel: bool = False) -> Callable[[F], F]:
    """Decorator: compile with numba (cached, lazily) or leave as Python when JIT is off."""

    def decorate(func: F) -> F:
        if not JIT_ENABLED:
            return _wrapping(func)
        return _numba.njit(cache=True, nogil=True, parallel=parallel)(func)  # type: ignore[union-attr]

    return decorate


def _wrapping(func: F) -> F:
    """Run ``func`` with numpy integer overflow silent: it wraps, as in compiled code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore"):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _popcount_py(x: int) -> int:
    """Number of set bits of a 64-bit word (pure Python)."""
    return int(x).bit_count()


def _make_popcount() -> Callable[[int], int]:
    """LLVM ``ctpop`` on a uint64 (one POPCNT instruction on x86-64), returned as int64."""
    if not JIT_ENABLED:
        return _popcount_py
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def popcount64(typingctx: Any, word: Any) -> Any:
        signature = types.int64(types.uint64)

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            return builder.ctpop(args[0])

        return signature, codegen

    return popcount64  # type: ignore[no-any-return]


popcount64: Callable[[int], int] = _make_popcount()
"""Set bits of a uint64 word, usable inside :func:`njit` kernels."""

prange: Callable[..., range] = _numba.prange if JIT_ENABLED else range  # type: ignore[union-attr]
"""Parallel range inside ``njit(parallel=True)`` kernels; plain ``range`` without JIT."""


def _fetch_add_py(counter: np.ndarray, value: int) -> int:
    """counter[0] += value; returns the old value (pure Python, single-threaded)."""
    old = int(counter[0])
    counter[0] = old + value
    return old


def _make_fetch_add() -> Callable[[np.ndarray, int], int]:
    """Atomic ``counter[0] += value`` on an int64 array (LLVM atomicrmw), old value returned."""
    if not JIT_ENABLED:
        return _fetch_add_py
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic
    def fetch_add(typingctx: Any, counter: Any, value: Any) -> Any:
        if not isinstance(counter, types.Array) or counter.dtype != types.int64:
            return None
        signature = types.int64(counter, types.int64)

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            array_type = sig.args[0]
            array = context.make_array(array_type)(context, builder, args[0])
            first = context.get_constant(types.intp, 0)
            pointer = cgutils.get_item_pointer(context, builder, array_type, array, [first])
            return builder.atomic_rmw("add", pointer, args[1], "seq_cst")

        return signature, codegen

    return fetch_add  # type: ignore[no-any-return]


fetch_add: Callable[[np.ndarray, int], int] = _make_fetch_add()
"""Atomically add to element 0 of an int64 array and return its old value (in kernels)."""


def num_threads() -> int:
    """Threads a parallel kernel runs on (numba's current setting; 1 without JIT)."""
    return int(_numba.get_num_threads()) if JIT_ENABLED else 1  # type: ignore[union-attr]
