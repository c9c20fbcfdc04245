"""All numba policy of hwmodels, in one place.

- Kernels are decorated with :func:`njit`: numba ``njit(cache=True, nogil=True)``; numba
  compiles on the first call (never at import) and caches the machine code on disk.
- Setting the environment variable ``HWMODELS_DISABLE_JIT=1`` (read when hwmodels._jit is
  first imported), or running without numba installed, leaves the kernels as plain Python
  functions (slow, for debugging and coverage; integer overflow wraps silently, as in
  compiled code); results are identical.
- :data:`prange` and :func:`popcount64` have pure-Python fallbacks for that case.
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
