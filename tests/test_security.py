from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .common import FulfillmentCase, switch_review_on


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    def test_reviewer_reads_every_order(self):
        reviewer = new_test_user(
            self.env,
            login="sf_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        self.assertTrue(reviewer.has_group("sales_team.group_sale_salesman_all_leads"))
        other = new_test_user(
            self.env, login="sf_other", groups="sales_team.group_sale_salesman"
        )
        partner = self.env["res.partner"].create({"name": "Someone"})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "user_id": other.id}
        )
        visible = (
            self.env["sale.order"].with_user(reviewer).search([("id", "=", order.id)])
        )
        self.assertEqual(visible, order)

    def test_aftersales_manager_implies_aftersales_user(self):
        manager = new_test_user(
            self.env,
            login="sf_as_manager",
            groups="sale_fulfillment.group_aftersales_manager",
        )
        self.assertTrue(manager.has_group("sale_fulfillment.group_aftersales_user"))
        self.assertTrue(manager.has_group("sales_team.group_sale_salesman"))
        user = new_test_user(
            self.env,
            login="sf_as_user",
            groups="sale_fulfillment.group_aftersales_user",
        )
        self.assertFalse(user.has_group("sale_fulfillment.group_aftersales_manager"))
        # Clerks handle requests on every salesperson's orders.
        self.assertTrue(user.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertFalse(user.has_group("sale_fulfillment.group_order_reviewer"))

    def test_sales_administrator_and_admin_get_every_fulfillment_right(self):
        sale_admin = new_test_user(
            self.env, login="sf_sale_admin", groups="sales_team.group_sale_manager"
        )
        admin = self.env.ref("base.user_admin")
        for user in (sale_admin, admin):
            for group in (
                "sale_fulfillment.group_order_reviewer",
                "sale_fulfillment.group_aftersales_manager",
                "sale_fulfillment.group_aftersales_user",
            ):
                self.assertTrue(user.has_group(group), f"{user.login}: {group}")

    def test_groups_belong_to_the_order_fulfillment_category(self):
        category = self.env.ref("sale_fulfillment.module_category_order_fulfillment")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        self.assertEqual(
            set(groups.get_external_id().values()),
            {
                "sale_fulfillment.group_order_reviewer",
                "sale_fulfillment.group_aftersales_user",
                "sale_fulfillment.group_aftersales_manager",
            },
        )

    def test_company_bound_models_have_access_and_company_rules(self):
        """Every model this addon defines or extends that belongs to a company is
        reachable through an access row and bounded by a multi-company rule."""
        model_xmlids = self.env["ir.model.data"].search(
            [("module", "=", "sale_fulfillment"), ("model", "=", "ir.model")]
        )
        models = self.env["ir.model"].browse(model_xmlids.mapped("res_id"))
        self.assertIn("sale.order", models.mapped("model"))
        for model in models:
            records = self.env[model.model]
            if records._transient or records._abstract:
                continue
            self.assertTrue(
                model.access_ids, f"{model.model} has no ir.model.access row"
            )
            company_field = records._fields.get("company_id")
            if not company_field or not company_field.store:
                continue
            rules = model.rule_ids.filtered(
                lambda rule: (
                    rule["global"] and "company_ids" in (rule.domain_force or "")
                )
            )
            self.assertTrue(rules, f"{model.model} has no multi-company rule")


@tagged("post_install", "-at_install")
class TestSecurityOverRpc(FulfillmentCase):
    """What users read and do through the paths a client uses (``web_read``,
    ``onchange``, public methods), as real users with real groups: a portal
    customer, salespeople, a read-only sales user, and a second company
    whose orders nobody here may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env,
            login="sf_sec_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.colleague = new_test_user(
            cls.env,
            login="sf_sec_colleague",
            groups="sales_team.group_sale_salesman",
        )
        cls.rival_company = cls.env["res.company"].create({"name": "Rival Trading Co."})
        cls.rival_customer = cls.env["res.partner"].create(
            {"name": "Secret Rival Customer", "email": "rival@example.com"}
        )
        cls.rival_order = (
            cls.env["sale.order"]
            .with_company(cls.rival_company)
            .create(
                {
                    "partner_id": cls.rival_customer.id,
                    "company_id": cls.rival_company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product_b.id, "product_uom_qty": 7}
                        )
                    ],
                }
            )
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Another Customer", "email": "another@example.com"}
        )

    def _confirmed_order(self, partner=None, lines=None):
        order = self._create_orders(lines or [(self.product_a, 2)])
        if partner:
            order.partner_id = partner
        self._confirm(order)
        return order

    # Milestone emails: the order they are about

    def test_a_forged_context_does_not_name_another_order_on_a_delivery(self):
        order = self._confirmed_order()
        picking = order.picking_ids
        forged = {"sale_fulfillment_order_id": self.rival_order.id}
        spec = {"milestone_order_id": {"fields": {"display_name": {}}}}
        for user in (self.portal, self.stock_user):
            as_user = picking.with_user(user).with_context(**forged)
            [values] = as_user.web_read(spec)
            self.assertEqual(
                values["milestone_order_id"],
                {"id": order.id, "display_name": order.name},
            )
            [values] = as_user.read(["milestone_order_id"])
            self.assertEqual(values["milestone_order_id"], (order.id, order.name))

    def test_a_forged_context_does_not_make_an_email_name_another_order(self):
        self.company.write(
            {"sale_notify_shipped": True, "stock_move_email_validation": False}
        )
        order = self._confirmed_order()
        picking = order.picking_ids.with_user(self.stock_user).with_context(
            sale_fulfillment_order_id=self.rival_order.id
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        message = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("subject", "ilike", "has shipped"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn(order.name, message.subject)
        for secret in (self.rival_order.name, self.rival_customer.name):
            self.assertNotIn(secret, message.subject)
            self.assertNotIn(secret, str(message.body))
        self.assertEqual(message.partner_ids, self.customer)

    # Previews (onchange) of wizards

    def _simulation_spec(self):
        return {
            "order_ids": {},
            "held_count": {},
            "line_ids": {
                "fields": {
                    "partner_id": {"fields": {"display_name": {}}},
                    "amount_total": {},
                    "messages": {},
                }
            },
        }

    def test_review_simulation_preview_shows_only_readable_orders(self):
        order = self._create_orders([(self.product_a, 2)])
        Simulation = self.env["sale.review.simulation"]
        values = {"order_ids": [Command.set(order.ids)]}
        # The salesperson of the order previews it.
        result = Simulation.with_user(self.salesman).onchange(
            values, ["order_ids"], self._simulation_spec()
        )
        [(_command, _id, line)] = [
            command
            for command in result["value"]["line_ids"]
            if command[0] == Command.CREATE
        ]
        self.assertEqual(line["partner_id"]["id"], self.customer.id)
        # A colleague limited to their own orders, a portal user and a
        # salesperson of another company do not, whatever order they name.
        for user, orders in (
            (self.colleague, order),
            (self.portal, order),
            (self.portal, self.rival_order),
            (self.salesman, self.rival_order),
        ):
            with self.assertRaises(AccessError, msg=user.login):
                Simulation.with_user(user).onchange(
                    {"order_ids": [Command.set(orders.ids)]},
                    ["order_ids"],
                    self._simulation_spec(),
                )
        spec = {
            "order_id": {},
            "partner_id": {"fields": {"display_name": {}}},
            "amount_total": {},
        }
        for user in (self.colleague, self.portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["sale.review.simulation.line"].with_user(user).onchange(
                    {"order_id": self.rival_order.id}, ["order_id"], spec
                )

    def test_split_preview_shows_only_readable_deliveries(self):
        order = self._confirmed_order(self.other_customer, [(self.product_b, 3)])
        picking = order.picking_ids
        spec = {
            "picking_id": {},
            "preview": {},
            "line_ids": {
                "fields": {
                    "product_id": {"fields": {"display_name": {}}},
                    "demand": {},
                    "reserved": {},
                }
            },
        }
        line_spec = {
            "move_id": {},
            "product_id": {"fields": {"display_name": {}}},
            "demand": {},
            "reserved": {},
        }
        # A customer of another order reads none of its goods, line by line
        # or from the delivery.
        with self.assertRaises(AccessError):
            self.env["stock.picking.split.wizard.line"].with_user(self.portal).onchange(
                {"move_id": picking.move_ids.id}, ["move_id"], line_spec
            )
        Wizard = self.env["stock.picking.split.wizard"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.portal).onchange(
                {"picking_id": picking.id}, ["picking_id"], spec
            )
        result = Wizard.with_user(self.stock_user).onchange(
            {"picking_id": picking.id}, ["picking_id"], spec
        )
        self.assertIn(self.product_b.name, result["value"]["preview"])

    def test_aftersales_wizard_shows_only_readable_orders(self):
        clerk = new_test_user(
            self.env,
            login="sf_sec_clerk",
            groups="sale_fulfillment.group_aftersales_user",
        )
        own = self._confirmed_order()
        self.rival_order.action_confirm()
        wizard_spec = {
            "order_id": {},
            "rma_type": {},
            "line_ids": {
                "fields": {
                    "product_id": {"fields": {"display_name": {}}},
                    "qty_available": {},
                }
            },
        }
        Wizard = self.env["sale.rma.wizard"]
        result = Wizard.with_user(clerk).onchange(
            {"order_id": own.id}, ["order_id"], wizard_spec
        )
        self.assertEqual(result["value"]["rma_type"], "cancel")
        for user, order in ((clerk, self.rival_order), (self.portal, own)):
            with self.assertRaises(AccessError, msg=user.login):
                Wizard.with_user(user).onchange(
                    {"order_id": order.id}, ["order_id"], wizard_spec
                )
        line = self.rival_order.order_line
        spec = {
            "sale_line_id": {},
            "product_id": {"fields": {"display_name": {}}},
            "product_uom": {"fields": {"display_name": {}}},
        }
        for user in (self.portal, self.salesman):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["sale.rma.wizard.line"].with_user(user).onchange(
                    {"sale_line_id": line.id}, ["sale_line_id"], spec
                )

    # Digest

    def test_sending_a_digest_needs_the_right_to_change_it(self):
        reader = new_test_user(
            self.env,
            login="sf_sec_digest_reader",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        digest = self.env["sale.fulfillment.digest"].create(
            {
                "name": "Weekly orders",
                "partner_ids": [Command.set(self.customer.ids)],
            }
        )
        digest.with_user(reader).check_access("read")
        mails_before = self.env["mail.mail"].search_count([])
        with self.assertRaises(AccessError):
            digest.with_user(reader).action_send_now()
        self.assertFalse(digest.last_sent_on)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    # Internal review fields and blacklist

    def test_customer_never_reads_the_review_of_their_order(self):
        reviewer = new_test_user(
            self.env,
            login="sf_sec_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {"name": "Big orders", "rule_type": "amount_above", "threshold": 10}
        )
        order = self._create_orders([(self.product_b, 3)])
        self._confirm(order)
        order.with_user(reviewer).action_review_reject("INTERNAL: suspected fraud")
        order.message_subscribe(partner_ids=self.customer.ids)
        internal = ["review_reject_reason", "reviewed_by_id", "review_requested_by_id"]
        as_customer = order.with_user(self.portal)
        for field in internal:
            with self.assertRaises(AccessError, msg=field):
                as_customer.read([field])
            with self.assertRaises(AccessError, msg=field):
                as_customer.web_read({field: {}})
        self.assertFalse(set(internal) & as_customer.fields_get().keys())
        # The salesperson and the reviewer still read them.
        for user in (self.salesman, reviewer):
            [values] = order.with_user(user).read(internal)
            self.assertEqual(
                values["review_reject_reason"], "INTERNAL: suspected fraud"
            )
            self.assertEqual(values["reviewed_by_id"][0], reviewer.id)
            self.assertEqual(values["review_requested_by_id"][0], self.salesman.id)
        form = Form(order.with_user(self.salesman))
        self.assertEqual(form.review_reject_reason, "INTERNAL: suspected fraud")

    def test_customer_never_reads_the_exceptions_of_their_order(self):
        """Shortage, late, duplicate, reminders: the staff's view of the order."""
        order = self._create_orders([(self.product_b, 3)])
        self._confirm(order)
        order.message_subscribe(partner_ids=self.customer.ids)
        internal = [
            "has_stock_shortage",
            "has_payment_failed",
            "has_incomplete_address",
            "is_late",
            "is_duplicate",
            "exception_summary",
            "payment_reminder_count",
            "payment_reminder_sent_on",
        ]
        as_customer = order.with_user(self.portal)
        as_customer.check_access("read")
        for field in internal:
            with self.assertRaises(AccessError, msg=field):
                as_customer.read([field])
        self.assertFalse(set(internal) & as_customer.fields_get().keys())
        # The order's portal page, which shows the customer the order's
        # progress, still opens.
        self.assertTrue(as_customer._get_portal_timeline()[order])
        [values] = order.with_user(self.salesman).read(internal)
        self.assertEqual(values["payment_reminder_count"], 0)

    def test_customer_never_reads_who_overrode_the_pack_station_and_why(self):
        order = self._confirmed_order()
        picking = order.picking_ids
        manager = new_test_user(
            self.env, login="sf_sec_stock_manager", groups="stock.group_stock_manager"
        )
        picking.with_user(manager)._pack_write(
            {
                "pack_override_by_id": manager.id,
                "pack_override_reason": "INTERNAL: scale broken, ship anyway",
                "verified_by_id": manager.id,
            }
        )
        as_customer = picking.with_user(self.portal)
        as_customer.check_access("read")
        internal = ["pack_override_reason", "pack_override_by_id", "verified_by_id"]
        for field in internal:
            with self.assertRaises(AccessError, msg=field):
                as_customer.read([field])
        self.assertFalse(set(internal) & as_customer.fields_get().keys())
        [values] = picking.with_user(self.stock_user).read(internal)
        self.assertEqual(
            values["pack_override_reason"], "INTERNAL: scale broken, ship anyway"
        )
        Form(picking.with_user(self.stock_user))

    def test_customer_never_reads_their_blacklisting(self):
        self.customer.write(
            {"sale_blacklisted": True, "sale_blacklist_reason": "Chargebacks"}
        )
        partner = self.customer.with_user(self.portal)
        partner.check_access("read")
        for field in ("sale_blacklisted", "sale_blacklist_reason"):
            with self.assertRaises(AccessError, msg=field):
                partner.read([field])
        self.assertFalse(
            {"sale_blacklisted", "sale_blacklist_reason"} & partner.fields_get().keys()
        )
        [values] = self.customer.with_user(self.salesman).read(
            ["sale_blacklisted", "sale_blacklist_reason"]
        )
        self.assertEqual(values["sale_blacklist_reason"], "Chargebacks")
        # The contact form still opens for other employees.
        Form(self.other_customer.with_user(self.stock_user))

    # Context keys a client could send

    def test_a_client_context_does_not_hide_the_note_of_a_changed_done_line(self):
        order = self._confirmed_order()
        picking = self._ship(order)
        notes = len(picking.message_ids)
        picking.move_line_ids.with_user(self.stock_user).with_context(
            sale_fulfillment_split=True
        ).write({"quantity": 1})
        self.assertEqual(len(picking.message_ids), notes + 1)

    def test_a_client_context_does_not_choose_where_returns_go(self):
        order = self._confirmed_order()
        picking = self._ship(order)
        scrap = self.env["stock.location"].search(
            [("scrap_location", "=", True), ("company_id", "in", [self.company.id])],
            limit=1,
        )
        self.assertTrue(scrap)
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.stock_user)
            .with_context(sale_rma_location_dest_id=scrap.id)
            .create({"picking_id": picking.id})
        )
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        self.assertNotEqual(returned.location_dest_id, scrap)
        self.assertEqual(returned.location_dest_id, picking.location_id)
