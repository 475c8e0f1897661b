"""The CP-SAT model of a `SchedulingProblem`, for plants and classic job shops alike.

Encoding (why it is exact with calendars):
- Each task gets a start in *working time* of its resource's calendar. Measured there,
  the task is a fixed-size interval (its work), so resource capacity is a plain
  NoOverlap (one unit) or Cumulative (several units) over fixed-size intervals, with
  running work orders as fixed intervals. Breaks, nights and holidays need no
  constraint at all: an operation spanning them is simply cut at them afterwards.
- Alternative resources are optional intervals with one presence literal each
  (exactly one present). Alternatives on different calendars get one working-time
  start per calendar.
- Real time is needed only where calendars meet (precedence between tasks on
  different calendars) and for due dates. The map working -> real time adds the
  non-working time before the task's window; it is encoded with one literal per
  window boundary the task could cross, `w >= boundary`, so real = w + offset is linear.
  Tasks whose precedence partner uses the same calendar compare working times directly
  (exact, because the map is monotone).
- The objective is lexicographic, solved in stages on one model: (1) tardiness of rush
  orders, (2) tardiness weighted by priority, (3) set-up minutes of family tasks (where the
  sequence can change them), (4) flow time (sum of completions). Each
  stage fixes the value reached (`<=`) before the next one starts from that solution.
- The model can cover just part of the tasks (`free`): the rest keep their places in
  the incumbent and act as fixed intervals and precedence bounds (large-neighbourhood search).
- Sequence-dependent set-ups (set-up families): on a one-unit resource, a family task's set-up
  is a variable inside its interval, and one circuit per resource over its tasks (and the kept
  and blocked spans next to them) says which task runs right after which; the arc chosen into a
  task bounds its set-up from below by the set-up matrix. Everywhere else (several units, more
  tasks than a circuit may hold) a family task keeps the longest set-up it may need, which is
  always valid.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model

from planning_core.scheduling.problem import ObjectiveKind, SchedulingProblem, Task
from planning_core.scheduling.solution import Placement, Schedule, occupied, place
from planning_core.scheduling.timeline import WorkingTime

LinearExpr = cp_model.LinearExpr


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"  # none found in the time given
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, slots=True)
class StageResult:
    name: str
    status: SolveStatus
    value: int | None
    bound: int | None
    seconds: float


@dataclass(frozen=True)
class ModelResult:
    status: SolveStatus
    schedule: Schedule | None
    stages: tuple[StageResult, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class Progress:
    stage: str
    objective: int
    elapsed: float


ProgressFn = Callable[[Progress], None]


@dataclass
class _Group:
    """A task's alternatives on one calendar: one working-time start shared by them."""

    calendar: WorkingTime
    resource_ids: tuple[str, ...]
    start: cp_model.IntVar
    low: int
    high: int
    literals: dict[str, cp_model.IntVar | None] = field(default_factory=dict)  # None: the only choice
    end: cp_model.IntVar | None = None  # working-time end, when the set-up (so the length) varies


@dataclass
class _TaskVars:
    task: Task
    groups: dict[str, _Group]
    real: dict[str, tuple[LinearExpr, LinearExpr]] = field(default_factory=dict)  # per calendar: (start, end)
    start: LinearExpr | None = None
    end: LinearExpr | None = None
    setup: cp_model.IntVar | None = None  # a family task's set-up where a circuit may shorten it
    shortest: int = 0  # working minutes with the shortest set-up (`task.work` when it cannot vary)

    @property
    def duration(self) -> LinearExpr | int:
        """Working minutes the task takes: its work, less the set-up the sequence saves."""
        if self.setup is None:
            return self.task.work
        return self.setup + (self.task.work - self.task.setup_work)

    def work_end(self, group: _Group) -> LinearExpr:
        return group.end if group.end is not None else group.start + self.task.work


@dataclass(frozen=True)
class _Node:
    """One entry of a resource's set-up sequence: a task of the model, or a span the model keeps."""

    task: Task | None  # None: a blocked span (running work order): nothing known about its set-up
    start: LinearExpr | int  # working time of the resource's calendar
    end: LinearExpr | int
    earliest_end: int
    latest_start: int
    present: cp_model.IntVar | None = None  # a task that may run elsewhere; None: it runs here
    setup: cp_model.IntVar | None = None  # a free family task's set-up variable
    kept_setup: int | None = None  # a kept family task's set-up, which the task before it must allow
    hint_start: int | None = None  # where the incumbent has it (None: not on this resource)
    fixed: bool = False  # kept or blocked: its place is given
    reference: int = 0  # where the incumbent has it, in the resource's working time (wherever it runs)


MAX_SEQUENCE_TASKS = 60  # tasks of one resource in one model that a set-up circuit may order (n² arcs)
SEQUENCE_NEIGHBOURS = 10  # with an incumbent, a task may follow only its neighbours there, or its family


@dataclass(frozen=True)
class _Stage:
    """One objective of the lexicographic order: sum of coefficient x variable (each with its lower bound)."""

    name: str
    terms: tuple[tuple[int, cp_model.IntVar, int], ...]

    @property
    def expr(self) -> LinearExpr:
        return cp_model.LinearExpr.weighted_sum([v for _, v, _ in self.terms], [c for c, _, _ in self.terms])

    @property
    def lower(self) -> int:
        """A bound no schedule can beat: every variable at its lower bound."""
        return sum(c * low for c, _, low in self.terms)

    def value(self, values: dict[int, int]) -> int | None:
        """The objective at the given variable values (None if one is missing)."""
        if any(v.index not in values for _, v, _ in self.terms):
            return None
        return sum(c * values[v.index] for c, v, _ in self.terms)


STAGE_SHARES = {"rush_tardiness": 0.25, "weighted_tardiness": 0.55, "setup_minutes": 0.15, "flow_time": 0.20,
                "makespan": 1.0}


class ScheduleModel:
    """Builds the model once (`_add_*` in order), then `solve` runs its objective stages."""

    def __init__(
        self,
        problem: SchedulingProblem,
        *,
        incumbent: Schedule | None = None,
        free: Collection[int] | None = None,
        horizon: int | None = None,
        upper_bound: int | None = None,
        window: tuple[int, int] | None = None,
    ) -> None:
        if free is not None and incumbent is None:
            raise ValueError("a partial model needs an incumbent for the tasks it keeps")
        self.problem = problem
        self.incumbent = incumbent
        self.free = set(range(len(problem.tasks))) if free is None else set(free)
        self.horizon = horizon or problem.horizon
        self.upper_bound = upper_bound  # a known makespan to beat or match (tightens domains)
        self.window = window  # free tasks stay inside it (or where the incumbent has them), keeping the model small
        self.model = cp_model.CpModel()
        self.infeasible = False
        self.vars: dict[int, _TaskVars] = {}
        self.stages: list[_Stage] = []
        self._hints: dict[int, int] = {}
        self.sequenced = self._sequenced_resources()
        self.circuits = 0
        self._add_task_variables()
        self._add_mode_choice()
        self._add_setup_variables()
        self._add_resource_capacity()
        self._add_setup_sequences()
        self._add_precedences()
        self._add_objective()
        self._add_hints()

    # ----- construction -----

    def _new_int(self, low: int, high: int, hint: int | None = None) -> cp_model.IntVar:
        var = self.model.new_int_var(low, high, "")
        if hint is not None:
            self._hints[var.index] = hint
        return var

    def _new_bool(self, hint: bool | None = None) -> cp_model.IntVar:
        var = self.model.new_bool_var("")
        if hint is not None:
            self._hints[var.index] = int(hint)
        return var

    def _placed(self, index: int) -> Placement | None:
        return self.incumbent.placements[index] if self.incumbent is not None else None

    def _real_window(self, task: Task) -> tuple[int, int]:
        """Real bounds [earliest start, latest end] from releases, kept neighbours and the horizon."""
        low, high = self.problem.heads[task.index], self.horizon
        for before in self.problem.predecessors[task.index]:
            if before not in self.free:
                low = max(low, self._kept(before).end)
        for after in self.problem.successors[task.index]:
            if after not in self.free:
                high = min(high, self._kept(after).start)
        if self.upper_bound is not None:
            high = min(high, self.upper_bound - self.problem.tails[task.index] + task.work)
        if self.window is not None:
            placed = self._kept(task.index)
            low, high = max(low, min(self.window[0], placed.start)), min(high, max(self.window[1], placed.end))
        return low, high

    def _kept(self, index: int) -> Placement:
        placed = self._placed(index)
        assert placed is not None
        return placed

    def _add_task_variables(self) -> None:
        for index in sorted(self.free):
            task = self.problem.tasks[index]
            low, high = self._real_window(task)
            placed = self._placed(index)
            groups: dict[str, _Group] = {}
            for calendar_id, resource_ids in self.problem.calendar_groups(task).items():
                calendar = self.problem.calendars[calendar_id]
                w_low = calendar.work_before(low)
                w_high = min(calendar.work_before(high) - task.work, calendar.total - max(task.work, 1))
                if w_low > w_high:
                    continue  # no room on this calendar
                hint = None
                if placed is not None:  # an alternative the incumbent does not use still gets a (free) value
                    hint = placed.work_start if placed.resource_id in resource_ids else w_low
                if hint is not None and not w_low <= hint <= w_high:
                    hint = None
                groups[calendar_id] = _Group(calendar, resource_ids, self._new_int(w_low, w_high, hint), w_low, w_high)
            if not groups:
                self.infeasible = True
            self.vars[index] = _TaskVars(task, groups)

    def _add_mode_choice(self) -> None:
        for tv in self.vars.values():
            placed = self._placed(tv.task.index)
            choices = [(g, r) for g in tv.groups.values() for r in g.resource_ids]
            if len(choices) == 1:
                group, resource_id = choices[0]
                group.literals[resource_id] = None
                continue
            literals = []
            for group, resource_id in choices:
                literal = self._new_bool(placed.resource_id == resource_id if placed is not None else None)
                group.literals[resource_id] = literal
                literals.append(literal)
            if literals:
                self.model.add_exactly_one(literals)

    def _sequenced_resources(self) -> set[str]:
        """One-unit resources whose set-up sequence the model decides: some family task there may get a
        shorter set-up than its longest, and few enough tasks (a circuit has n² arcs)."""
        counts: dict[str, int] = defaultdict(int)
        saving: set[str] = set()
        for index in self.free:
            task = self.problem.tasks[index]
            if task.work == 0:
                continue
            for resource_id in task.resource_ids:
                counts[resource_id] += 1
                if task.family is not None and self.problem.shortest_work(task) < task.work:
                    saving.add(resource_id)
        return {r for r in saving if self.problem.resources[r].units == 1 and counts[r] <= MAX_SEQUENCE_TASKS}

    def _add_setup_variables(self) -> None:
        for tv in self.vars.values():
            task = tv.task
            tv.shortest = self.problem.shortest_work(task)
            if tv.shortest >= task.work or not any(r in self.sequenced for r in task.resource_ids):
                tv.shortest = task.work
                continue
            placed = self._placed(task.index)
            low = self.problem.setup_range(task)[0]
            hinted = (placed.setup if placed.setup is not None else task.setup_work) if placed is not None else None
            tv.setup = self._new_int(low, task.setup_work, hinted)
            for group in tv.groups.values():
                for resource_id, literal in group.literals.items():
                    if resource_id not in self.sequenced:  # no circuit there: the longest set-up
                        assert literal is not None  # the only choice would be sequenced
                        self.model.add(tv.setup == task.setup_work).only_enforce_if(literal)
                start_hint = self._hints.get(group.start.index)
                end_hint = None if start_hint is None or hinted is None else start_hint + occupied(task, hinted)
                group.end = self._new_int(group.low + tv.shortest, group.high + task.work, end_hint)
                self.model.add(group.end == group.start + tv.duration)

    def _add_resource_capacity(self) -> None:
        intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        reach: dict[str, tuple[int, int]] = {}
        for tv in self.vars.values():
            if tv.task.work == 0:
                continue
            for group in tv.groups.values():
                for resource_id, literal in group.literals.items():
                    interval = self._interval(tv, group, literal)
                    intervals[resource_id].append(interval)
                    lo, hi = reach.get(resource_id, (group.low, group.high + tv.task.work))
                    reach[resource_id] = (min(lo, group.low), max(hi, group.high + tv.task.work))
        kept = self._kept_spans()
        for resource_id, own in intervals.items():
            units = self.problem.resources[resource_id].units
            lo, hi = reach[resource_id]
            spans = [(s, e) for s, e in kept.get(resource_id, ()) if e > lo and s < hi]
            if units == 1:
                fixed = [self.model.new_fixed_size_interval_var(s, e - s, "") for s, e in _union(spans)]
                if len(own) + len(fixed) > 1:
                    self.model.add_no_overlap(own + fixed)
                continue
            profile = _capped_profile(spans, units)
            fixed = [self.model.new_fixed_size_interval_var(s, e - s, "") for s, e, _ in profile]
            demands = [1] * len(own) + [level for _, _, level in profile]
            if len(own) > units or profile:
                self.model.add_cumulative(own + fixed, demands, units)

    def _interval(self, tv: _TaskVars, group: _Group, literal: cp_model.IntVar | None) -> cp_model.IntervalVar:
        if group.end is not None:
            if literal is None:
                return self.model.new_interval_var(group.start, tv.duration, group.end, "")
            return self.model.new_optional_interval_var(group.start, tv.duration, group.end, literal, "")
        if literal is None:
            return self.model.new_fixed_size_interval_var(group.start, tv.task.work, "")
        return self.model.new_optional_fixed_size_interval_var(group.start, tv.task.work, literal, "")

    def _add_setup_sequences(self) -> None:
        """Per sequenced resource, a circuit through its tasks: the arc into a family task sets its set-up."""
        for resource_id in sorted(self.sequenced):
            nodes = self._sequence_nodes(resource_id)
            if all(n.fixed for n in nodes):
                continue
            if len(nodes) > 2 * MAX_SEQUENCE_TASKS:  # too many kept spans around: keep the longest set-ups
                for node in nodes:
                    if node.setup is not None and node.task is not None:
                        longest = self.model.add(node.setup == node.task.setup_work)
                        if node.present is not None:
                            longest.only_enforce_if(node.present)
                continue
            self._add_circuit(nodes)
            self.circuits += 1

    def _sequence_nodes(self, resource_id: str) -> list[_Node]:
        """The model's tasks that may run on the resource, and the kept or blocked spans they may meet,
        with the span just before and just after their reach (whose set-up the sequence affects)."""
        nodes: list[_Node] = []
        low, high = None, None
        calendar = self.problem.working_time(resource_id)
        for tv in self.vars.values():
            group = next((g for g in tv.groups.values() if resource_id in g.literals), None)
            if group is None or tv.task.work == 0:
                continue
            placed = self._placed(tv.task.index)
            nodes.append(_Node(tv.task, group.start, tv.work_end(group), group.low + tv.shortest, group.high,
                               present=group.literals[resource_id], setup=tv.setup,
                               hint_start=placed.work_start if placed and placed.resource_id == resource_id else None,
                               reference=calendar.work_before(placed.start) if placed else group.low))
            low = group.low if low is None else min(low, group.low)
            high = group.high + tv.task.work if high is None else max(high, group.high + tv.task.work)
        if low is None or high is None:
            return []
        fixed = sorted(self._fixed_spans(resource_id), key=lambda span: span[0])
        inside = [k for k, (start, end, _, _) in enumerate(fixed) if end > low and start < high]
        before = [k for k, (_, end, _, _) in enumerate(fixed) if end <= low][-1:]
        after = [k for k, (start, _, _, _) in enumerate(fixed) if start >= high][:1]
        for k in sorted({*before, *inside, *after}):
            start, end, task, kept_setup = fixed[k]
            nodes.append(_Node(task, start, end, end, start, kept_setup=kept_setup, hint_start=start, fixed=True,
                               reference=start))
        return nodes

    def _fixed_spans(self, resource_id: str) -> list[tuple[int, int, Task | None, int | None]]:
        """Blocked spans and kept tasks on the resource: (start, end) in working time, the task, its set-up."""
        calendar = self.problem.working_time(resource_id)
        spans: list[tuple[int, int, Task | None, int | None]] = []
        for block in self.problem.blocked:
            if block.resource_id == resource_id:
                start, end = calendar.work_before(block.start), calendar.work_before(block.end)
                if end > start:
                    spans.append((start, end, None, None))
        if self.incumbent is not None and len(self.free) < len(self.problem.tasks):
            for task, placed in zip(self.problem.tasks, self.incumbent.placements, strict=True):
                if task.index in self.free or placed.resource_id != resource_id:
                    continue
                work = occupied(task, placed.setup)
                if work > 0:
                    setup = (placed.setup if placed.setup is not None else task.setup_work) if task.family else None
                    spans.append((placed.work_start, placed.work_start + work, task, setup))
        return spans

    def _add_circuit(self, nodes: list[_Node]) -> None:
        """Nodes 1..n and a depot 0: arc i -> j means j runs right after i (0: nothing before / after)."""
        order = [k for _, k in sorted((n.hint_start, k) for k, n in enumerate(nodes, 1) if n.hint_start is not None)]
        hinted = set(zip([0, *order], [*order, 0], strict=True)) if self.incumbent is not None else None

        def literal(i: int, j: int) -> cp_model.IntVar:
            return self._new_bool((i, j) in hinted if hinted is not None else None)

        fixed = {k for k, n in enumerate(nodes, 1) if n.fixed}
        first_fixed = min(fixed, key=lambda k: nodes[k - 1].latest_start, default=None)
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        for k, node in enumerate(nodes, 1):
            is_fixed = k in fixed
            if not is_fixed or k == first_fixed:
                arc = literal(0, k)
                arcs.append((0, k, arc))
                if not is_fixed:
                    self._require_setup(None, node, arc)
            arcs.append((k, 0, literal(k, 0)))
            if node.present is not None:
                arcs.append((k, k, node.present.Not()))
                if hinted is not None:
                    self._hints[node.present.index] = int(node.hint_start is not None)
        if not fixed:
            arcs.append((0, 0, literal(0, 0)))
        rank = {k: r for r, (_, k) in enumerate(sorted((n.reference, k) for k, n in enumerate(nodes, 1)))}
        reach = SEQUENCE_NEIGHBOURS if self.incumbent is not None else len(nodes)
        for i, before in enumerate(nodes, 1):
            for j, after in enumerate(nodes, 1):
                if i == j or before.earliest_end > after.latest_start:
                    continue
                near = abs(rank[i] - rank[j]) <= reach or (hinted is not None and (i, j) in hinted)
                if not near and not _same_family(before.task, after.task):
                    continue  # far apart in the incumbent: later neighbourhoods move them step by step
                needed = self.problem.setup_between(before.task, after.task) if after.task is not None else 0
                if after.kept_setup is not None and after.kept_setup < needed:
                    continue  # the kept task's set-up would be too short after this one
                arc = literal(i, j)
                arcs.append((i, j, arc))
                if not (i in fixed and j in fixed):
                    self.model.add(after.start >= before.end).only_enforce_if(arc)
                self._require_setup(before.task, after, arc)
        self.model.add_circuit(arcs)

    def _require_setup(self, before: Task | None, after: _Node, arc: cp_model.IntVar) -> None:
        if after.setup is None or after.task is None:
            return
        needed = self.problem.setup_between(before, after.task)
        if needed > self.problem.setup_range(after.task)[0]:
            self.model.add(after.setup >= needed).only_enforce_if(arc)

    def _kept_spans(self) -> dict[str, list[tuple[int, int]]]:
        """Working-time spans already taken on each resource: blocked time and tasks outside the model."""
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for block in self.problem.blocked:
            calendar = self.problem.working_time(block.resource_id)
            start, end = calendar.work_before(block.start), calendar.work_before(block.end)
            if end > start:
                spans[block.resource_id].append((start, end))
        if self.incumbent is not None and len(self.free) < len(self.problem.tasks):
            for task, placed in zip(self.problem.tasks, self.incumbent.placements, strict=True):
                work = occupied(task, placed.setup)
                if task.index not in self.free and work > 0:
                    spans[placed.resource_id].append((placed.work_start, placed.work_start + work))
        return spans

    def _add_precedences(self) -> None:
        for before, after in self.problem.precedences:
            if before not in self.free or after not in self.free:
                continue  # bounds from kept tasks are in the domains already
            first, second = self.vars[before], self.vars[after]
            if not first.groups or not second.groups:
                continue
            shared = _single_calendar(first)
            if shared is not None and shared == _single_calendar(second):
                self.model.add(second.groups[shared].start >= first.work_end(first.groups[shared]))
            else:
                self.model.add(self.real_start(second) >= self.real_end(first))

    def _add_objective(self) -> None:
        if self.infeasible:
            return
        if self.problem.objective is ObjectiveKind.MAKESPAN:
            self._add_makespan()
        else:
            self._add_tardiness()

    def _add_makespan(self) -> None:
        ends = [self.real_end(tv) for i, tv in self.vars.items() if not self.problem.successors[i]]
        kept = [p.end for i, p in enumerate(self.incumbent.placements) if i not in self.free] if self.incumbent else []
        low = max([*kept, *(self.problem.heads[i] + tv.shortest for i, tv in self.vars.items())], default=0)
        if len(self.free) == len(self.problem.tasks):  # the one-machine bound holds for the whole problem
            low = max(low, self.problem.resource_lower_bound)
        high = self.upper_bound if self.upper_bound is not None else self.horizon
        hint = max(p.end for p in self.incumbent.placements) if self.incumbent is not None else None
        makespan = self._new_int(low, max(low, high), hint)
        for end in ends:
            self.model.add(makespan >= end)
        self.stages.append(_Stage("makespan", ((1, makespan, low),)))

    def _add_tardiness(self) -> None:
        rush: list[tuple[int, cp_model.IntVar, int]] = []
        weighted: list[tuple[int, cp_model.IntVar, int]] = []
        flow: list[tuple[int, cp_model.IntVar, int]] = []
        for demand in self.problem.demands:
            finals = [t for t in demand.final_tasks if t in self.free]
            if not finals:
                continue
            known = max([demand.ready, *(self._kept(t).end for t in demand.final_tasks if t not in self.free)])
            hint_done = None
            if self.incumbent is not None:
                hint_done = max([known, *(self.incumbent.placements[t].end for t in finals)])
            latest = max(known, self.horizon)
            done = self._new_int(known, latest, hint_done)
            for t in finals:
                self.model.add(done >= self.real_end(self.vars[t]))
            late_hint = max(0, hint_done - demand.due) if hint_done is not None else None
            late = self._new_int(0, max(0, latest - demand.due), late_hint)
            self.model.add(late >= done - demand.due)
            if demand.rush:
                rush.append((1, late, 0))
            weighted.append((demand.weight, late, 0))
            flow.append((1, done, known))
        if rush:
            self.stages.append(_Stage("rush_tardiness", tuple(rush)))
        self.stages.append(_Stage("weighted_tardiness", tuple(weighted)))
        setups = tuple((1, tv.setup, self.problem.setup_range(tv.task)[0]) for tv in self.vars.values()
                       if tv.setup is not None)
        if setups:  # campaigns: as few set-up minutes as this tardiness allows, then the earliest completions
            self.stages.append(_Stage("setup_minutes", setups))
        self.stages.append(_Stage("flow_time", tuple(flow)))

    # ----- working time -> real time -----

    def real_start(self, tv: _TaskVars) -> LinearExpr:
        if tv.start is None:
            tv.start, tv.end = self._real_span(tv)
        return tv.start

    def real_end(self, tv: _TaskVars) -> LinearExpr:
        if tv.end is None:
            tv.start, tv.end = self._real_span(tv)
        return tv.end

    def _real_span(self, tv: _TaskVars) -> tuple[LinearExpr, LinearExpr]:
        spans = {cid: self._group_real_span(tv, g) for cid, g in tv.groups.items()}
        if len(spans) == 1:
            return next(iter(spans.values()))
        placed = self._placed(tv.task.index)
        start = self._new_int(0, self.horizon, placed.start if placed else None)
        end = self._new_int(0, self.horizon, placed.end if placed else None)
        for cid, (group_start, group_end) in spans.items():
            for literal in tv.groups[cid].literals.values():
                assert literal is not None  # several calendars means several resources
                self.model.add(start == group_start).only_enforce_if(literal)
                self.model.add(end == group_end).only_enforce_if(literal)
        return start, end

    def _group_real_span(self, tv: _TaskVars, group: _Group) -> tuple[LinearExpr, LinearExpr]:
        work = tv.task.work
        if group.calendar.is_continuous:
            return group.start, tv.work_end(group)
        hint = self._hints.get(group.start.index)
        start = self._to_real(group.calendar, group.start, group.low, group.high, hint=hint, at_end=False)
        if work == 0:
            return start, start
        end_hint = hint + work if hint is not None else None
        if group.end is not None:
            end_hint = self._hints.get(group.end.index)
        end = self._to_real(group.calendar, tv.work_end(group), group.low + tv.shortest, group.high + work,
                            hint=end_hint, at_end=True)
        return start, end

    def _to_real(self, calendar: WorkingTime, work: LinearExpr, low: int, high: int, *,
                 hint: int | None, at_end: bool) -> LinearExpr:
        """Real time of working time `work` in [low, high]: work + the non-working time before its window."""
        window = calendar.window_of_end if at_end else calendar.window_of_start
        first, last = window(low), window(high)
        jumps: list[LinearExpr] = []
        previous = None
        for j in range(first + 1, last + 1):
            # at_end: the end lies in window j or later when more than its first working minute is done
            threshold = calendar.cumulative[j] + (1 if at_end else 0)
            crossed = self._new_bool(hint >= threshold if hint is not None else None)
            self.model.add(work >= threshold).only_enforce_if(crossed)
            self.model.add(work <= threshold - 1).only_enforce_if(~crossed)
            if previous is not None:
                self.model.add_implication(crossed, previous)
            jumps.append((calendar.offset(j) - calendar.offset(j - 1)) * crossed)
            previous = crossed
        return work + calendar.offset(first) + cp_model.LinearExpr.sum(jumps)

    def _add_hints(self) -> None:
        for index, value in self._hints.items():
            self.model.add_hint(self.model.get_int_var_from_proto_index(index), value)

    # ----- solving -----

    def solve(
        self,
        *,
        time_limit: float,
        workers: int = 2,
        seed: int = 0,
        progress: ProgressFn | None = None,
        parameters: dict[str, object] | None = None,
        lns_share: float = 0.0,
    ) -> ModelResult:
        """Run the objective stages in order within `time_limit` seconds in all.

        Within a stage, the last `lns_share` of its time runs CP-SAT's neighbourhood search
        only (both workers improving the best solution instead of one searching the whole
        tree): strong upper bounds on hard instances, after the full search has had its chance
        to prove the easy ones optimal."""
        started = time.perf_counter()
        if self.infeasible:
            return ModelResult(SolveStatus.INFEASIBLE, None, (), 0.0)
        results: list[StageResult] = []
        schedule = self.incumbent
        values = dict(self._hints)  # the solution the next stage starts from (the incumbent's, at first)
        remaining_shares = sum(STAGE_SHARES[stage.name] for stage in self.stages)
        for stage in self.stages:
            left = time_limit - (time.perf_counter() - started)
            budget = max(0.01, left * STAGE_SHARES[stage.name] / remaining_shares)
            remaining_shares -= STAGE_SHARES[stage.name]
            current = stage.value(values)
            if current is not None and current <= stage.lower:  # the start is already optimal here
                results.append(StageResult(stage.name, SolveStatus.OPTIMAL, current, stage.lower, 0.0))
                self.model.add(stage.expr <= current)
                continue
            if left <= 0.01 and schedule is not None:
                break
            reporter = _Reporter(stage.name, started, progress) if progress is not None else None
            result, solver = self._solve_stage(stage.name, stage.expr, budget=budget, workers=workers, seed=seed,
                                               parameters=parameters, lns_share=lns_share, reporter=reporter)
            if solver is None or result.value is None:
                if current is None:  # no solution and nothing to fall back on
                    results.append(result)
                    return ModelResult(result.status, schedule, tuple(results), time.perf_counter() - started)
                # nothing found in time: keep the start's value for this stage and go on from there
                results.append(StageResult(stage.name, SolveStatus.FEASIBLE, current, result.bound, result.seconds))
                self.model.add(stage.expr <= current)
                continue
            results.append(result)
            schedule = self._extract(solver)
            self.model.add(stage.expr <= result.value)
            values = dict(enumerate(solver.response_proto.solution))
            self._hint_from(solver)
        final = SolveStatus.OPTIMAL if all(r.status is SolveStatus.OPTIMAL for r in results) and \
            len(results) == len(self.stages) else SolveStatus.FEASIBLE
        return ModelResult(final, schedule, tuple(results), time.perf_counter() - started)

    def _solve_stage(
        self,
        name: str,
        expr: LinearExpr,
        *,
        budget: float,
        workers: int,
        seed: int,
        parameters: dict[str, object] | None,
        lns_share: float,
        reporter: _Reporter | None,
    ) -> tuple[StageResult, cp_model.CpSolver | None]:
        """Minimise `expr`: full search, then (optionally) neighbourhood search from its best solution."""
        started = time.perf_counter()
        if self.circuits:  # probing thousands of arc literals takes most of a short solve: leave it out
            parameters = {**(parameters or {}), "cp_model_probing_level": 0}
        self.model.minimize(expr)
        solver = _solver(budget * (1.0 - lns_share), workers, seed, parameters)
        status = _status(solver.solve(self.model, reporter))
        if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            return StageResult(name, status, None, None, time.perf_counter() - started), None
        value, bound = round(solver.objective_value), round(solver.best_objective_bound)
        left = budget - (time.perf_counter() - started)
        if status is SolveStatus.FEASIBLE and lns_share > 0 and left > 0.05 and value > bound:
            self.model.add(expr >= bound)  # proven by the full search: lets the neighbourhood search stop there
            self.model.add(expr <= value)
            self._hint_from(solver)
            improver = _solver(left, workers, seed, {**(parameters or {}), "use_lns_only": True})
            if _status(improver.solve(self.model, reporter)) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
                solver, value = improver, round(improver.objective_value)
                status = SolveStatus.OPTIMAL if value <= bound else SolveStatus.FEASIBLE
        return StageResult(name, status, value, bound, time.perf_counter() - started), solver

    def _extract(self, solver: cp_model.CpSolver) -> Schedule:
        placements: list[Placement] = []
        for index, task in enumerate(self.problem.tasks):
            tv = self.vars.get(index)
            if tv is None:
                placements.append(self._kept(index))
                continue
            placements.append(self._chosen(solver, tv, task))
        return Schedule(tuple(placements))

    def _chosen(self, solver: cp_model.CpSolver, tv: _TaskVars, task: Task) -> Placement:
        for group in tv.groups.values():
            for resource_id, literal in group.literals.items():
                if literal is None or solver.boolean_value(literal):
                    setup = solver.value(tv.setup) if tv.setup is not None else None
                    return place(self.problem, task, resource_id, solver.value(group.start), setup=setup)
        raise AssertionError(f"task {task.index} has no resource in the solution")

    def _hint_from(self, solver: cp_model.CpSolver) -> None:
        """Start the next stage from this stage's solution (a complete, feasible hint)."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for index, value in enumerate(solver.response_proto.solution):
            self.model.add_hint(self.model.get_int_var_from_proto_index(index), value)


def _same_family(first: Task | None, second: Task | None) -> bool:
    return first is not None and second is not None and first.family is not None and first.family == second.family


def _single_calendar(tv: _TaskVars) -> str | None:
    return next(iter(tv.groups)) if len(tv.groups) == 1 else None


def _union(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _capped_profile(spans: Sequence[tuple[int, int]], units: int) -> list[tuple[int, int, int]]:
    """Fixed usage as (start, end, level) steps, capped at the capacity (data may overbook)."""
    changes: dict[int, int] = defaultdict(int)
    for start, end in spans:
        changes[start] += 1
        changes[end] -= 1
    steps: list[tuple[int, int, int]] = []
    level, previous = 0, None
    for at in sorted(changes):
        if previous is not None and level > 0 and at > previous:
            steps.append((previous, at, min(level, units)))
        level += changes[at]
        previous = at
    return steps


def _solver(seconds: float, workers: int, seed: int, parameters: dict[str, object] | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    for key, value in (parameters or {}).items():
        if isinstance(value, list | tuple):
            getattr(solver.parameters, key).extend(value)
        else:
            setattr(solver.parameters, key, value)
    return solver


def _status(code: cp_model.CpSolverStatus) -> SolveStatus:
    if code == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if code == cp_model.FEASIBLE:
        return SolveStatus.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    return SolveStatus.NO_SOLUTION


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, stage: str, started: float, progress: ProgressFn) -> None:
        super().__init__()
        self.stage, self.started, self.progress = stage, started, progress

    def on_solution_callback(self) -> None:
        self.progress(Progress(self.stage, round(self.objective_value), time.perf_counter() - self.started))
