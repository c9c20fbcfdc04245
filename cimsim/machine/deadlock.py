"""Checks of a topology's routes: every router reaches every other, and the order in which
messages take their links cannot deadlock (pure; for tests, docs and configuration checks).

A message holds the links of its route, taking them in ``Topology.acquisition_order`` (the
path model) or in route order (wormhole routers: a head waits for the next link while its
body holds the last). Two links depend on each other when some message takes one right
after the other; holding can deadlock only if these dependencies form a cycle (Dally and
Seitz, "Deadlock-free message routing in multiprocessor interconnection networks", IEEE
Trans. Computers C-36(5), 1987).
"""

import itertools
from collections.abc import Iterable

from cimsim.machine.topology import Topology


def unreachable(topology: Topology) -> tuple[int, ...]:
    """Routers that router 0 cannot reach, or that cannot reach it, over the links."""
    out: dict[int, list[int]] = {n: [] for n in range(topology.nodes)}
    into: dict[int, list[int]] = {n: [] for n in range(topology.nodes)}
    for link in topology.links:
        out[link.src].append(link.dst)
        into[link.dst].append(link.src)
    forward, backward = _reached(out), _reached(into)
    return tuple(n for n in range(topology.nodes) if n not in forward or n not in backward)


def _reached(edges: dict[int, list[int]]) -> set[int]:
    seen, todo = {0}, [0]
    while todo:
        for other in edges[todo.pop()]:
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def dependencies(
    topology: Topology,
    pairs: Iterable[tuple[int, int]] | None = None,
    route_order: bool = False,
) -> dict[int, set[int]]:
    """Link -> the links a message holding it takes next, over the routes between ``pairs``
    of routers (default: every ordered pair); in acquisition order, or in ``route_order``."""
    nodes = range(topology.nodes)
    chosen = pairs if pairs is not None else ((a, b) for a in nodes for b in nodes if a != b)
    after: dict[int, set[int]] = {}
    for src, dst in chosen:
        route = topology.route(src, dst)
        order = route if route_order else topology.acquisition_order(route)
        for first, then in itertools.pairwise(order):
            after.setdefault(first, set()).add(then)
    return after


def dependency_cycle(topology: Topology, route_order: bool = False) -> tuple[int, ...]:
    """Links forming a cycle of dependencies (the first found, in link index order), or ()
    when holding links in acquisition order (or ``route_order``) cannot deadlock."""
    after = dependencies(topology, route_order=route_order)
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in sorted(after):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(after.get(start, ())))]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(step) == 1:
                return tuple(path[path.index(step):])
            elif step not in state:
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(after.get(step, ()))))
    return ()
