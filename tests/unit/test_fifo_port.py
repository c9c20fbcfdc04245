"""FifoPort queues exactly like a capacity-1 simpy.Resource: same grant cycle for every
access, whatever the arrival pattern."""

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from cimsim.engine import FifoPort

Access = tuple[int, int]  # (cycles to wait before asking, cycles to hold)
Plan = list[list[Access]]  # one list of accesses per process

plans = st.lists(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), min_size=1, max_size=6),
    min_size=1,
    max_size=5,
)


def _grants_with_resource(plan: Plan) -> list[tuple[int, int, int]]:
    env = simpy.Environment()
    port = simpy.Resource(env, capacity=1)
    grants: list[tuple[int, int, int]] = []

    def user(who: int, accesses: list[Access]):
        for index, (gap, hold) in enumerate(accesses):
            yield env.timeout(gap)
            with port.request() as request:
                yield request
                grants.append((who, index, env.now))
                yield env.timeout(hold)

    for who, accesses in enumerate(plan):
        env.process(user(who, accesses))
    env.run()
    return sorted(grants)


def _grants_with_fifo_port(plan: Plan) -> list[tuple[int, int, int]]:
    env = simpy.Environment()
    port = FifoPort(env)
    grants: list[tuple[int, int, int]] = []

    def user(who: int, accesses: list[Access]):
        for index, (gap, hold) in enumerate(accesses):
            yield env.timeout(gap)
            wait = port.acquire()
            if wait is not None:
                yield wait
            grants.append((who, index, env.now))
            yield env.timeout(hold)
            port.release()

    for who, accesses in enumerate(plan):
        env.process(user(who, accesses))
    env.run()
    return sorted(grants)


@settings(max_examples=200, deadline=None)
@given(plans)
def test_fifo_port_grants_every_access_when_simpy_resource_does(plan: Plan) -> None:
    assert _grants_with_fifo_port(plan) == _grants_with_resource(plan)


def test_waiters_are_served_in_the_order_they_asked() -> None:
    env = simpy.Environment()
    port = FifoPort(env)
    order: list[str] = []

    def user(name: str, arrive: int):
        yield env.timeout(arrive)
        wait = port.acquire()
        if wait is not None:
            yield wait
        order.append(name)
        yield env.timeout(10)
        port.release()

    for name, arrive in (("first", 0), ("second", 1), ("third", 2)):
        env.process(user(name, arrive))
    env.run()
    assert order == ["first", "second", "third"]
    assert env.now == 30
    assert not port.busy
