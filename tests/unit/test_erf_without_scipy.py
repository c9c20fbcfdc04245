"""GELU and erf in functional runs need no scipy (the [accuracy] extra): without it the
error function comes from math.erf, element by element, with the same values."""

import builtins
import math

import numpy as np
import pytest

from cimsim.functional import ops


def test_erf_falls_back_to_math_erf(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.linspace(-4, 4, 101).astype(np.float32).reshape(1, -1)
    with_scipy = ops.activation(x, "gelu", None, None)
    real_import = builtins.__import__

    def no_scipy(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("scipy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    without = ops.activation(x, "gelu", None, None)
    assert without.dtype == x.dtype
    np.testing.assert_allclose(without, with_scipy, rtol=1e-6, atol=1e-7)
    erf = ops.activation(x, "erf", None, None)
    assert erf[0, 0] == pytest.approx(math.erf(-4.0))
