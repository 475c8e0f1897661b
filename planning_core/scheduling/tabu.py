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

Everything is plain lists of ints: one evaluation of heads and tails is a pass over a topological
order, which pure Python does fastest on flat lists. For a given seed and iteration limit the
result is always the same; a time limit ends the search at a check every `CHECK_EVERY` iterations.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem
from planning_core.scheduling.solution import Schedule, place

CHECK_EVERY = 32  # iterations between looks at the clock
TENURE_MIN = 8  # tabu tenure: a random number of iterations in [min, min + spread]
TENURE_SPREAD_PER_JOB = 0.25  # larger shops need a longer memory: spread grows with the jobs per machine
STALL_ITERATIONS = 2500  # iterations without a new best before going back to the best sequence
SHAKE_SWAPS = 3  # random critical swaps applied to the best sequence on a restart
NONE = -1


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
    """The fixed data: durations and job links per task (NONE where there is none)."""

    durations: list[int]
    job_before: list[int]
    job_after: list[int]
    machine_of: list[int]
    machines: int


@dataclass
class _State:
    """Machine sequences and the links, heads and tails that follow from them."""

    sequences: list[list[int]]
    before: list[int]  # machine predecessor of each task
    after: list[int]  # machine successor
    heads: list[int]  # earliest start
    tails: list[int]  # longest path from the task's end to the end of the schedule
    makespan: int


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
    state = _state(shop, _sequences(problem, start, resource_ids))
    initial = max(p.end for p in start.placements)
    best_sequences = [list(s) for s in state.sequences]
    best = state.makespan
    rng = random.Random(seed)
    tabu: dict[tuple[int, int], int] = {}
    spread = max(2, int(TENURE_SPREAD_PER_JOB * len(shop.durations) / max(1, shop.machines)))
    iteration = stall = 0
    while max_iterations is None or iteration < max_iterations:
        if iteration % CHECK_EVERY == 0 and time.perf_counter() >= deadline:
            break
        iteration += 1
        moves = _moves(shop, state)
        if not moves:
            break  # a single block on the critical path: the makespan is one machine's load, optimal
        chosen = _choose(shop, state, moves, tabu, iteration, best, rng)
        first, second = chosen
        _swap(state, shop, first, second)
        tabu[(first, second)] = iteration + TENURE_MIN + rng.randint(0, spread)
        _evaluate(shop, state)
        if state.makespan < best:
            best, best_sequences, stall = state.makespan, [list(s) for s in state.sequences], 0
        else:
            stall += 1
        if stall >= STALL_ITERATIONS:
            state = _restart(shop, best_sequences, rng)
            tabu.clear()
            stall = 0
    if best >= initial:
        return TabuResult(start, initial, iteration, False)
    final = _state(shop, best_sequences)
    return TabuResult(_schedule(problem, shop, final, resource_ids), final.makespan, iteration, True)


def _shop(problem: SchedulingProblem) -> tuple[_Shop, list[str]]:
    resource_ids = sorted(problem.resources)
    number = {r: i for i, r in enumerate(resource_ids)}
    count = len(problem.tasks)
    job_before, job_after = [NONE] * count, [NONE] * count
    for before, after in problem.precedences:
        job_before[after], job_after[before] = before, after
    shop = _Shop([t.work for t in problem.tasks], job_before, job_after,
                 [number[t.resource_ids[0]] for t in problem.tasks], len(resource_ids))
    return shop, resource_ids


def _sequences(problem: SchedulingProblem, start: Schedule, resource_ids: list[str]) -> list[list[int]]:
    """Each machine's tasks in the order the starting schedule runs them."""
    number = {r: i for i, r in enumerate(resource_ids)}
    sequences: list[list[int]] = [[] for _ in resource_ids]
    order = sorted(range(len(problem.tasks)), key=lambda t: (start.placements[t].start, start.placements[t].end, t))
    for task in order:
        sequences[number[problem.tasks[task].resource_ids[0]]].append(task)
    return sequences


def _state(shop: _Shop, sequences: list[list[int]]) -> _State:
    count = len(shop.durations)
    state = _State([list(s) for s in sequences], [NONE] * count, [NONE] * count, [0] * count, [0] * count, 0)
    for sequence in state.sequences:
        _link(state, sequence)
    _evaluate(shop, state)
    return state


def _link(state: _State, sequence: list[int]) -> None:
    previous = NONE
    for task in sequence:
        state.before[task] = previous
        if previous != NONE:
            state.after[previous] = task
        previous = task
    if previous != NONE:
        state.after[previous] = NONE


def _evaluate(shop: _Shop, state: _State) -> None:
    """Heads and tails by longest paths over a topological order of job and machine arcs.

    The hot loop of the search: each task has at most one job and one machine successor, so both are
    handled inline (no tuples, no inner loop), which makes it about a third faster."""
    durations, job_after, after = shop.durations, shop.job_after, state.after
    count = len(durations)
    waiting = [0] * count
    for task in range(count):
        if shop.job_before[task] != NONE:
            waiting[task] += 1
        if state.before[task] != NONE:
            waiting[task] += 1
    order = [t for t in range(count) if waiting[t] == 0]
    heads = [0] * count
    makespan = position = 0
    while position < len(order):
        task = order[position]
        position += 1
        end = heads[task] + durations[task]
        if end > makespan:
            makespan = end
        nxt = job_after[task]
        if nxt != NONE:
            if end > heads[nxt]:
                heads[nxt] = end
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                order.append(nxt)
        nxt = after[task]
        if nxt != NONE:
            if end > heads[nxt]:
                heads[nxt] = end
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                order.append(nxt)
    if len(order) != count:
        raise AssertionError("machine sequences with a cycle")  # critical swaps never make one
    tails = [0] * count
    for task in reversed(order):
        longest = 0
        nxt = job_after[task]
        if nxt != NONE:
            longest = durations[nxt] + tails[nxt]
        nxt = after[task]
        if nxt != NONE and durations[nxt] + tails[nxt] > longest:
            longest = durations[nxt] + tails[nxt]
        tails[task] = longest
    state.heads, state.tails, state.makespan = heads, tails, makespan


def _critical_path(shop: _Shop, state: _State) -> list[int]:
    """One longest path, from a task starting at 0 to one ending at the makespan."""
    durations, heads, tails = shop.durations, state.heads, state.tails
    task = next(t for t in range(len(durations)) if heads[t] == 0 and durations[t] + tails[t] == state.makespan)
    path = [task]
    while tails[task] > 0:
        end = heads[task] + durations[task]
        nxt = state.after[task]
        if nxt == NONE or heads[nxt] != end or durations[nxt] + tails[nxt] != tails[task]:
            nxt = shop.job_after[task]
        path.append(nxt)
        task = nxt
    return path


def _moves(shop: _Shop, state: _State) -> list[tuple[int, int]]:
    """N5: swap the first two and the last two tasks of each critical block, except the first two of
    the first block and the last two of the last block (those swaps cannot shorten the path)."""
    path = _critical_path(shop, state)
    blocks: list[list[int]] = []
    for task in path:
        if blocks and state.before[task] == blocks[-1][-1] and shop.machine_of[task] == shop.machine_of[blocks[-1][-1]]:
            blocks[-1].append(task)
        else:
            blocks.append([task])
    moves: list[tuple[int, int]] = []
    last = len(blocks) - 1
    for number, block in enumerate(blocks):
        if len(block) < 2:
            continue
        if number > 0:
            moves.append((block[0], block[1]))
        if number < last and (len(block) > 2 or number == 0):
            moves.append((block[-2], block[-1]))
    return moves


def _estimate(shop: _Shop, state: _State, first: int, second: int) -> int:
    """Approximate makespan after swapping adjacent `first` -> `second`: the longest path through
    either of them with every other head and tail as it is now (Taillard)."""
    durations, heads, tails = shop.durations, state.heads, state.tails
    job_before, job_after = shop.job_before, shop.job_after
    ahead = state.before[first]
    behind = state.after[second]
    jb = job_before[second]
    second_head = max(heads[ahead] + durations[ahead] if ahead != NONE else 0,
                      heads[jb] + durations[jb] if jb != NONE else 0)
    jb = job_before[first]
    first_head = max(second_head + durations[second], heads[jb] + durations[jb] if jb != NONE else 0)
    ja = job_after[first]
    first_tail = max(durations[behind] + tails[behind] if behind != NONE else 0,
                     durations[ja] + tails[ja] if ja != NONE else 0)
    ja = job_after[second]
    second_tail = max(first_tail + durations[first], durations[ja] + tails[ja] if ja != NONE else 0)
    return max(first_head + durations[first] + first_tail, second_head + durations[second] + second_tail)


def _choose(shop: _Shop, state: _State, moves: list[tuple[int, int]], tabu: dict[tuple[int, int], int],
            iteration: int, best: int, rng: random.Random) -> tuple[int, int]:
    """The move with the lowest estimate that is not tabu, or is tabu but would beat the best
    (aspiration); if every move is tabu, a random one (the memory is what keeps it from cycling)."""
    chosen: tuple[int, int] | None = None
    chosen_value = 0
    ties = 0
    for first, second in moves:
        value = _estimate(shop, state, first, second)
        # swapping first -> second recreates the arc second -> first: tabu if that arc was just undone
        if tabu.get((second, first), 0) > iteration and value >= best:
            continue
        if chosen is None or value < chosen_value:
            chosen, chosen_value, ties = (first, second), value, 1
        elif value == chosen_value:
            ties += 1
            if rng.randrange(ties) == 0:  # an even draw among equals, so no machine is always preferred
                chosen = (first, second)
    return chosen if chosen is not None else moves[rng.randrange(len(moves))]


def _swap(state: _State, shop: _Shop, first: int, second: int) -> None:
    """Put `second` right before `first` on their machine."""
    sequence = state.sequences[shop.machine_of[first]]
    at = sequence.index(first)
    sequence[at], sequence[at + 1] = second, first
    ahead, behind = state.before[first], state.after[second]
    state.before[second], state.after[second] = ahead, first
    state.before[first], state.after[first] = second, behind
    if ahead != NONE:
        state.after[ahead] = second
    if behind != NONE:
        state.before[behind] = first


def _restart(shop: _Shop, best_sequences: list[list[int]], rng: random.Random) -> _State:
    """The best sequence again, shaken by a few random critical swaps so the search takes another way."""
    state = _state(shop, best_sequences)
    for _ in range(SHAKE_SWAPS):
        moves = _moves(shop, state)
        if not moves:
            break
        first, second = moves[rng.randrange(len(moves))]
        _swap(state, shop, first, second)
        _evaluate(shop, state)
    return state


def _schedule(problem: SchedulingProblem, shop: _Shop, state: _State, resource_ids: list[str]) -> Schedule:
    placements = tuple(place(problem, task, resource_ids[shop.machine_of[task.index]], state.heads[task.index])
                       for task in problem.tasks)
    return Schedule(placements)
