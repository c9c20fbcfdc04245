"""Shared fixtures: small networks and architectures for fast tests."""

import pytest

from cimsim.config import ArchConfig, load_arch
from workloads.ir import Activation, Conv2d, Flatten, Graph, Linear, max_pool, sequential


@pytest.fixture(scope="session")
def tiny_arch() -> ArchConfig:
    return load_arch("tiny")


@pytest.fixture(scope="session")
def small_cnn() -> Graph:
    """A LeNet-like CNN small enough for the tiny preset."""
    return sequential(
        "small_cnn",
        (1, 16, 16),
        [
            ("conv1", Conv2d(8, (3, 3), padding=(1, 1))),
            ("relu1", Activation("relu")),
            ("pool1", max_pool(2)),
            ("conv2", Conv2d(16, (3, 3), padding=(1, 1))),
            ("relu2", Activation("relu")),
            ("pool2", max_pool(2)),
            ("flat", Flatten()),
            ("fc1", Linear(32)),
            ("relu3", Activation("relu")),
            ("fc2", Linear(10)),
        ],
    )
