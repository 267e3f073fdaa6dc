from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.misc import file_path

from .common import (
    CAPABILITIES,
    ShipmentCase,
    load_chinese,
    switch_capabilities,
)

MIGRATION = "sale_fulfillment/migrations/18.0.1.1.0/post-migrate.py"

DEFAULT_RULES = [
    ("incomplete_address", "block"),
    ("duplicate_order", "block"),
    ("credit_limit", "block"),
    ("stock_shortage", "block"),
    ("customer_note", "warning"),
]


class CapabilityCase(ShipmentCase):
    """The main company with every capability off, as in a new database, a
    customer Odoo confirms orders for without a second look (no street, no
    phone, no email) and a product out of stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.walk_in = cls.env["res.partner"].create({"name": "Walk-in Buyer"})
        cls.out_of_stock = cls.env["product.product"].create(
            {
                "name": "Capability Sold-Out Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 30.0,
            }
        )

    def _company_rules(self, company):
        return (
            self.env["sale.review.rule"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )

    def _shipped_rules(self):
        """The default rules shipped for the main company (data file)."""
        return self.env["sale.review.rule"].browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "sale_fulfillment"),
                    ("model", "=", "sale.review.rule"),
                ]
            )
            .mapped("res_id")
        )

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

    def _milestone_messages(self, order):
        return order.message_ids.filtered(
            lambda message: (
                "has shipped" in (message.subject or "")
                or "was delivered" in (message.subject or "")
            )
        )


@tagged("post_install", "-at_install")
class TestCapabilitiesOff(CapabilityCase):
    def test_a_new_company_has_every_capability_off(self):
        company = self.env["res.company"].create({"name": "Capability New Co"})
        self.assertEqual(
            {name: company[name] for name in CAPABILITIES},
            dict.fromkeys(CAPABILITIES, False),
        )
        self.assertFalse(self._company_rules(company))

    def test_everything_off_confirms_and_ships_as_odoo_does(self):
        # Rules and schemes that would hold and number the order, were the
        # capabilities on.
        self.env["sale.review.rule"].create(
            [
                {"name": "Hold all", "rule_type": "amount_above", "threshold": 0},
                {"name": "Address", "rule_type": "incomplete_address"},
                {"name": "Stock", "rule_type": "stock_shortage"},
            ]
        )
        self.env["sale.order.numbering"].create(
            {"name": "Everything", "prefix": "NUM-"}
        )
        self.company.stock_move_email_validation = False
        self.warehouse.out_type_id.write(
            {
                "pack_verify_required": True,
                "pack_weigh_required": True,
                "auto_split_availability": True,
            }
        )
        expected_name = self._odoo_next_name()
        order = self._create_orders([(self.product_a, 2), (self.out_of_stock, 3)])
        order.write({"partner_id": self.walk_in.id, "carrier_id": self.carrier.id})
        self.assertEqual(order.name, expected_name)
        self.assertFalse(order.numbering_id)

        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.review_state, "none")
        self.assertFalse(order.review_issue_ids)
        self.assertNotIn("Held for review", " ".join(order.message_ids.mapped("body")))
        delivery = order.picking_ids
        self.assertEqual(len(delivery), 1, "no automatic split")
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(
            {(move.product_id, move.product_uom_qty) for move in delivery.move_ids},
            {(self.product_a, 2), (self.out_of_stock, 3)},
        )

        # The warehouse ships what is there from the delivery form: no pack
        # station, a backorder for the rest, no email to the customer.
        self._ship(order, quantities={self.out_of_stock: 0})
        self.assertEqual(delivery.state, "done")
        self.assertEqual(len(order.picking_ids), 2, "Odoo's backorder")
        delivery.with_user(self.stock_user).action_mark_delivered()
        self.assertFalse(self._milestone_messages(order))

    def test_review_simulation_works_with_the_review_off(self):
        rule = self.env["sale.review.rule"].create(
            {"name": "Hold all", "rule_type": "amount_above", "threshold": 0}
        )
        order = self._create_orders([(self.product_a, 1)])
        action = order.with_user(self.salesman).action_open_review_simulation()
        simulation = self.env["sale.review.simulation"].browse(action["res_id"])
        self.assertEqual(simulation.order_ids, order)
        self.assertEqual(simulation.held_count, 1)
        self.assertIn(
            rule.id,
            [vals["rule_id"] for vals in order._review_evaluate()[order]],
        )
        self.assertEqual(order.state, "draft", "a dry run")
        self._confirm(order)
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestCapabilitySwitches(CapabilityCase):
    def test_switching_the_review_on_activates_the_shipped_default_rules(self):
        shipped = self._shipped_rules()
        self.assertEqual(
            sorted(shipped.mapped("rule_type")), sorted(t for t, _s in DEFAULT_RULES)
        )
        self._company_rules(self.company).action_archive()
        switch_capabilities(self.company, "sale_review_enabled")
        active = self.env["sale.review.rule"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(active, shipped)

        order = self._create_orders([(self.out_of_stock, 1)])
        order.partner_id = self.walk_in
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.review_state, "to_review")
        self.assertEqual(
            set(order.review_issue_ids.rule_id.mapped("rule_type")),
            {"incomplete_address", "stock_shortage"},
        )

        # Off again: the rules stay, confirmation is Odoo's own.
        switch_capabilities(self.company, "sale_review_enabled", on=False)
        self.assertEqual(
            self.env["sale.review.rule"].search([("company_id", "=", self.company.id)]),
            shipped,
        )
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_switching_the_review_on_keeps_the_rules_a_company_has(self):
        self._company_rules(self.company).action_archive()
        own = self.env["sale.review.rule"].create(
            {"name": "Big", "rule_type": "amount_above", "threshold": 1000}
        )
        switch_capabilities(self.company, "sale_review_enabled")
        self.assertEqual(
            self.env["sale.review.rule"].search([("company_id", "=", self.company.id)]),
            own,
        )

    def test_switching_the_review_on_creates_the_default_rules_of_a_new_company(self):
        load_chinese(self.env)
        company = self.env["res.company"].create({"name": "Capability Branch"})
        admin = new_test_user(
            self.env,
            login="sf_capability_branch_admin",
            groups="base.group_system,sales_team.group_sale_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            lang="zh_CN",
        )
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.sale_review_enabled = True
        form.save().execute()
        self.assertTrue(company.sale_review_enabled)
        rules = self.env["sale.review.rule"].search([("company_id", "=", company.id)])
        self.assertEqual(
            [(rule.rule_type, rule.severity) for rule in rules], DEFAULT_RULES
        )
        shortage = rules.filtered(lambda rule: rule.rule_type == "stock_shortage")
        self.assertEqual(shortage.with_context(lang="en_US").name, "Stock shortage")
        self.assertEqual(shortage.with_context(lang="zh_CN").name, "缺货")
        self.assertEqual(
            rules.filtered(
                lambda rule: rule.rule_type == "duplicate_order"
            ).window_hours,
            24,
        )
        # Switched off and on again: the same rules, no second set.
        company.sale_review_enabled = False
        company.sale_review_enabled = True
        self.assertEqual(
            self.env["sale.review.rule"].search([("company_id", "=", company.id)]),
            rules,
        )

    def test_a_company_created_with_the_review_on_gets_the_default_rules(self):
        company = self.env["res.company"].create(
            {"name": "Capability Reviewed Co", "sale_review_enabled": True}
        )
        self.assertEqual(
            [(rule.rule_type, rule.severity) for rule in self._company_rules(company)],
            DEFAULT_RULES,
        )

    def test_numbering_schemes_number_orders_only_when_switched_on(self):
        scheme = self.env["sale.order.numbering"].create(
            {"name": "Company-wide", "prefix": "CAP-"}
        )
        odoo_name = self._odoo_next_name()
        plain = self._create_orders([(self.product_a, 1)])
        self.assertEqual((plain.name, plain.numbering_id), (odoo_name, scheme.browse()))
        switch_capabilities(self.company, "sale_numbering_enabled")
        numbered = self._create_orders([(self.product_a, 1)])
        self.assertEqual(numbered.numbering_id, scheme)
        self.assertTrue(numbered.name.startswith("CAP-"), numbered.name)

    def test_pack_station_checks_refuse_validation_only_when_switched_on(self):
        self.warehouse.out_type_id.write(
            {"pack_verify_required": True, "pack_weigh_required": True}
        )
        free = self._order([(self.product_a, 1)])
        self.assertFalse(self._delivery(free).pack_verify_required)
        self._ship(free)
        self.assertEqual(free.delivery_status, "full")

        switch_capabilities(self.company, "stock_pack_check_enabled")
        checked = self._order([(self.product_a, 1)])
        delivery = self._delivery(checked)
        self.assertTrue(delivery.pack_verify_required)
        self.assertTrue(delivery.pack_weigh_required)
        with self.assertRaisesRegex(UserError, "must go through the pack station"):
            self._ship(checked)
        self.assertEqual(delivery.state, "assigned")

    def test_ready_parts_ship_separately_only_when_switched_on(self):
        self.warehouse.out_type_id.auto_split_availability = True
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 2
        )
        whole = self._order([(self.product_a, 1), (self.scarce, 2)])
        self.assertEqual(len(whole.picking_ids), 1)

        switch_capabilities(self.company, "stock_auto_split_enabled")
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 1
        )
        split = self._order([(self.product_a, 1), (self.scarce, 3)])
        self.assertEqual(len(split.picking_ids), 2)
        self.assertEqual(
            sorted(split.picking_ids.mapped("state")), ["assigned", "confirmed"]
        )

    def test_operation_type_form_says_when_its_settings_have_no_effect(self):
        out_type = self.warehouse.out_type_id
        out_type.write({"pack_verify_required": True, "auto_split_availability": True})
        self.assertFalse(out_type.stock_pack_check_enabled)
        self.assertFalse(out_type.stock_auto_split_enabled)
        arch = self.env["stock.picking.type"].get_view(
            self.env.ref("stock.view_picking_type_form").id, "form"
        )["arch"]
        self.assertIn("switch Pack-Station Checks on", arch)
        self.assertIn("switch Ship Ready Parts Separately on", arch)
        switch_capabilities(
            self.company, "stock_pack_check_enabled", "stock_auto_split_enabled"
        )
        self.assertTrue(out_type.stock_pack_check_enabled)
        self.assertTrue(out_type.stock_auto_split_enabled)

    def test_settings_switch_every_capability_on_and_off(self):
        admin = new_test_user(
            self.env,
            login="sf_capability_admin",
            groups="base.group_system,sales_team.group_sale_manager,"
            "stock.group_stock_manager,mrp.group_mrp_manager",
        )
        self._company_rules(self.company).action_archive()
        for on in (True, False):
            form = Form(self.env["res.config.settings"].with_user(admin))
            for name in CAPABILITIES:
                setattr(form, name, on)
            form.save().execute()
            self.assertEqual(
                {name: self.company[name] for name in CAPABILITIES},
                dict.fromkeys(CAPABILITIES, on),
            )
            self.assertEqual(
                set(
                    self.env["sale.review.rule"]
                    .search([("company_id", "=", self.company.id)])
                    .mapped("rule_type")
                ),
                {rule_type for rule_type, _severity in DEFAULT_RULES},
                "switching the review on activated the default rules; off leaves them",
            )


@tagged("post_install", "-at_install")
class TestCapabilityMigration(CapabilityCase):
    """Databases upgraded from 18.0.1.0.0 keep what they had switched on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.migration = load_script(file_path(MIGRATION), "sale_fulfillment_1_1_0")
        cls.busy, cls.quiet = cls.env["res.company"].create(
            [{"name": "Migration Busy Co"}, {"name": "Migration Quiet Co"}]
        )
        for company in cls.busy | cls.quiet:
            cls.env.user.company_ids += company
        cls.cron = cls.env.ref("sale_fulfillment.ir_cron_mrp_schedule")

    def _warehouse(self, company):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )

    def _prepare_version_1_0(self):
        """The state an 18.0.1.0.0 database was in: every company switch off
        (they did not exist), the busy company with active review rules, a
        numbering scheme and operation types asking for the pack station and
        automatic splits; the quiet company with only archived rules."""
        companies = self.busy | self.quiet
        companies.write({**dict.fromkeys(CAPABILITIES, False)})
        self.busy.write({"sale_notify_shipped": True, "sale_notify_delivered": True})
        self.quiet.write({"sale_notify_shipped": False, "sale_notify_delivered": True})
        rules = self.env["sale.review.rule"].create(
            [
                {"name": "Busy big", "rule_type": "amount_above", "threshold": 10},
                {"name": "Quiet big", "rule_type": "amount_above", "threshold": 10},
            ]
        )
        rules[0].company_id = self.busy
        rules[1].write({"company_id": self.quiet.id, "active": False})
        self.env["sale.order.numbering"].create(
            {"name": "Busy scheme", "prefix": "B-", "company_id": self.busy.id}
        )
        busy_types = self._warehouse(self.busy).out_type_id | self.env[
            "stock.picking.type"
        ].create(
            {
                "name": "Busy express",
                "code": "outgoing",
                "sequence_code": "EXP",
                "company_id": self.busy.id,
                "warehouse_id": self._warehouse(self.busy).id,
            }
        )
        busy_types[0].pack_weigh_required = True
        busy_types[1].auto_split_availability = True

    def _switches(self, company):
        return {name: company[name] for name in CAPABILITIES}

    def test_companies_keep_the_capabilities_they_used(self):
        self._prepare_version_1_0()
        self.cron.active = True
        self.migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            self._switches(self.busy),
            {
                "sale_review_enabled": True,
                "sale_numbering_enabled": True,
                # Allocation came after 18.0.1.1.0: no database used it.
                "sale_allocation_enabled": False,
                # Portal order changes too.
                "sale_portal_order_changes_enabled": False,
                "sale_notify_shipped": True,
                "sale_notify_delivered": True,
                "sale_payment_reminder_enabled": False,
                "sale_rating_enabled": False,
                "sale_auto_receipt_enabled": False,
                "stock_pack_check_enabled": True,
                "stock_auto_split_enabled": True,
                "mrp_auto_schedule_enabled": True,
            },
        )
        self.assertEqual(
            self._switches(self.quiet),
            {
                **dict.fromkeys(CAPABILITIES, False),
                "sale_notify_delivered": True,
                "mrp_auto_schedule_enabled": True,
            },
        )
        # The busy company's rules are its own: nothing else was activated.
        self.assertEqual(
            self.env["sale.review.rule"]
            .search([("company_id", "=", self.busy.id)])
            .mapped("name"),
            ["Busy big"],
        )

    def test_daily_scheduling_stays_off_where_its_action_was_off(self):
        self._prepare_version_1_0()
        self.cron.active = False
        self.migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertFalse(self.busy.mrp_auto_schedule_enabled)
        self.assertFalse(self.quiet.mrp_auto_schedule_enabled)

    def test_a_new_install_runs_no_migration(self):
        self._prepare_version_1_0()
        self.migration.migrate(self.env.cr, None)
        self.env.invalidate_all()
        self.assertFalse(self.busy.sale_review_enabled)
