import threading
import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.sale_order_numbering import DATE_RANGE_LOCK
from .common import ConcurrencyCase

# A day no other test numbers orders on: its counter is created here.
DAY = "2031-05-17 09:00:00"


@tagged("post_install", "-at_install")
class TestNumberingConcurrency(ConcurrencyCase):
    """Two transactions numbering orders at the same time, as two users saving
    orders at once would."""

    def setUp(self):
        super().setUp()
        self._commit_capabilities("sale_numbering_enabled")
        with self._transaction() as env:
            partner = env["res.partner"].create({"name": "Concurrent Numbering"})
            plain_medium, dated_medium = env["utm.medium"].create(
                [{"name": "Concurrent Plain"}, {"name": "Concurrent Dated"}]
            )
            plain, dated = env["sale.order.numbering"].create(
                [
                    {
                        "name": "Concurrent plain",
                        "prefix": "CP",
                        "medium_id": plain_medium.id,
                    },
                    {
                        "name": "Concurrent dated",
                        "numbering_type": "dated",
                        "prefix": "CD",
                        "separator": "-",
                        "padding": 3,
                        "medium_id": dated_medium.id,
                    },
                ]
            )
            env.cr.commit()
            self.partner_id = partner.id
            self.medium_ids = {"plain": plain_medium.id, "dated": dated_medium.id}
            self.scheme_ids = {"plain": plain.id, "dated": dated.id}
            self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self._transaction() as env:
            schemes = env["sale.order.numbering"].browse(self.scheme_ids.values())
            env["sale.order"].search([("numbering_id", "in", schemes.ids)]).unlink()
            schemes.unlink()
            env["utm.medium"].browse(self.medium_ids.values()).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env.cr.commit()

    def _create(self, env, kind, count=1, **vals):
        return env["sale.order"].create(
            [
                {
                    "partner_id": self.partner_id,
                    "medium_id": self.medium_ids[kind],
                    **vals,
                }
                for _i in range(count)
            ]
        )

    def _snapshot(self, env):
        """Start ``env``'s transaction: from now on it sees the database as it
        is now, and nothing committed later."""
        env["sale.order.numbering"].browse(self.scheme_ids["dated"]).name  # noqa: B018

    def test_two_transactions_never_share_a_number_and_rolled_back_ones_stay_used(
        self,
    ):
        with self._two_transactions() as (first_env, second_env):
            first = self._create(first_env, "plain", 3)
            second = self._create(second_env, "plain", 3)
            first_names = set(first.mapped("name"))
            second_names = set(second.mapped("name"))
            self.assertEqual(len(first_names | second_names), 6)
            first_env.cr.rollback()
            second_env.cr.rollback()
        with self._transaction() as env:
            third = set(self._create(env, "plain", 3).mapped("name"))
            self.assertFalse(third & (first_names | second_names))
            self.assertGreater(min(third), max(first_names | second_names))
            env.cr.rollback()

    def _day_ranges(self):
        with self._transaction() as env:
            scheme = env["sale.order.numbering"].browse(self.scheme_ids["dated"])
            return scheme.sequence_id.date_range_ids.mapped(
                lambda date_range: (str(date_range.date_from), str(date_range.date_to))
            )

    def test_first_orders_of_a_day_in_two_transactions_share_one_counter(self):
        with self._two_transactions() as (first_env, second_env):
            self._snapshot(second_env)
            first = self._create(first_env, "dated", date_order=DAY)
            # The second transaction began before the day's counter existed:
            # it must not create another one starting at 1.
            second = self._create(second_env, "dated", 2, date_order=DAY)
            self.assertEqual(first.name, "CD20310517-001")
            self.assertEqual(
                second.mapped("name"), ["CD20310517-002", "CD20310517-003"]
            )
            # Neither order is saved; their numbers are never given again.
            first_env.cr.rollback()
            second_env.cr.rollback()
        self.assertEqual(self._day_ranges(), [("2031-05-17", "2031-05-17")])
        with self._transaction() as env:
            self.assertEqual(
                self._create(env, "dated", date_order=DAY).name, "CD20310517-004"
            )
            env.cr.rollback()

    def test_two_creators_of_a_days_counter_wait_for_each_other(self):
        names = {}

        def create(key, env):
            try:
                names[key] = self._create(env, "dated", date_order=DAY).name
            except Exception as error:  # reported by the assertion below
                names[key] = error

        with self._transaction() as env:
            scheme = env["sale.order.numbering"].browse(self.scheme_ids["dated"])
            sequence_id = scheme.sequence_id.id
        with (
            self._transaction() as locker,
            self._two_transactions() as (first_env, second_env),
        ):
            # Hold the lock the creation of a counter takes, as a creator
            # still at work would.
            locker.cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [DATE_RANGE_LOCK, sequence_id]
            )
            threads = [
                threading.Thread(target=create, args=(key, env))
                for key, env in (("first", first_env), ("second", second_env))
            ]
            for thread in threads:
                thread.start()
            time.sleep(0.5)
            self.assertTrue(all(thread.is_alive() for thread in threads))
            locker.cr.rollback()
            for thread in threads:
                thread.join(10)
            self.assertEqual(
                sorted(names.values(), key=str), ["CD20310517-001", "CD20310517-002"]
            )
            first_env.cr.rollback()
            second_env.cr.rollback()
        self.assertEqual(self._day_ranges(), [("2031-05-17", "2031-05-17")])

    def test_dated_numbers_of_a_rolled_back_transaction_are_not_given_again(self):
        with self._transaction() as env:
            self._create(env, "dated", date_order=DAY)
            env.cr.commit()
        with self._two_transactions() as (first_env, second_env):
            first = self._create(first_env, "dated", 2, date_order=DAY)
            second = self._create(second_env, "dated", 2, date_order=DAY)
            self.assertEqual(
                first.mapped("name") + second.mapped("name"),
                [
                    "CD20310517-002",
                    "CD20310517-003",
                    "CD20310517-004",
                    "CD20310517-005",
                ],
            )
            first_env.cr.rollback()
            second_env.cr.commit()
        with self._transaction() as env:
            self.assertEqual(
                self._create(env, "dated", date_order=DAY).name, "CD20310517-006"
            )
            env.cr.rollback()

    def test_number_saved_by_another_transaction_meanwhile_is_refused(self):
        """The unique index behind the numbers: if two transactions ever draw
        the same number (two timestamps with the same random digits), the
        second one cannot save it. ``setval`` makes the counter draw an
        existing number, which the second transaction cannot see."""
        with self._two_transactions() as (first_env, second_env):
            self._snapshot(second_env)
            first = self._create(first_env, "plain")
            first_env.cr.commit()
            scheme = second_env["sale.order.numbering"].browse(self.scheme_ids["plain"])
            second_env.cr.execute(
                "SELECT setval(%s, %s, false)",
                [f"ir_sequence_{scheme.sequence_id.id:03d}", int(first.name[2:])],
            )
            with (
                self.assertRaisesRegex(
                    UserError,
                    "Another order was given the same number at the same moment. "
                    "Please save the order again.",
                ),
                mute_logger("odoo.sql_db"),
            ):
                self._create(second_env, "plain")
            second_env.cr.rollback()
