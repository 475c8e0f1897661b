"""Tabu search on the critical path of a pure job shop (makespan, one machine per task, chained tasks).

The schedule is a sequence of tasks per machine; starts follow as the earliest the job chains
and the machine sequences allow (heads). A move swaps two adjacent tasks at the border of a
block of the critical path (consecutive critical tasks on one machine), the N5 neighbourhood of
Nowicki and Smutnicki: no other swap of adjacent tasks can shorten the makespan, and none of
these can create a cycle. Moves are scored by the approximate makespan through the two swapped
tasks (heads before them and tails after them unchanged, as in Taillard's estimate), the best
one that is not tabu is made (a tabu one only when it beats the best makespan seen), and the
reverse arc is tabu for a random number of iterations. After long stagnation the search goes
back to the best sequence, shaken by a few random critical swaps.

Everything is plain lists of ints with a sentinel for "no neighbour". A topological order of the
arcs is kept up to date move by move (Pearce and Kelly), so after a swap only the heads from the
swapped pair on and the tails up to it are recomputed, in one short pass each: on swv01 (20x10)
about 42,000 iterations per second against 11,500 with a full recomputation per move. For a
given seed and iteration limit the result is always the same; a time limit ends the search at a
check every `CHECK_EVERY` iterations.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem
from planning_core.scheduling.solution import Schedule, place

CHECK_EVERY = 32  # iterations between looks at the clock
TENURE_MIN = 8  # tabu tenure: a random number of iterations in [min, min + spread]
TENURE_SPREAD_PER_JOB = 0.25  # larger shops need a longer memory: spread grows with the jobs per machine
# iterations without a new best before going back to the best sequence: about a quarter second on
# a 20x10 shop, as 2500 were before the search got four times faster. Tuned on public instances
# (swv01/03/05, ta01, la21, abz8, seeds 0 and 1, 60,000 iterations from the dispatching schedule,
# sum of makespans): 2500 -> 14952, 5000 -> 14848, 10000 -> 14792, 20000 -> 14766 (swv gains,
# la21 and abz8 within a few units either way); 20000 would leave a time-limited search few restarts.
STALL_ITERATIONS = 10_000
SHAKE_SWAPS = 3  # random critical swaps applied to the best sequence on a restart


def is_pure_job_shop(problem: SchedulingProblem) -> bool:
    """Whether the tabu search applies: makespan, each task on one fixed one-unit resource that is
    always available from minute 0, no set-up families, releases or blocks, and precedences that
    chain tasks (at most one before and one after each), so a sequence per machine is a schedule."""
    if problem.objective is not ObjectiveKind.MAKESPAN or problem.blocked or problem.changeovers:
        return False
    if not problem.tasks:
        return False
    for resource in problem.resources.values():
        windows = problem.calendars[resource.calendar_id].windows
        if resource.units != 1 or len(windows) != 1 or windows[0][0] != 0:
            return False
    for task in problem.tasks:
        if len(task.resource_ids) != 1 or task.family is not None or task.release != 0:
            return False
    return all(len(p) <= 1 for p in problem.predecessors) and all(len(s) <= 1 for s in problem.successors)


@dataclass
class _Shop:
    """The fixed data, per task plus one sentinel entry at index `count` that stands for "none"
    (duration 0, end 0, tail 0): lookups through a missing neighbour then need no test, which is
    what makes the hot loops short."""

    durations: list[int]
    job_before: list[int]
    job_after: list[int]
    machine_of: list[int]
    job_lasts: list[int]  # the last task of each job: the makespan is the latest of their ends
    machines: int
    count: int  # tasks; also the sentinel's index


@dataclass
class _State:
    """Machine links, a topological order of all arcs, and the longest paths that follow from them."""

    before: list[int]  # machine predecessor of each task (the sentinel where none)
    after: list[int]  # machine successor
    order: list[int]  # tasks in a topological order of job and machine arcs
    position: list[int]  # each task's index in `order`; the sentinel's is `count`, past every task
    ends: list[int]  # earliest end: head + duration
    reach: list[int]  # duration + tail: the longest path from the task's start to the schedule's end
    makespan: int
    marks: list[int]  # scratch for `_reorder`: the number of the last search that reached a task
    stamp: int = 0


@dataclass(frozen=True)
class TabuResult:
    schedule: Schedule
    makespan: int
    iterations: int
    improved: bool  # better than the schedule it started from


def tabu_search(problem: SchedulingProblem, start: Schedule, *, time_limit: float, seed: int = 0,
                max_iterations: int | None = None) -> TabuResult:
    """The best schedule the search finds from `start` within `time_limit` seconds (and `max_iterations`)."""
    deadline = time.perf_counter() + time_limit
    shop, resource_ids = _shop(problem)
    before, after = _links(shop, _sequences(problem, start, resource_ids))
    state = _state(shop, before, after)
    initial = max(p.end for p in start.placements)
    best_links = (state.before[:], state.after[:])
    best = state.makespan
    rng = random.Random(seed)
    tabu: dict[int, int] = {}  # arc first * stride + second -> the iteration until which it may not be made
    stride = shop.count + 1
    spread = max(2, int(TENURE_SPREAD_PER_JOB * shop.count / max(1, shop.machines)))
    iteration = stall = 0
    while max_iterations is None or iteration < max_iterations:
        if iteration % CHECK_EVERY == 0 and time.perf_counter() >= deadline:
            break
        iteration += 1
        moves = _moves(shop, state)
        if not moves:
            break  # a single block on the critical path: the makespan is one machine's load, optimal
        first, second = _choose(shop, state, moves, tabu, stride, iteration, best, rng)
        if _apply(shop, state, first, second):
            tabu[first * stride + second] = iteration + TENURE_MIN + rng.randint(0, spread)
        else:  # it would have closed a cycle (only possible through tasks of zero duration): never again
            tabu[second * stride + first] = iteration + STALL_ITERATIONS
        if state.makespan < best:
            best, best_links, stall = state.makespan, (state.before[:], state.after[:]), 0
        else:
            stall += 1
        if stall >= STALL_ITERATIONS:
            state = _restart(shop, best_links, rng)
            tabu.clear()
            stall = 0
    if best >= initial:
        return TabuResult(start, initial, iteration, False)
    final = _state(shop, *best_links)
    return TabuResult(_schedule(problem, shop, final, resource_ids), final.makespan, iteration, True)


def _shop(problem: SchedulingProblem) -> tuple[_Shop, list[str]]:
    resource_ids = sorted(problem.resources)
    number = {r: i for i, r in enumerate(resource_ids)}
    count = len(problem.tasks)
    job_before, job_after = [count] * (count + 1), [count] * (count + 1)
    for before, after in problem.precedences:
        job_before[after], job_after[before] = before, after
    lasts = [t for t in range(count) if job_after[t] == count]
    shop = _Shop([t.work for t in problem.tasks] + [0], job_before, job_after,
                 [number[t.resource_ids[0]] for t in problem.tasks], lasts, len(resource_ids), count)
    return shop, resource_ids


def _sequences(problem: SchedulingProblem, start: Schedule, resource_ids: list[str]) -> list[list[int]]:
    """Each machine's tasks in the order the starting schedule runs them."""
    number = {r: i for i, r in enumerate(resource_ids)}
    sequences: list[list[int]] = [[] for _ in resource_ids]
    order = sorted(range(len(problem.tasks)), key=lambda t: (start.placements[t].start, start.placements[t].end, t))
    for task in order:
        sequences[number[problem.tasks[task].resource_ids[0]]].append(task)
    return sequences


def _links(shop: _Shop, sequences: list[list[int]]) -> tuple[list[int], list[int]]:
    """Machine predecessor and successor of each task (the sentinel at either end of a sequence)."""
    none = shop.count
    before, after = [none] * (none + 1), [none] * (none + 1)
    for sequence in sequences:
        for ahead, behind in pairwise(sequence):
            after[ahead], before[behind] = behind, ahead
    return before, after


def _state(shop: _Shop, before: list[int], after: list[int]) -> _State:
    """A state from machine links: a topological order, then heads and tails over all of it."""
    count = shop.count
    order = _topological(shop, before, after)
    position = [count] * (count + 1)
    for index, task in enumerate(order):
        position[task] = index
    state = _State(before[:], after[:], order, position, [0] * (count + 1), [0] * (count + 1), 0, [0] * (count + 1))
    _heads_from(shop, state, 0)
    _tails_to(shop, state, count - 1)
    return state


def _topological(shop: _Shop, before: list[int], after: list[int]) -> list[int]:
    """Kahn's order of the job and machine arcs (once per start or restart; moves keep it up to date)."""
    none = shop.count
    job_before, job_after = shop.job_before, shop.job_after
    waiting = [(job_before[t] != none) + (before[t] != none) for t in range(none)]
    order = [t for t in range(none) if waiting[t] == 0]
    position = 0
    while position < len(order):
        task = order[position]
        position += 1
        for nxt in (job_after[task], after[task]):
            if nxt != none:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    order.append(nxt)
    if len(order) != none:
        raise AssertionError("machine sequences with a cycle")
    return order


def _heads_from(shop: _Shop, state: _State, start: int) -> None:
    """Ends of the tasks from `start` on in the topological order, and the makespan. The hot loop:
    tasks earlier in the order keep their heads, and the sentinel spares every test for a missing
    predecessor."""
    durations, job_before, before, ends = shop.durations, shop.job_before, state.before, state.ends
    for task in state.order[start:]:
        job_end = ends[job_before[task]]
        machine_end = ends[before[task]]
        ends[task] = (job_end if job_end > machine_end else machine_end) + durations[task]
    state.makespan = max([ends[t] for t in shop.job_lasts])


def _tails_to(shop: _Shop, state: _State, stop: int) -> None:
    """Duration plus tail of the tasks up to `stop` in the topological order, from the back."""
    durations, job_after, after, reach = shop.durations, shop.job_after, state.after, state.reach
    for task in state.order[stop::-1]:
        job_reach = reach[job_after[task]]
        machine_reach = reach[after[task]]
        reach[task] = (job_reach if job_reach > machine_reach else machine_reach) + durations[task]


def _critical_path(shop: _Shop, state: _State) -> list[int]:
    """One longest path, from a task starting at 0 to one ending at the makespan: walked back from
    the end (a job's last task), each step to a predecessor whose end is the task's head, the
    machine one first so that blocks stay whole."""
    durations, job_before, before, ends = shop.durations, shop.job_before, state.before, state.ends
    none = shop.count
    task = next(t for t in shop.job_lasts if ends[t] == state.makespan)
    path = [task]
    head = ends[task] - durations[task]
    while head > 0:
        previous = before[task]
        if previous == none or ends[previous] != head:
            previous = job_before[task]
        path.append(previous)
        task = previous
        head = ends[task] - durations[task]
    path.reverse()
    return path


def _moves(shop: _Shop, state: _State) -> list[tuple[int, int]]:
    """N5: swap the first two and the last two tasks of each critical block, except the first two of
    the first block and the last two of the last block (those swaps cannot shorten the path)."""
    path = _critical_path(shop, state)
    before = state.before
    moves: list[tuple[int, int]] = []
    length = len(path)
    first = 0
    while first < length:
        last = first
        while last + 1 < length and before[path[last + 1]] == path[last]:
            last += 1
        if last > first:  # a block of at least two tasks
            if first > 0:
                moves.append((path[first], path[first + 1]))
            if last < length - 1 and (last - first > 1 or first == 0):
                moves.append((path[last - 1], path[last]))
        first = last + 1
    return moves


def _choose(shop: _Shop, state: _State, moves: list[tuple[int, int]], tabu: dict[int, int], stride: int,
            iteration: int, best: int, rng: random.Random) -> tuple[int, int]:
    """The move with the lowest estimate that is not tabu, or is tabu but would beat the best
    (aspiration); if every move is tabu, a random one (the memory is what keeps it from cycling).

    The estimate (Taillard) is the longest path through either swapped task with every other head
    and tail as it is now; it is written out here, not called, as this runs for every move."""
    durations, job_before, job_after = shop.durations, shop.job_before, shop.job_after
    before, after, ends, reach = state.before, state.after, state.ends, state.reach
    chosen: tuple[int, int] | None = None
    chosen_value = ties = 0
    for move in moves:
        first, second = move
        high, low = ends[before[first]], ends[job_before[second]]
        second_head = high if high > low else low
        high, low = second_head + durations[second], ends[job_before[first]]
        first_end = (high if high > low else low) + durations[first]
        high, low = reach[after[second]], reach[job_after[first]]
        first_reach = (high if high > low else low) + durations[first]
        high, low = first_reach, reach[job_after[second]]
        second_reach = (high if high > low else low) + durations[second]
        high, low = first_end - durations[first] + first_reach, second_head + second_reach
        value = high if high > low else low
        # swapping first -> second recreates the arc second -> first: tabu if that arc was just undone
        if value >= best and tabu.get(second * stride + first, 0) > iteration:
            continue
        if chosen is None or value < chosen_value:
            chosen, chosen_value, ties = move, value, 1
        elif value == chosen_value:
            ties += 1
            if rng.randrange(ties) == 0:  # an even draw among equals, so no machine is always preferred
                chosen = move
    return chosen if chosen is not None else moves[rng.randrange(len(moves))]


def _apply(shop: _Shop, state: _State, first: int, second: int) -> bool:
    """Put `second` right before `first` on their machine and bring the order, heads and tails up to
    date; False (and nothing changed) where that would close a cycle.

    Only heads from `second`'s new place in the order on and tails up to `first`'s can change: the
    changed arcs lead into `second`, `first` and `first`'s new machine successor, and out of
    `ahead`, `second` and `first`, so the passes cover that part only."""
    _relink(state, first, second)
    span = _reorder(shop, state, first, second)
    if span is None:
        _relink(state, second, first)
        return False
    low, high = span
    _heads_from(shop, state, low)
    _tails_to(shop, state, high)
    return True


def _relink(state: _State, first: int, second: int) -> None:
    """Swap adjacent `first` -> `second` in the machine links (the sentinel's own links are never read)."""
    before, after = state.before, state.after
    ahead, behind = before[first], after[second]
    before[second], after[second] = ahead, first
    before[first], after[first] = second, behind
    after[ahead] = second
    before[behind] = first


def _reorder(shop: _Shop, state: _State, first: int, second: int) -> tuple[int, int] | None:
    """Restore the topological order after the arc first -> second became second -> first (Pearce
    and Kelly): between their old places, the tasks `first` reaches go after the tasks that reach
    `second`, each group in its old order, into the places the two groups held. Returns the new places
    of `second` and `first`, or None if `first` reaches `second` (a cycle)."""
    position, marks, order = state.position, state.marks, state.order
    low, high = position[first], position[second]
    state.stamp += 1
    stamp = state.stamp
    later = _reached(first, (shop.job_after, state.after), position, marks, stamp, lambda p: p <= high)
    if marks[second] == stamp:
        return None
    earlier = _reached(second, (shop.job_before, state.before), position, marks, stamp,
                       lambda p: low <= p < shop.count)
    earlier.sort(key=position.__getitem__)
    later.sort(key=position.__getitem__)
    places = sorted(position[t] for t in earlier + later)
    for place_at, task in zip(places, earlier + later, strict=True):
        order[place_at] = task
        position[task] = place_at
    # the other tasks that reach `second` keep their heads and those `first` reaches keep their
    # tails: heads change from `second` on, tails up to `first`
    return position[second], position[first]


def _reached(origin: int, arcs: tuple[list[int], list[int]], position: list[int], marks: list[int], stamp: int,
             inside: Callable[[int], bool]) -> list[int]:
    """The tasks reachable from `origin` along `arcs` (job and machine) without leaving the span `inside`."""
    job, machine = arcs
    marks[origin] = stamp
    found = [origin]
    stack = [origin]
    while stack:
        task = stack.pop()
        for nxt in (job[task], machine[task]):
            if marks[nxt] != stamp and inside(position[nxt]):
                marks[nxt] = stamp
                found.append(nxt)
                stack.append(nxt)
    return found


def _restart(shop: _Shop, best_links: tuple[list[int], list[int]], rng: random.Random) -> _State:
    """The best sequence again, shaken by a few random critical swaps so the search takes another way."""
    state = _state(shop, *best_links)
    for _ in range(SHAKE_SWAPS):
        moves = _moves(shop, state)
        if not moves:
            break
        first, second = moves[rng.randrange(len(moves))]
        _apply(shop, state, first, second)
    return state


def _schedule(problem: SchedulingProblem, shop: _Shop, state: _State, resource_ids: list[str]) -> Schedule:
    durations, ends = shop.durations, state.ends
    placements = tuple(place(problem, task, resource_ids[shop.machine_of[task.index]],
                             ends[task.index] - durations[task.index]) for task in problem.tasks)
    return Schedule(placements)
