"""FifoPort queues exactly like a simpy.Resource of the same capacity: the same grant cycle
for every access, the same order of events, whatever the arrival pattern."""

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


def _grants_with_resource(plan: Plan, capacity: int = 1) -> tuple[list[tuple[int, int, int]], int]:
    env = simpy.Environment()
    port = simpy.Resource(env, capacity=capacity)
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
    return grants, _scheduled(env)


def _grants_with_fifo_port(plan: Plan, capacity: int = 1) -> tuple[list[tuple[int, int, int]], int]:
    env = simpy.Environment()
    port = FifoPort(env, capacity)
    grants: list[tuple[int, int, int]] = []

    def user(who: int, accesses: list[Access]):
        for index, (gap, hold) in enumerate(accesses):
            yield env.timeout(gap)
            yield port.acquire()
            grants.append((who, index, env.now))
            yield env.timeout(hold)
            port.release()

    for who, accesses in enumerate(plan):
        env.process(user(who, accesses))
    env.run()
    return grants, _scheduled(env)


def _scheduled(env: simpy.Environment) -> int:
    """Events SimPy scheduled (its event id counter)."""
    return int(env._eid.__reduce__()[1][0])


@settings(max_examples=200, deadline=None)
@given(plans, st.integers(1, 3))
def test_fifo_port_schedules_exactly_as_simpy_resource(plan: Plan, capacity: int) -> None:
    """Same grants, in the same cycles, in the same processing order, with no more events
    (it skips the release events that would do nothing), for one server or several."""
    fifo_grants, fifo_events = _grants_with_fifo_port(plan, capacity)
    resource_grants, resource_events = _grants_with_resource(plan, capacity)
    assert fifo_grants == resource_grants
    assert fifo_events <= resource_events


def test_waiters_are_served_in_the_order_they_asked() -> None:
    env = simpy.Environment()
    port = FifoPort(env)
    order: list[str] = []

    def user(name: str, arrive: int):
        yield env.timeout(arrive)
        yield port.acquire()
        order.append(name)
        yield env.timeout(10)
        port.release()

    for name, arrive in (("first", 0), ("second", 1), ("third", 2)):
        env.process(user(name, arrive))
    env.run()
    assert order == ["first", "second", "third"]
    assert env.now == 30
    assert not port.busy
