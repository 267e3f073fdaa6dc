# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""List scheduling with finite capacity on working calendars.

Times are plain numbers (the Odoo side uses whole seconds since the epoch, UTC);
durations are amounts of *working* time in the same unit. An operation may run
across a night or a week-end (it pauses outside working time, as in Odoo), but
never across another booking of the same unit of its work center.

Jobs (manufacturing orders) are taken in priority order. Each one is placed
entirely, operation by operation in precedence order, at the earliest slot the
bookings made so far leave free; a job that another job waits for (a
sub-assembly) is placed first. Because earlier jobs only ever see fewer
bookings, a more urgent job never finishes after a less urgent identical one.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


class PlanningError(Exception):
    """The input cannot be scheduled (cycle, unknown key, no slot in horizon).

    ``operation`` is the key of the operation that could not be placed when the
    working time ran out (the caller may retry with a longer horizon).
    """

    def __init__(self, message, operation=None):
        super().__init__(message)
        self.operation = operation


class WorkingTime:
    """Sorted working intervals with their cumulated working time."""

    __slots__ = ("starts", "ends", "_before", "_through")

    def __init__(self, intervals):
        starts, ends = [], []
        for start, end in sorted(intervals):
            if end <= start:
                continue
            if starts and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self.starts, self.ends = starts, ends
        # _before[i]: working time before interval i; _through[i]: up to its end.
        self._before, self._through = [], []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            self._before.append(total)
            total += end - start
            self._through.append(total)

    @property
    def horizon(self):
        """End of the last working interval (None when there is none)."""
        return self.ends[-1] if self.ends else None

    def snap(self, instant):
        """First working instant at or after ``instant`` (None beyond horizon)."""
        index = bisect_right(self.ends, instant)
        if index == len(self.ends):
            return None
        return max(instant, self.starts[index])

    def cumulated(self, instant):
        """Working time from the first interval up to ``instant``."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0
        return self._before[index] + min(instant, self.ends[index]) - self.starts[index]

    def worked(self, start, end):
        """Working time between two instants."""
        return self.cumulated(end) - self.cumulated(start)

    def advance(self, instant, duration):
        """Instant when ``duration`` of working time after ``instant`` is spent.

        None when the working intervals end first.
        """
        target = self.cumulated(instant) + duration
        index = bisect_left(self._through, target)
        if index == len(self._through):
            return None
        return self.starts[index] + target - self._before[index]


class _Lane:
    """One unit of a work center: its busy blocks, sorted and disjoint.

    Two blocks with no working time between them are merged, so that a fully
    booked stretch costs one step to skip, however many operations fill it.
    """

    __slots__ = ("working", "starts", "ends")

    def __init__(self, working):
        self.working = working
        self.starts, self.ends = [], []

    def earliest(self, instant, duration):
        """Earliest (start, end) of ``duration`` at or after ``instant``."""
        working, starts, ends = self.working, self.starts, self.ends
        while True:
            instant = working.snap(instant)
            if instant is None:
                return None
            index = bisect_right(ends, instant)
            if index < len(starts) and starts[index] <= instant:
                instant = ends[index]
                continue
            end = working.advance(instant, duration)
            if end is None:
                return None
            if index == len(starts) or end <= starts[index]:
                return instant, end
            instant = ends[index]

    def book(self, start, end):
        if end <= start:
            return
        starts, ends, working = self.starts, self.ends, self.working
        first = bisect_left(ends, start)
        if first and working.worked(ends[first - 1], start) == 0:
            first -= 1
        last = first
        while last < len(starts) and (
            starts[last] <= end or working.worked(end, starts[last]) == 0
        ):
            start = min(start, starts[last])
            end = max(end, ends[last])
            last += 1
        starts[first:last] = [start]
        ends[first:last] = [end]

    @property
    def last_end(self):
        return self.ends[-1] if self.ends else None


@dataclass
class Workcenter:
    """A work center: ``capacity`` units sharing one working time.

    ``booked`` holds (start, end) pairs of fixed load (bookings outside the
    scheduled set); fixed load beyond capacity is absorbed, never an error.
    """

    key: object
    working: WorkingTime
    capacity: int = 1
    booked: tuple = ()


@dataclass
class Operation:
    """An operation: ``options`` are (workcenter key, duration) pairs, the
    planned work center first; ``after`` are keys of operations of the same job
    that must end before this one starts."""

    key: object
    options: tuple
    after: tuple = ()


@dataclass
class Job:
    """A manufacturing order to place.

    ``priority`` sorts ascending (most urgent first); ``after_jobs`` are keys of
    jobs that must finish before this one starts (sub-assemblies);
    ``lead_time`` is added after the last operation (or to the start of a job
    without operations).
    """

    key: object
    earliest_start: object
    priority: tuple = ()
    operations: list = field(default_factory=list)
    after_jobs: tuple = ()
    lead_time: object = 0


@dataclass(frozen=True)
class Slot:
    """Where and when one operation runs."""

    operation: object
    workcenter: object
    start: object
    end: object


@dataclass
class Plan:
    """The result: one slot per operation, start and finish per job."""

    slots: dict = field(default_factory=dict)
    job_start: dict = field(default_factory=dict)
    job_finish: dict = field(default_factory=dict)


def _ordered_operations(job):
    """The job's operations in precedence order (stable on the given order)."""
    by_key = {operation.key: operation for operation in job.operations}
    done, ordered, visiting = set(), [], set()

    def visit(operation):
        if operation.key in done:
            return
        if operation.key in visiting:
            raise PlanningError(
                f"Operations of {job.key!r} depend on each other in a cycle",
                operation=operation.key,
            )
        visiting.add(operation.key)
        for key in operation.after:
            if key not in by_key:
                raise PlanningError(
                    f"Operation {operation.key!r} waits for unknown {key!r}",
                    operation=operation.key,
                )
            visit(by_key[key])
        visiting.discard(operation.key)
        done.add(operation.key)
        ordered.append(operation)

    for operation in job.operations:
        visit(operation)
    return ordered


def _build_lanes(workcenters):
    lanes = {}
    for workcenter in workcenters:
        units = [
            _Lane(workcenter.working) for _unit in range(max(1, workcenter.capacity))
        ]
        for start, end in sorted(workcenter.booked):
            free = [
                lane
                for lane in units
                if lane.last_end is None or lane.last_end <= start
            ]
            lane = free[0] if free else min(units, key=lambda lane: lane.last_end)
            lane.book(start, end)
        lanes[workcenter.key] = units
    return lanes


def _place(operation, ready, lanes):
    best = None
    for workcenter, duration in operation.options:
        units = lanes.get(workcenter)
        if units is None:
            raise PlanningError(
                f"Operation {operation.key!r} uses unknown work center {workcenter!r}",
                operation=operation.key,
            )
        for lane in units:
            found = lane.earliest(ready, duration)
            if found and (best is None or found[1] < best[2]):
                best = (workcenter, found[0], found[1], lane)
    if best is None:
        raise PlanningError(
            f"No working time left for operation {operation.key!r}",
            operation=operation.key,
        )
    workcenter, start, end, lane = best
    lane.book(start, end)
    return Slot(operation.key, workcenter, start, end)


def estimate_end(workcenters, jobs, start, end):
    """A generous guess of the instant by which ``jobs`` can all be placed.

    ``workcenters`` know their working time between ``start`` and ``end``;
    their average working rate over that span, times their units, must absorb
    the load of the operations planned on them, after the latest earliest
    start. The caller computes working time that far before scheduling, rather
    than retrying on ever longer spans.
    """
    span = end - start
    load = {}
    for job in jobs:
        for operation in job.operations:
            workcenter, duration = operation.options[0]
            load[workcenter] = load.get(workcenter, 0) + duration
    needed = 0
    for workcenter in workcenters:
        worked = workcenter.working.worked(start, end)
        if worked <= 0 or not load.get(workcenter.key):
            continue
        rate = worked / span * max(1, workcenter.capacity)
        needed = max(needed, load[workcenter.key] / rate)
    latest = max((job.earliest_start for job in jobs), default=start)
    lead = sum(job.lead_time for job in jobs if not job.operations)
    return max(latest, start) + int((needed + lead) * 1.25) + (end - start) // 4


def schedule(workcenters, jobs):
    """Place every operation of ``jobs`` on ``workcenters``; return a Plan.

    Deterministic: the same input always gives the same plan.
    """
    lanes = _build_lanes(workcenters)
    by_key = {job.key: job for job in jobs}
    plan = Plan()
    placing = set()

    def place_job(job):
        if job.key in plan.job_finish:
            return
        if job.key in placing:
            raise PlanningError(f"Job {job.key!r} waits for itself")
        placing.add(job.key)
        ready = job.earliest_start
        for key in job.after_jobs:
            if key in by_key:
                place_job(by_key[key])
                ready = max(ready, plan.job_finish[key])
        finish_by_operation = {}
        start = finish = None
        for operation in _ordered_operations(job):
            operation_ready = max(
                [ready] + [finish_by_operation[key] for key in operation.after]
            )
            slot = _place(operation, operation_ready, lanes)
            plan.slots[operation.key] = slot
            finish_by_operation[operation.key] = slot.end
            start = slot.start if start is None else min(start, slot.start)
            finish = slot.end if finish is None else max(finish, slot.end)
        if start is None:
            start = finish = ready
        plan.job_start[job.key] = start
        plan.job_finish[job.key] = finish + job.lead_time
        placing.discard(job.key)

    for job in sorted(jobs, key=lambda job: (tuple(job.priority), job.key)):
        place_job(job)
    return plan
