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


@pytest.fixture(scope="session")
def run_program():
    """Run a Program on the event timer: (arch, info, mapping, program) -> (runner, sink)."""
    from cimsim.config.hardware import hardware_params
    from cimsim.engine import Engine
    from cimsim.plan.lower import lower_program
    from cimsim.timing.event import Holds, ProgramRunner
    from cimsim.trace import TraceSink

    def run(arch, info, mapping, program, sink=None):
        hw = hardware_params(arch)
        plan = lower_program(program, mapping, info, arch.precision.activation_bits, hw.digital)
        engine, sink = Engine(hw.clock_ghz), sink or TraceSink()
        runner = ProgramRunner(Holds(engine, sink, plan.resources, plan.flit_bytes), program, plan)
        runner.start()
        engine.run()
        return runner, sink

    return run
