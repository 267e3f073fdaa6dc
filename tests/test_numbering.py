from contextlib import contextmanager
from datetime import datetime

from psycopg2.errors import UniqueViolation

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import FulfillmentCase, switch_capabilities

MARCH_1 = "2025-03-01 10:20:30"


class NumberingCase(FulfillmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.company, "sale_numbering_enabled")
        # Schemes shipped as demo data would number some orders of these tests.
        cls.env["sale.order.numbering"].search([]).action_archive()
        cls.manager = new_test_user(
            cls.env,
            login="sf_numbering_admin",
            groups="sales_team.group_sale_manager",
        )
        cls.phone, cls.web, cls.email = cls.env["utm.medium"].create(
            [{"name": f"Numbering {name}"} for name in ("Phone", "Web", "Email")]
        )
        cls.team_north, cls.team_south = cls.env["crm.team"].create(
            [{"name": "Numbering North"}, {"name": "Numbering South"}]
        )

    @classmethod
    def _scheme(cls, **vals):
        """A scheme created by the sales administrator."""
        return (
            cls.env["sale.order.numbering"]
            .with_user(cls.manager)
            .create({"name": vals.pop("name", "Test scheme"), **vals})
            .with_env(cls.env)
        )

    def _orders(self, count=1, user=None, **vals):
        """``count`` quotations created at once by the salesperson."""
        user = user or self.salesman
        return (
            self.env["sale.order"]
            .with_user(user)
            .create([{"partner_id": self.customer.id, **vals} for _i in range(count)])
            .with_env(self.env)
        )

    @contextmanager
    def _refused(self, exception, message):
        """Expect ``exception`` matching ``message``; what failed is undone."""
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            yield

    def _odoo_next_name(self):
        """The next number of Odoo's own sale.order sequence."""
        sequence = self.env["ir.sequence"].search(
            [
                ("code", "=", "sale.order"),
                ("company_id", "in", [self.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        return sequence.get_next_char(sequence.number_next_actual)


@tagged("post_install", "-at_install")
class TestNumberingFormats(NumberingCase):
    def test_sequence_scheme_numbers_with_prefix_and_padded_counter(self):
        scheme = self._scheme(prefix="WEB-", padding=6, medium_id=self.web.id)
        orders = self._orders(3, medium_id=self.web.id)
        self.assertEqual(
            orders.mapped("name"), ["WEB-000001", "WEB-000002", "WEB-000003"]
        )
        self.assertEqual(orders.numbering_id, scheme)
        self.assertEqual(self._orders(medium_id=self.web.id).name, "WEB-000004")
        self.assertEqual(scheme.order_count, 4)

    def test_dated_scheme_counts_per_day_and_restarts_every_day(self):
        self._scheme(
            numbering_type="dated",
            prefix="TEL-",
            separator="-",
            padding=4,
            medium_id=self.phone.id,
        )
        first_day = self._orders(2, medium_id=self.phone.id, date_order=MARCH_1)
        next_day = self._orders(
            1, medium_id=self.phone.id, date_order="2025-03-02 08:00:00"
        )
        back = self._orders(
            1, medium_id=self.phone.id, date_order="2025-03-01 18:00:00"
        )
        self.assertEqual(
            first_day.mapped("name"), ["TEL-20250301-0001", "TEL-20250301-0002"]
        )
        self.assertEqual(next_day.name, "TEL-20250302-0001")
        self.assertEqual(back.name, "TEL-20250301-0003")

    def test_dated_scheme_by_month_and_by_year(self):
        scheme = self._scheme(
            numbering_type="dated",
            date_period="month",
            prefix="M",
            padding=3,
            medium_id=self.phone.id,
        )
        march = self._orders(2, medium_id=self.phone.id, date_order=MARCH_1)
        april = self._orders(
            1, medium_id=self.phone.id, date_order="2025-04-30 10:00:00"
        )
        self.assertEqual(march.mapped("name"), ["M202503001", "M202503002"])
        self.assertEqual(april.name, "M202504001")
        scheme.write({"date_period": "year", "prefix": "Y"})
        year = self._orders(2, medium_id=self.phone.id, date_order=MARCH_1)
        self.assertEqual(year.mapped("name"), ["Y2025001", "Y2025002"])

    def test_a_batch_spanning_two_days_gets_each_day_its_counter(self):
        self._scheme(numbering_type="dated", prefix="D", padding=2)
        orders = self.env["sale.order"].create(
            [
                {"partner_id": self.customer.id, "date_order": day}
                for day in (MARCH_1, "2025-03-02 10:00:00", MARCH_1)
            ]
        )
        self.assertEqual(
            orders.mapped("name"), ["D2025030101", "D2025030201", "D2025030102"]
        )

    def test_the_date_is_the_order_date_in_the_users_timezone(self):
        self._scheme(numbering_type="dated", prefix="D", padding=2)
        shanghai = new_test_user(
            self.env,
            login="sf_numbering_shanghai",
            groups="sales_team.group_sale_salesman",
            tz="Asia/Shanghai",
        )
        # 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai.
        order = self._orders(user=shanghai, date_order="2025-03-01 20:00:00")
        self.assertEqual(order.name, "D2025030201")

    def test_timestamp_scheme_numbers_with_the_order_time_and_random_digits(self):
        scheme = self._scheme(
            numbering_type="timestamp",
            prefix="MP",
            separator="-",
            random_digits=5,
            medium_id=self.web.id,
        )
        orders = self._orders(20, medium_id=self.web.id, date_order=MARCH_1)
        for name in orders.mapped("name"):
            self.assertRegex(name, r"^MP20250301102030-\d{5}$")
        self.assertEqual(len(set(orders.mapped("name"))), 20)
        self.assertEqual(orders.numbering_id, scheme)

    def test_explicit_name_is_kept(self):
        self._scheme(prefix="A")
        order = self._orders(name="IMPORTED-7")
        self.assertEqual(order.name, "IMPORTED-7")
        self.assertFalse(order.numbering_id)

    def test_duplicated_order_gets_a_new_number(self):
        self._scheme(prefix="A")
        order = self._orders()
        copy = order.copy()
        self.assertEqual((order.name, copy.name), ("A00001", "A00002"))
        self.assertEqual(copy.numbering_id, order.numbering_id)


@tagged("post_install", "-at_install")
class TestNumberingChoice(NumberingCase):
    def test_most_specific_scheme_of_the_company_numbers_the_order(self):
        both = self._scheme(
            prefix="CT", medium_id=self.web.id, team_id=self.team_north.id
        )
        channel = self._scheme(prefix="C", medium_id=self.web.id)
        team = self._scheme(prefix="T", team_id=self.team_north.id)
        company = self._scheme(prefix="ALL")
        cases = [
            ({"medium_id": self.web.id, "team_id": self.team_north.id}, both),
            ({"medium_id": self.web.id, "team_id": self.team_south.id}, channel),
            ({"medium_id": self.phone.id, "team_id": self.team_north.id}, team),
            ({"medium_id": self.phone.id, "team_id": self.team_south.id}, company),
            ({"team_id": self.team_south.id}, company),
        ]
        for vals, scheme in cases:
            with self.subTest(vals=vals):
                order = self._orders(**vals)
                self.assertEqual(order.numbering_id, scheme)
                self.assertTrue(order.name.startswith(scheme.prefix))

    def test_one_batch_mixes_schemes_and_odoo_numbering(self):
        web = self._scheme(prefix="W", medium_id=self.web.id)
        phone = self._scheme(prefix="P", medium_id=self.phone.id)
        expected_odoo = self._odoo_next_name()
        orders = self.env["sale.order"].create(
            [
                {"partner_id": self.customer.id, "medium_id": medium.id}
                for medium in (self.web, self.phone, self.email, self.web)
            ]
        )
        self.assertEqual(
            orders.mapped("name"), ["W00001", "P00001", expected_odoo, "W00002"]
        )
        self.assertEqual(orders.mapped("numbering_id"), web | phone)
        self.assertFalse(orders[2].numbering_id)

    def test_tie_goes_to_the_lower_sequence(self):
        self._scheme(name="Second", prefix="B", medium_id=self.web.id, sequence=20)
        first = self._scheme(name="First", prefix="A", team_id=self.team_north.id)
        first.write({"medium_id": False, "team_id": False, "sequence": 5})
        other = self._scheme(name="Other", prefix="O", team_id=self.team_south.id)
        other.write({"sequence": 1})
        self.assertEqual(self._orders(team_id=self.team_north.id).numbering_id, first)

    def test_orders_no_scheme_fits_keep_odoos_own_numbering(self):
        self._scheme(prefix="W", medium_id=self.web.id)
        expected = self._odoo_next_name()
        order = self._orders(medium_id=self.email.id)
        self.assertEqual(order.name, expected)
        self.assertFalse(order.numbering_id)

    def test_archived_schemes_and_schemes_of_other_companies_are_ignored(self):
        archived = self._scheme(prefix="X")
        archived.action_archive()
        other_company = self.env["res.company"].create({"name": "Numbering Other Co"})
        self.env["sale.order.numbering"].create(
            {"name": "Other", "prefix": "Y", "company_id": other_company.id}
        )
        expected = self._odoo_next_name()
        order = self._orders()
        self.assertEqual(order.name, expected)

    def test_get_numbering_returns_the_scheme_of_a_scope(self):
        channel = self._scheme(prefix="C", medium_id=self.web.id)
        Numbering = self.env["sale.order.numbering"]
        self.assertEqual(
            Numbering._get_numbering(self.company, self.web, self.team_north), channel
        )
        self.assertFalse(
            Numbering._get_numbering(self.company, self.phone, self.team_north)
        )


@tagged("post_install", "-at_install")
class TestNumberingNeverReused(NumberingCase):
    def test_scheme_changes_never_renumber_existing_orders(self):
        scheme = self._scheme(prefix="A", medium_id=self.web.id)
        old = self._orders(2, medium_id=self.web.id)
        scheme.write({"prefix": "B", "padding": 3})
        changed = self._orders(medium_id=self.web.id)
        scheme.write({"numbering_type": "dated", "medium_id": self.phone.id})
        dated = self._orders(medium_id=self.phone.id, date_order=MARCH_1)
        web_now = self._orders(medium_id=self.web.id)
        scheme.action_archive()
        expected_odoo = self._odoo_next_name()
        after = self._orders(medium_id=self.phone.id)
        self.assertEqual(old.mapped("name"), ["A00001", "A00002"])
        self.assertEqual(old.numbering_id, scheme)
        self.assertEqual(changed.name, "B003")
        self.assertEqual(dated.name, "B20250301001")
        self.assertFalse(web_now.numbering_id, "the scheme moved to Phone")
        self.assertEqual(after.name, expected_odoo)

    def test_a_number_naming_an_order_already_is_skipped(self):
        self._scheme(prefix="A")
        self._orders(name="A00001")
        self._orders(name="A00003")
        orders = self._orders(3)
        self.assertEqual(orders.mapped("name"), ["A00002", "A00004", "A00005"])

    def test_odoos_own_numbering_skips_a_number_a_scheme_gave(self):
        # A scheme for the phone shares the prefix of Odoo's own sequence and
        # takes the number Odoo would give next.
        expected = self._odoo_next_name()
        prefix, digits = (
            expected.rstrip("0123456789"),
            expected[len(expected.rstrip("0123456789")) :],
        )
        scheme = self._scheme(
            prefix=prefix, padding=len(digits), medium_id=self.phone.id
        )
        scheme.sequence_id.number_next = int(digits)
        taken = self._orders(medium_id=self.phone.id)
        self.assertEqual((taken.name, taken.numbering_id), (expected, scheme))
        order = self._orders(medium_id=self.email.id)
        self.assertFalse(order.numbering_id)
        self.assertNotEqual(order.name, expected)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("company_id", "=", self.company.id), ("name", "=", expected)]
            ),
            1,
        )

    def test_an_order_moved_to_another_company_keeps_its_number(self):
        self._scheme(prefix="MOVE-", medium_id=self.web.id)
        order = self._orders(medium_id=self.web.id)
        other = self.env["res.company"].create({"name": "Numbering Elsewhere"})
        self.env.user.company_ids |= other
        order.write({"company_id": other.id})
        self.assertEqual(order.name, "MOVE-00001")
        self.assertFalse(order.numbering_id)

    def test_prefix_changed_back_continues_the_counter(self):
        scheme = self._scheme(prefix="P")
        first = self._orders(2)
        scheme.prefix = "Q"
        self._orders()
        scheme.prefix = "P"
        self.assertEqual(first.mapped("name"), ["P00001", "P00002"])
        self.assertEqual(self._orders().name, "P00004")

    def test_deleted_orders_numbers_are_not_given_again(self):
        self._scheme(prefix="A")
        order = self._orders()
        order.unlink()
        self.assertEqual(self._orders().name, "A00002")

    def _take_names(self, template, names):
        """Orders named ``names``, cloned from ``template`` in one query."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'sale_order' "
            "AND column_name NOT IN ('id', 'name', 'numbering_id')"
        )
        columns = [column for (column,) in self.env.cr.fetchall()]
        self.env.cr.execute(
            SQL(
                "INSERT INTO sale_order (name, %s) SELECT taken, %s "
                "FROM sale_order, unnest(%s::varchar[]) taken WHERE sale_order.id = %s",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(
                    SQL.identifier("sale_order", column) for column in columns
                ),
                names,
                template.id,
            )
        )

    def test_random_digits_skip_the_ones_in_use_and_refuse_when_used_up(self):
        scheme = self._scheme(numbering_type="timestamp", prefix="MP", random_digits=3)
        template = self._orders(name="TEMPLATE")
        head = "MP20250301102030"
        self._take_names(template, [f"{head}{n:03d}" for n in range(1000) if n != 777])
        moment = datetime(2025, 3, 1, 10, 20, 30)
        self.assertEqual(scheme._next_numbers([moment]), [f"{head}777"])
        self._take_names(template, [f"{head}777"])
        with self.assertRaisesRegex(
            UserError,
            r"Numbering scheme Test scheme cannot number 1 more orders of "
            r"MP20250301102030: its 3 random digits are used up for that second\. "
            r"Give it more random digits\.",
        ):
            scheme._next_numbers([moment])
        self.assertRegex(
            scheme._next_numbers([datetime(2025, 3, 1, 10, 20, 31)])[0],
            r"^MP20250301102031\d{3}$",
        )

    def test_database_refuses_two_numbered_orders_with_one_number(self):
        self._scheme(prefix="A")
        first, second = self._orders(2)
        with (
            self.assertRaises(UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            second.name = first.name
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestNumberingScheme(NumberingCase):
    def test_preview_shows_the_next_number(self):
        # Orders are dated in their creator's timezone and the preview in its
        # reader's: both the same here, whatever the hour of the run.
        self.salesman.tz = self.env.user.tz or "UTC"
        plain = self._scheme(prefix="A", medium_id=self.web.id)
        dated = self._scheme(
            numbering_type="dated",
            prefix="PV-",
            separator="-",
            padding=4,
            medium_id=self.phone.id,
        )
        stamped = self._scheme(
            numbering_type="timestamp", prefix="MP", medium_id=self.email.id
        )
        today = fields.Datetime.context_timestamp(plain, fields.Datetime.now())
        day = today.strftime("%Y%m%d")
        self.assertEqual(plain.next_number_preview, "A00001")
        self.assertEqual(dated.next_number_preview, f"PV-{day}-0001")
        self.assertRegex(stamped.next_number_preview, rf"^MP{day}\d{{6}}\d{{4}}$")
        self._orders(2, medium_id=self.web.id)
        self._orders(3, medium_id=self.phone.id)
        self.env.invalidate_all()
        self.assertEqual(plain.next_number_preview, "A00003")
        self.assertEqual(dated.next_number_preview, f"PV-{day}-0004")

    def test_scheme_owns_its_counter_sequence(self):
        scheme = self._scheme(numbering_type="dated", prefix="D")
        sequence = scheme.sequence_id
        self.assertTrue(sequence)
        self.assertEqual(sequence.implementation, "standard")
        self.assertTrue(sequence.use_date_range)
        self.assertFalse(sequence.code, "nothing else draws from it")
        scheme.write({"numbering_type": "sequence", "padding": 7})
        self.assertFalse(sequence.use_date_range)
        self.assertEqual(sequence.padding, 7)

    def test_unused_scheme_is_deleted_with_its_counters(self):
        scheme = self._scheme(numbering_type="dated", prefix="D")
        order = self._orders(date_order=MARCH_1)
        sequence = scheme.sequence_id
        self.assertEqual(len(sequence.date_range_ids), 1)
        order.unlink()
        scheme.with_user(self.manager).unlink()
        self.assertFalse(sequence.exists())
        self.env.cr.execute(
            "SELECT 1 FROM pg_class WHERE relname ~ %s",
            [f"^ir_sequence_{sequence.id:03d}(_[0-9]+)?$"],
        )
        self.assertFalse(self.env.cr.fetchall())

    def test_scheme_that_numbered_orders_cannot_be_deleted_only_archived(self):
        scheme = self._scheme(prefix="A")
        self._orders()
        with self.assertRaisesRegex(
            UserError,
            "Numbering scheme Test scheme has numbered orders: archive it instead, "
            "so that its numbers are never given again.",
        ):
            scheme.with_user(self.manager).unlink()
        scheme.with_user(self.manager).action_archive()
        self.assertFalse(scheme.active)

    def test_scheme_that_numbered_orders_stays_in_its_company(self):
        scheme = self._scheme(prefix="A")
        self._orders()
        other = self.env["res.company"].create({"name": "Numbering Other Co"})
        with self.assertRaisesRegex(
            UserError,
            "A numbering scheme that has numbered orders stays in its company",
        ):
            scheme.company_id = other

    def test_copy_starts_archived_with_its_own_counter(self):
        scheme = self._scheme(name="Web", prefix="W", medium_id=self.web.id)
        copy = scheme.with_user(self.manager).copy()
        self.assertEqual(copy.name, "Web (copy)")
        self.assertFalse(copy.active)
        self.assertNotEqual(copy.sequence_id, scheme.sequence_id)

    def test_view_orders_lists_the_orders_the_scheme_numbered(self):
        scheme = self._scheme(prefix="A", medium_id=self.web.id)
        orders = self._orders(2, medium_id=self.web.id)
        self._orders(medium_id=self.phone.id)
        action = scheme.action_view_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), orders)

    def test_salesperson_reads_schemes_and_cannot_change_them(self):
        scheme = self._scheme(prefix="A")
        self.assertEqual(
            self.env["sale.order.numbering"].with_user(self.salesman).search([]),
            scheme,
        )
        with self.assertRaises(AccessError):
            self.env["sale.order.numbering"].with_user(self.salesman).create(
                {"name": "Mine", "prefix": "M"}
            )
        with self.assertRaises(AccessError):
            scheme.with_user(self.salesman).prefix = "M"

    def test_users_of_another_company_do_not_see_the_scheme(self):
        self._scheme(prefix="A")
        other = self.env["res.company"].create({"name": "Numbering Other Co"})
        outsider = new_test_user(
            self.env,
            login="sf_numbering_outsider",
            groups="sales_team.group_sale_manager",
            company_id=other.id,
            company_ids=[other.id],
        )
        self.assertFalse(
            self.env["sale.order.numbering"].with_user(outsider).search([])
        )

    def test_only_sales_administrators_reach_the_numbering_menu(self):
        menu = self.env.ref("sale_fulfillment.sale_order_numbering_menu")
        for user, visible in ((self.manager, True), (self.salesman, False)):
            menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertEqual(menu.id in menus, visible, user.login)


@tagged("post_install", "-at_install")
class TestNumberingConstraints(NumberingCase):
    def test_counter_digits_are_from_1_to_10(self):
        for padding in (0, 11):
            with self._refused(
                ValidationError,
                "Numbering scheme Test scheme: the counter has from 1 to 10 digits.",
            ):
                self._scheme(prefix="A", padding=padding)
        self.assertEqual(self._scheme(prefix="A", padding=10).padding, 10)

    def test_random_digits_are_from_3_to_12(self):
        for digits in (2, 13):
            with self._refused(
                ValidationError,
                "Numbering scheme Test scheme: there are from 3 to 12 random digits.",
            ):
                self._scheme(numbering_type="timestamp", random_digits=digits)

    def test_prefix_and_separator_must_be_safe_for_a_document_name(self):
        for vals in ({"prefix": "A B"}, {"prefix": "A%"}, {"separator": "#"}):
            with (
                self.subTest(vals=vals),
                self._refused(
                    ValidationError,
                    r"Numbering scheme Test scheme: “.*” cannot be part of an order "
                    r"number\. Use letters, digits and - _ / \. only \(no spaces\)\.",
                ),
            ):
                self._scheme(**vals)
        self.assertEqual(self._scheme(prefix="订单/2025_A.B-").prefix, "订单/2025_A.B-")

    def test_same_company_channel_and_team_twice_is_refused(self):
        first = self._scheme(name="First", prefix="A", medium_id=self.web.id)
        message = (
            "Numbering scheme Second: First already numbers the orders of the same "
            "company, channel and sales team."
        )
        with self._refused(ValidationError, message):
            self._scheme(name="Second", prefix="B", medium_id=self.web.id)
        first.action_archive()
        second = self._scheme(name="Second", prefix="B", medium_id=self.web.id)
        with self._refused(ValidationError, "already numbers the orders"):
            first.action_unarchive()
        # Another team, or no channel: other orders.
        self._scheme(name="Team", medium_id=self.web.id, team_id=self.team_north.id)
        self._scheme(name="Company-wide")
        self.assertTrue(second.active)

    def test_team_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Numbering Other Co"})
        team = self.env["crm.team"].create({"name": "Far", "company_id": other.id})
        with self._refused(UserError, "Incompatible companies"):
            self._scheme(team_id=team.id)


@tagged("post_install", "-at_install")
class TestNumberingQueries(NumberingCase):
    def _queries(self, vals_list):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.env["sale.order"].with_user(self.salesman).create(vals_list)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _vals(self, count, **vals):
        return [
            {"partner_id": self.customer.id, "date_order": MARCH_1, **vals}
            for _i in range(count)
        ]

    def test_numbering_a_batch_costs_the_same_queries_for_1_or_10_orders(self):
        for numbering_type in ("sequence", "dated", "timestamp"):
            with self.subTest(numbering_type=numbering_type):
                self.env["sale.order.numbering"].search([]).action_archive()
                self._scheme(
                    name=numbering_type,
                    numbering_type=numbering_type,
                    prefix=numbering_type[:3].upper(),
                    medium_id=self.phone.id,
                )
                # Warm the caches and create the period's counter.
                self._queries(self._vals(1, medium_id=self.phone.id))
                self._queries(self._vals(1, name="WARM"))
                numbered = {
                    count: self._queries(self._vals(count, medium_id=self.phone.id))
                    for count in (1, 10)
                }
                named = {
                    count: self._queries(
                        [
                            {**vals, "name": f"NAMED-{numbering_type}-{count}-{i}"}
                            for i, vals in enumerate(self._vals(count))
                        ]
                    )
                    for count in (1, 10)
                }
                # Nothing per order for numbering: 9 more orders cost what
                # they cost Odoo without any numbering.
                self.assertEqual(numbered[10] - numbered[1], named[10] - named[1])
                # A batch's numbering: find the scheme, its counter, draw, check.
                self.assertLessEqual(numbered[1] - named[1], 5)
        # Odoo's own sequence draws order by order.
        odoo = {
            count: self._queries(self._vals(count, medium_id=self.email.id))
            for count in (1, 10)
        }
        self.assertGreater(odoo[10] - odoo[1], named[10] - named[1])
