# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit and property tests of the pure scheduling engine (no Odoo needed)."""

import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

from ..engine import (
    Job,
    Operation,
    PlanningError,
    Workcenter,
    WorkingTime,
    estimate_end,
    schedule,
)

HOUR = 60
DAY = 24 * HOUR


def office_days(days=60, start=8 * HOUR, end=17 * HOUR, skip=()):
    """Working intervals 8:00-17:00 (minutes), day 0 first, ``skip`` left out."""
    return WorkingTime(
        (day * DAY + start, day * DAY + end) for day in range(days) if day not in skip
    )


class TestWorkingTime(unittest.TestCase):
    def test_snap_advance_and_worked(self):
        working = office_days(3)
        self.assertEqual(working.snap(0), 8 * HOUR)
        self.assertEqual(working.snap(9 * HOUR), 9 * HOUR)
        self.assertEqual(working.snap(18 * HOUR), DAY + 8 * HOUR)
        self.assertIsNone(working.snap(3 * DAY))
        # 10 hours from 8:00 end the next day at 9:00, pausing at night.
        self.assertEqual(working.advance(8 * HOUR, 10 * HOUR), DAY + 9 * HOUR)
        self.assertEqual(working.worked(16 * HOUR, DAY + 9 * HOUR), 2 * HOUR)
        self.assertIsNone(working.advance(8 * HOUR, 28 * HOUR))

    def test_overlapping_intervals_are_merged(self):
        working = WorkingTime([(10, 20), (0, 12), (30, 40), (20, 25)])
        self.assertEqual(working.starts, [0, 30])
        self.assertEqual(working.ends, [25, 40])
        self.assertEqual(working.worked(0, 40), 35)


class TestSchedule(unittest.TestCase):
    def test_precedence_and_capacity(self):
        center = Workcenter("cut", office_days(), capacity=1)
        jobs = [
            Job(
                key=job,
                earliest_start=0,
                priority=(job,),
                operations=[
                    Operation((job, 1), (("cut", 3 * HOUR),)),
                    Operation((job, 2), (("cut", 2 * HOUR),), after=((job, 1),)),
                ],
            )
            for job in (1, 2)
        ]
        plan = schedule([center], jobs)
        first, second = plan.slots[(1, 1)], plan.slots[(1, 2)]
        self.assertEqual((first.start, first.end), (8 * HOUR, 11 * HOUR))
        self.assertEqual((second.start, second.end), (11 * HOUR, 13 * HOUR))
        # Job 2 comes after job 1 on the only unit, and spills into day 1.
        self.assertEqual(plan.slots[(2, 1)].start, 13 * HOUR)
        self.assertEqual(plan.slots[(2, 2)].end, DAY + 9 * HOUR)
        self.assertEqual(plan.job_finish[2], DAY + 9 * HOUR)

    def test_two_units_run_in_parallel(self):
        center = Workcenter("pack", office_days(), capacity=2)
        jobs = [
            Job(job, 0, (job,), [Operation(job, (("pack", HOUR),))]) for job in range(3)
        ]
        plan = schedule([center], jobs)
        self.assertEqual(plan.slots[0].start, 8 * HOUR)
        self.assertEqual(plan.slots[1].start, 8 * HOUR)
        self.assertEqual(plan.slots[2].start, 9 * HOUR)

    def test_fixed_load_is_kept_free(self):
        center = Workcenter("cut", office_days(), booked=((8 * HOUR, 12 * HOUR),))
        plan = schedule([center], [Job(1, 0, (), [Operation(1, (("cut", HOUR),))])])
        self.assertEqual(plan.slots[1].start, 12 * HOUR)

    def test_gap_too_small_is_skipped_and_later_gap_used(self):
        center = Workcenter(
            "cut",
            office_days(),
            booked=((8 * HOUR, 9 * HOUR), (10 * HOUR, 12 * HOUR)),
        )
        jobs = [
            Job(1, 0, (0,), [Operation(1, (("cut", 2 * HOUR),))]),
            Job(2, 0, (1,), [Operation(2, (("cut", HOUR),))]),
        ]
        plan = schedule([center], jobs)
        self.assertEqual(plan.slots[1].start, 12 * HOUR)
        # The less urgent, shorter job fills the hole left before it.
        self.assertEqual(plan.slots[2].start, 9 * HOUR)

    def test_alternative_workcenter_with_earliest_finish_wins(self):
        busy = Workcenter("main", office_days(), booked=((8 * HOUR, 16 * HOUR),))
        slow = Workcenter("alt", office_days())
        job = Job(1, 0, (), [Operation(1, (("main", HOUR), ("alt", 3 * HOUR)))])
        slot = schedule([busy, slow], [job]).slots[1]
        self.assertEqual((slot.workcenter, slot.end), ("alt", 11 * HOUR))
        # On a tie the planned work center (listed first) keeps the operation.
        tie = Job(1, 0, (), [Operation(1, (("alt", HOUR), ("main2", HOUR)))])
        other = Workcenter("main2", office_days())
        slot = schedule([Workcenter("alt", office_days()), other], [tie]).slots[1]
        self.assertEqual(slot.workcenter, "alt")

    def test_holiday_is_skipped(self):
        center = Workcenter("cut", office_days(skip=(0, 1)))
        slot = schedule([center], [Job(1, 0, (), [Operation(1, (("cut", HOUR),))])])
        self.assertEqual(slot.slots[1].start, 2 * DAY + 8 * HOUR)

    def test_sub_assembly_job_is_placed_first(self):
        center = Workcenter("cut", office_days())
        parent = Job(1, 0, (0,), [Operation("p", (("cut", HOUR),))], after_jobs=(2,))
        child = Job(2, 0, (9,), [Operation("c", (("cut", 2 * HOUR),))], lead_time=30)
        plan = schedule([center], [parent, child])
        self.assertEqual(plan.slots["c"].end, 10 * HOUR)
        self.assertEqual(plan.job_finish[2], 10 * HOUR + 30)
        self.assertEqual(plan.slots["p"].start, 10 * HOUR + 30)

    def test_job_without_operations_takes_its_lead_time(self):
        plan = schedule([], [Job(1, 100, (), [], lead_time=50)])
        self.assertEqual((plan.job_start[1], plan.job_finish[1]), (100, 150))

    def test_estimate_end_covers_the_load(self):
        center = Workcenter("cut", office_days(200), capacity=2)
        jobs = [
            Job(job, 0, (job,), [Operation(job, (("cut", 9 * HOUR),))])
            for job in range(40)
        ]
        end = estimate_end([center], jobs, 0, 20 * DAY)
        # 40 days of work on two units: 20 working days, at least.
        self.assertGreaterEqual(end, 20 * DAY)
        plan = schedule([Workcenter("cut", office_days(200), capacity=2)], jobs)
        self.assertLessEqual(max(plan.job_finish.values()), end)
        self.assertEqual(estimate_end([center], [], 0, DAY), DAY // 4)

    def test_refusals(self):
        center = Workcenter("cut", office_days(1))
        with self.assertRaisesRegex(PlanningError, "No working time left") as caught:
            schedule([center], [Job(1, 0, (), [Operation("x", (("cut", DAY),))])])
        self.assertEqual(caught.exception.operation, "x")
        with self.assertRaisesRegex(PlanningError, "unknown work center"):
            schedule([center], [Job(1, 0, (), [Operation("x", (("saw", 1),))])])
        cycle = [
            Operation("a", (("cut", 1),), after=("b",)),
            Operation("b", (("cut", 1),), after=("a",)),
        ]
        with self.assertRaisesRegex(PlanningError, "cycle"):
            schedule([center], [Job(1, 0, (), cycle)])
        with self.assertRaisesRegex(PlanningError, "waits for itself"):
            schedule([center], [Job(1, 0, (), [], after_jobs=(1,))])


# -- properties ---------------------------------------------------------------

durations = st.integers(min_value=1, max_value=10 * HOUR)
job_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * DAY),  # earliest start
        st.integers(min_value=0, max_value=5),  # priority
        st.lists(
            st.tuples(st.sampled_from("ABC"), st.sampled_from("ABC"), durations),
            min_size=0,
            max_size=4,
        ),
    ),
    min_size=1,
    max_size=12,
)
centers = st.fixed_dictionaries(
    {
        name: st.tuples(
            st.integers(min_value=1, max_value=3),  # capacity
            st.sets(st.integers(min_value=0, max_value=20), max_size=5),  # holidays
        )
        for name in "ABC"
    }
)


def build(center_spec, specs):
    workcenters = [
        Workcenter(name, office_days(200, skip=holidays), capacity=capacity)
        for name, (capacity, holidays) in sorted(center_spec.items())
    ]
    jobs = []
    for index, (earliest, priority, operations) in enumerate(specs):
        jobs.append(
            Job(
                key=index,
                earliest_start=earliest,
                priority=(priority,),
                operations=[
                    Operation(
                        (index, position),
                        ((main, duration),)
                        + (
                            ((alternative, duration * 2),)
                            if alternative != main
                            else ()
                        ),
                        after=((index, position - 1),) if position else (),
                    )
                    for position, (main, alternative, duration) in enumerate(operations)
                ],
            )
        )
    return workcenters, jobs


class TestScheduleProperties(unittest.TestCase):
    @settings(max_examples=150, deadline=None)
    @given(centers, job_specs)
    def test_plan_is_feasible(self, center_spec, specs):
        workcenters, jobs = build(center_spec, specs)
        plan = schedule(workcenters, jobs)
        by_center = {center.key: center for center in workcenters}
        slots = list(plan.slots.values())
        for job in jobs:
            for operation in job.operations:
                slot = plan.slots[operation.key]
                center = by_center[slot.workcenter]
                duration = dict(operation.options)[slot.workcenter]
                # Inside working time, for exactly its duration of work.
                self.assertEqual(center.working.snap(slot.start), slot.start)
                self.assertEqual(center.working.worked(slot.start, slot.end), duration)
                # Earliest start and precedence kept.
                self.assertGreaterEqual(slot.start, job.earliest_start)
                for previous in operation.after:
                    self.assertGreaterEqual(slot.start, plan.slots[previous].end)
        # Never more overlapping operations than units, at any instant.
        for center in workcenters:
            events = sorted(
                (instant, change)
                for slot in slots
                if slot.workcenter == center.key
                for instant, change in ((slot.start, 1), (slot.end, -1))
            )
            running = 0
            for _instant, change in events:
                running += change
                self.assertLessEqual(running, center.capacity)

    @settings(max_examples=150, deadline=None)
    @given(centers, job_specs, st.data())
    def test_more_urgent_twin_never_finishes_later(self, center_spec, specs, data):
        twin = data.draw(st.sampled_from(specs))
        specs = specs + [twin]
        workcenters, jobs = build(center_spec, specs)
        urgent, relaxed = jobs[-1], jobs[specs.index(twin)]
        urgent.priority = (-1,)  # both could swap: same operations, same start
        plan = schedule(workcenters, jobs)
        self.assertLessEqual(plan.job_finish[urgent.key], plan.job_finish[relaxed.key])

    @settings(max_examples=50, deadline=None)
    @given(centers, job_specs)
    def test_deterministic(self, center_spec, specs):
        first = schedule(*build(center_spec, specs))
        again = schedule(*build(center_spec, list(specs)))
        self.assertEqual(first.slots, again.slots)
