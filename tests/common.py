import base64
import csv
import io
from contextlib import closing, contextmanager
from datetime import datetime

import openpyxl

from odoo import SUPERUSER_ID, Command, api, http
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user

# The company switches of the capabilities that change what Odoo does
# (ARCHITECTURE.md, principle 6): off in a new company; each test switches on
# the ones it exercises.
CAPABILITIES = (
    "sale_review_enabled",
    "sale_numbering_enabled",
    "sale_allocation_enabled",
    "sale_portal_order_changes_enabled",
    "sale_notify_shipped",
    "sale_notify_delivered",
    "sale_payment_reminder_enabled",
    "sale_rating_enabled",
    "sale_auto_receipt_enabled",
    "stock_pack_check_enabled",
    "stock_auto_split_enabled",
    "mrp_auto_schedule_enabled",
)


def switch_capabilities(company, *capabilities, on=True):
    """Switch ``capabilities`` (every one by default) on, or off with
    ``on=False``, for ``company``, as an administrator does in Settings.
    Switching the order review on activates the company's default rules
    when it has no active one."""
    company.write(dict.fromkeys(capabilities or CAPABILITIES, on))


def switch_review_on(company):
    """Switch the order review on for ``company`` with none of its rules
    active: each test creates the rules it checks."""
    switch_capabilities(company, "sale_review_enabled")
    company.env["sale.review.rule"].search(
        [("company_id", "=", company.id)]
    ).action_archive()


def load_chinese(env, langs=("zh_CN",), modules=("sale_fulfillment",)):
    """Activate Simplified Chinese (or ``langs``) with the terms (views,
    reports, fields) of the addon (or of ``modules``), as installing the
    language would."""
    for lang in langs:
        env["res.lang"]._activate_lang(lang)
    env["ir.module.module"].search(
        [("name", "in", list(modules))]
    )._update_translations(list(langs))


def read_as(user, records):
    """``records`` as ``user`` reads them in the web client: in their language
    and time zone."""
    return records.with_user(user).with_context(**user.with_user(user).context_get())


def create_barcoded_products(env, rows, stock=0):
    """Storable products from ``rows`` [(name, barcode, weight)], each with
    ``stock`` units in the main warehouse."""
    products = env["product.product"].create(
        [
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "barcode": barcode,
                "weight": weight,
            }
            for name, barcode, weight in rows
        ]
    )
    if stock:
        location = (
            env["stock.warehouse"]
            .search([("company_id", "=", env.company.id)], limit=1)
            .lot_stock_id
        )
        for product in products:
            env["stock.quant"]._update_available_quantity(product, location, stock)
    return products


def create_delivery(env, lines, picking_type=None, partner=None, origin=False):
    """A confirmed and reserved delivery of ``lines`` [(product, quantity)]
    from the main warehouse's stock (or ``picking_type``'s source)."""
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    picking_type = picking_type or warehouse.out_type_id
    source = picking_type.default_location_src_id or warehouse.lot_stock_id
    customers = env.ref("stock.stock_location_customers")
    picking = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "partner_id": partner and partner.id,
            "origin": origin,
            "location_id": source.id,
            "location_dest_id": customers.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "location_id": source.id,
                        "location_dest_id": customers.id,
                    }
                )
                for product, quantity in lines
            ],
        }
    )
    picking.action_confirm()
    picking.action_assign()
    return picking


class ConcurrencyCase(TransactionCase):
    """Two users acting at once, each in their own transaction, as two browser
    requests would. A transaction only sees committed rows: fixtures are
    committed in a transaction of their own and removed again afterwards."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _commit_capabilities(self, *capabilities, off=()):
        """Switch ``capabilities`` on, and ``off`` off, for the main company in
        a committed transaction; after the test the switches, and the review
        rules they activated, are back as they were."""
        with self._transaction() as env:
            company = env.company
            before = {name: company[name] for name in (*capabilities, *off)}
            rules = env["sale.review.rule"].search([("company_id", "=", company.id)])
            switch_capabilities(company, *capabilities)
            if off:
                switch_capabilities(company, *off, on=False)
            activated = (
                env["sale.review.rule"].search([("company_id", "=", company.id)])
                - rules
            )
            env.cr.commit()

        def restore():
            with self._transaction() as env:
                env.company.write(before)
                env["sale.review.rule"].browse(activated.ids).exists().action_archive()
                env.cr.commit()

        self.addCleanup(restore)

    @contextmanager
    def _transaction(self):
        """A superuser environment in a transaction of its own."""
        with closing(self.registry.cursor()) as cr:
            yield self._env(cr)

    @contextmanager
    def _two_transactions(self):
        """Two superuser environments in transactions of their own. Without our
        lock one would wait for the other's rows: it gives up after 3 seconds
        instead of hanging the test."""
        with (
            closing(self.registry.cursor()) as first_cr,
            closing(self.registry.cursor()) as second_cr,
        ):
            first_cr.execute("SET lock_timeout = '3s'")
            second_cr.execute("SET lock_timeout = '3s'")
            yield self._env(first_cr), self._env(second_cr)


class FulfillmentCase(TransactionCase):
    """Real users, storable and made-to-order products with stock, and helpers
    that drive orders through Odoo's own confirm, deliver, produce, invoice and
    payment paths."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # As in a new database, whatever the demo data switched on: every
        # capability off and no review or allocation rule active. Tests switch
        # on the capabilities they exercise and create the rules they check.
        switch_capabilities(cls.company, on=False)
        cls.env["sale.review.rule"].search([]).action_archive()
        cls.env["sale.allocation.rule"].search([]).action_archive()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.salesman = new_test_user(
            cls.env,
            login="sf_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.stock_user = new_test_user(
            cls.env,
            login="sf_stock_user",
            groups="stock.group_stock_user",
        )
        cls.mrp_user = new_test_user(
            cls.env,
            login="sf_mrp_user",
            groups="mrp.group_mrp_user,stock.group_stock_user",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="sf_accountant",
            groups="account.group_account_invoice,sales_team.group_sale_salesman_all_leads",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Fulfillment Test Customer",
                "street": "1 Test Street",
                "city": "Hangzhou",
                "zip": "310000",
                "country_id": cls.env.ref("base.cn").id,
                "email": "customer@example.com",
            }
        )
        cls.product_a, cls.product_b, cls.component = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                    "weight": 0.5,
                    "invoice_policy": "order",
                }
                for name, price in (
                    ("Fulfillment Cup", 10.0),
                    ("Fulfillment Tray", 40.0),
                    ("Fulfillment Component", 2.0),
                )
            ]
        )
        cls.service = cls.env["product.product"].create(
            {
                "name": "Fulfillment Setup Service",
                "type": "service",
                "list_price": 100.0,
                "invoice_policy": "order",
            }
        )
        mto_route = cls.env.ref("stock.route_warehouse0_mto")
        mto_route.action_unarchive()
        cls.mto_product = cls.env["product.product"].create(
            {
                "name": "Fulfillment Gift Set",
                "type": "consu",
                "is_storable": True,
                "list_price": 90.0,
                "invoice_policy": "order",
                "route_ids": [
                    Command.set(
                        [
                            mto_route.id,
                            cls.env.ref("mrp.route_warehouse0_manufacture").id,
                        ]
                    )
                ],
            }
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.mto_product.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.component.id, "product_qty": 2})
                ],
            }
        )
        for product in (cls.product_a, cls.product_b, cls.component):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock_location, 1000
            )

    @classmethod
    def _create_orders(cls, lines, count=1, user=None):
        """Create ``count`` quotations, each with ``lines`` as (product, qty)."""
        user = user or cls.salesman
        return (
            cls.env["sale.order"]
            .with_user(user)
            .create(
                [
                    {
                        "partner_id": cls.customer.id,
                        "user_id": user.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": qty}
                            )
                            for product, qty in lines
                        ],
                    }
                    for _i in range(count)
                ]
            )
            .with_env(cls.env)
        )

    def _confirm(self, orders):
        orders.with_user(self.salesman).action_confirm()

    def _ship(self, order, quantities=None, backorder=True, picking=None):
        """Validate the order's open deliveries (or only ``picking``) as the
        warehouse user.

        ``quantities`` maps product to the quantity shipped now (all by default);
        a partial shipment goes through Odoo's backorder wizard.
        """
        picking = (
            picking
            or order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        ).with_user(self.stock_user)
        for move in picking.move_ids:
            qty = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.quantity = qty
            move.picked = True
        action = picking.button_validate()
        if action is not True:
            wizard = Form.from_action(self.env(user=self.stock_user), action).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        return picking

    def _produce(self, productions):
        """Produce the whole quantity of confirmed manufacturing orders."""
        for production in productions.with_user(self.mrp_user):
            form = Form(production)
            form.qty_producing = production.product_qty
            form.save()
            production.move_raw_ids.picked = True
            production.button_mark_done()

    def _invoice(self, orders):
        """Invoice the orders through the "Create Invoice" wizard and post."""
        wizard_model = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.accountant)
            .with_context(active_model="sale.order", active_ids=orders.ids)
        )
        Form(wizard_model).save().create_invoices()
        invoices = orders.invoice_ids.filtered(lambda move: move.state == "draft")
        invoices.with_user(self.accountant).action_post()
        return invoices

    def _pay(self, invoices):
        """Register the full payment of posted invoices."""
        action = invoices.with_user(self.accountant).action_register_payment()
        wizard = Form.from_action(self.env(user=self.accountant), action).save()
        wizard.action_create_payments()


class ShipmentCase(FulfillmentCase):
    """Orders with a carrier and a delivery ready to split, and helpers reading
    what the warehouse would see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Jade Express",
                "product_id": cls.env["product.product"]
                .create({"name": "Jade Express Fee", "type": "service"})
                .id,
            }
        )
        cls.scarce = cls.env["product.product"].create(
            {
                "name": "Fulfillment Scarce Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 70.0,
                "invoice_policy": "order",
            }
        )

    def _order(self, lines, carrier=True, partner=None, policy="direct"):
        order = self._create_orders(lines)
        order.write(
            {
                "carrier_id": carrier and self.carrier.id,
                "picking_policy": policy,
                **({"partner_id": partner.id} if partner else {}),
            }
        )
        self._confirm(order)
        return order

    def _delivery(self, order):
        return order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).sorted("id")[:1]

    def _move(self, picking, product):
        return picking.move_ids.filtered(lambda move: move.product_id == product)

    def _reserved_on_quants(self, product):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", self.stock_location.id),
            ]
        )
        return sum(quants.mapped("reserved_quantity"))

    def _reserved_on_lines(self, product):
        lines = self.env["stock.move.line"].search(
            [("product_id", "=", product.id), ("state", "not in", ("done", "cancel"))]
        )
        return sum(lines.mapped("quantity_product_uom"))


class ReviewCase(FulfillmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_review_on(cls.company)
        cls.plain = cls.env["product.product"].create(
            {
                "name": "Review Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.plain, cls.stock_location, 1000
        )
        cls.customer.write({"phone": "+86 571 8888 0000", "zip": "310000"})

    @classmethod
    def _rule(cls, rule_type, **vals):
        return cls.env["sale.review.rule"].create(
            {"name": rule_type, "rule_type": rule_type, **vals}
        )

    def _order(self, qty=1, product=None, **vals):
        order = self._create_orders([(product or self.plain, qty)])
        if vals:
            order.write(vals)
        return order

    def _messages(self, order):
        """The messages the active rules raise on ``order`` (dry run)."""
        return [vals["message"] for vals in order._review_evaluate().get(order, [])]


class AftersalesCase(FulfillmentCase):
    """Delivered and invoiced orders, and an after-sales clerk who opens
    requests from the order through the wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env,
            login="sf_aftersales",
            groups="sale_fulfillment.group_aftersales_user,stock.group_stock_user",
        )
        cls.as_manager = new_test_user(
            cls.env,
            login="sf_aftersales_manager",
            groups="sale_fulfillment.group_aftersales_manager",
        )
        cls.returns_location = cls.env["stock.location"].create(
            {
                "name": "Returns",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.company.write(
            {
                "rma_return_location_id": cls.returns_location.id,
                "rma_refund_timing": "on_receipt",
                "rma_exchange_policy": "after_return",
                "rma_manager_approval_amount": 0.0,
            }
        )
        cls.reason = cls.env.ref("sale_fulfillment.sale_rma_reason_defective")

    def _delivered_order(self, lines=None, invoice=True):
        """A confirmed order, fully shipped, invoiced and posted."""
        order = self._create_orders(lines or [(self.product_a, 5), (self.product_b, 2)])
        self._confirm(order)
        self._ship(order)
        if invoice:
            self._invoice(order)
        return order

    def _request(self, order, rma_type, quantities=None, confirm=True, **values):
        """Open the wizard on ``order`` as the clerk, choose ``rma_type`` and the
        quantities per product (the pre-filled ones when not given; products left
        out get zero), and create (and confirm) the request."""
        action = order.with_user(self.clerk).action_open_rma_wizard()
        with Form.from_action(self.env(user=self.clerk), action) as wizard:
            wizard.rma_type = rma_type
            for name, value in values.items():
                setattr(wizard, name, value)
            for index in range(len(wizard.line_ids)):
                with wizard.line_ids.edit(index) as line:
                    if quantities is not None:
                        line.quantity = quantities.get(line.product_id, 0.0)
        method = "action_create_and_confirm" if confirm else "action_create"
        result = getattr(wizard.record, method)()
        return self.env["sale.rma"].browse(result["res_id"])

    def _rma_count(self, order):
        return self.env["sale.rma"].search_count([("order_id", "=", order.id)])

    def _line(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)

    def _receive(self, rma):
        pickings = rma.return_picking_ids.filtered(lambda p: p.state != "done")
        for picking in pickings.with_user(self.stock_user):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.button_validate()

    def _post(self, moves):
        moves.filtered(lambda move: move.state == "draft").with_user(
            self.accountant
        ).action_post()

    def _stock_at(self, product, location):
        return sum(
            self.env["stock.quant"]
            .search(
                [("product_id", "=", product.id), ("location_id", "=", location.id)]
            )
            .mapped("quantity")
        )


class KpiCase(AftersalesCase):
    """Hand-computed orders of March 2026 in the main company, one order of the
    same customer in another company, and orders outside the period.

    =====  ========  ======  ==========  =========  ===========  =============
    order  customer  amount  date        due        shipped      other
    =====  ========  ======  ==========  =========  ===========  =============
    o1     c1        100     03-02 10h   03-05      03-03 10h    paid
    o2     c1        120     03-10 10h   03-11      03-13 10h    late
    o3     c2        200     03-20 10h   03-25      no           paid, late
    o4     c3         40     03-25 12h   (= date)   03-25 12h    returned
    =====  ========  ======  ==========  =========  ===========  =============

    c3 ordered in January and February (previous period: one order of 20); c1's
    order of February is in the other company.

    Channels: o1 and o2 came by phone, o3 from the web shop, o4 has none.
    Satisfaction (``_survey_march``): o1, o2 and o3 were asked to rate; o1 got
    5 from c1 and 3 from a colleague (average 4), o2 no answer, o3 got 1; o4
    was not asked.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cn, us = cls.env.ref("base.cn"), cls.env.ref("base.us")
        cls.zhejiang = cls.env.ref("base.state_cn_ZJ")
        cls.california = cls.env.ref("base.state_us_5")
        cls.c1, cls.c2, cls.c3 = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "email": f"{login}@example.com",
                    "street": "1 KPI Road",
                    "city": "City",
                    "zip": "310000",
                    "country_id": country.id,
                    "state_id": state.id,
                }
                for name, login, country, state in (
                    ("KPI Customer One", "kpi1", cn, cls.zhejiang),
                    ("KPI Customer Two", "kpi2", us, cls.california),
                    ("KPI Customer Three", "kpi3", cn, cls.zhejiang),
                )
            ]
        )
        cls.company_b = cls.env["res.company"].create(
            {"name": "KPI Company B", "currency_id": cls.company.currency_id.id}
        )
        cls.manager = new_test_user(
            cls.env,
            login="sf_kpi_manager",
            groups="sales_team.group_sale_manager",
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        cls.phone, cls.web = cls.env["utm.medium"].create(
            [{"name": "KPI Phone"}, {"name": "KPI Web Shop"}]
        )
        cls.digest = cls.env["sale.fulfillment.digest"].create(
            {
                "name": "KPI Digest",
                "tz": "UTC",
                "user_ids": [Command.link(cls.manager.id)],
            }
        )

    @classmethod
    def _dated_order(cls, partner, lines, when, commitment=None, company=None):
        env = cls.env(
            context=dict(
                cls.env.context, allowed_company_ids=[(company or cls.company).id]
            )
        )
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": (company or cls.company).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "tax_id": [Command.clear()],
                        }
                    )
                    for product, qty in lines
                ],
            }
        )
        order.action_confirm()
        order.write({"date_order": when, "commitment_date": commitment})
        return order.with_env(cls.env)

    def _held_order(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {
                "name": "Big orders",
                "rule_type": "amount_above",
                "threshold": 50.0,
                "severity": "block",
            }
        )
        order = self._create_orders([(self.product_b, 5)])
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
        return order

    def _ship_on(self, order, when):
        self._ship(order)
        order.order_line.move_ids.filtered(lambda move: move.state == "done").write(
            {"date": when}
        )

    def _march(self):
        a, b = self.product_a, self.product_b
        c1, c2, c3 = self.c1, self.c2, self.c3
        self._dated_order(c3, [(a, 1)], datetime(2026, 1, 15, 9))
        self._dated_order(c3, [(a, 2)], datetime(2026, 2, 10, 9))
        self._dated_order(c1, [(a, 1)], datetime(2026, 2, 1, 9), company=self.company_b)
        o1 = self._dated_order(
            c1, [(a, 10)], datetime(2026, 3, 2, 10), datetime(2026, 3, 5)
        )
        o2 = self._dated_order(
            c1, [(b, 3)], datetime(2026, 3, 10, 10), datetime(2026, 3, 11)
        )
        o3 = self._dated_order(
            c2, [(b, 5)], datetime(2026, 3, 20, 10), datetime(2026, 3, 25)
        )
        o4 = self._dated_order(c3, [(b, 1)], datetime(2026, 3, 25, 12))
        (o1 | o2).medium_id = self.phone
        o3.medium_id = self.web
        self._ship_on(o1, datetime(2026, 3, 3, 10))
        self._ship_on(o2, datetime(2026, 3, 13, 10))
        self._ship_on(o4, datetime(2026, 3, 25, 12))
        self._pay(self._invoice(o1 | o3))
        self._invoice(o4)
        self._request(o4, "return_refund", reason_id=self.reason)
        # Not counted: a quotation, a cancelled order, an order of April, and a
        # quotation held for review (counted apart).
        self._create_orders([(a, 1)]).date_order = datetime(2026, 3, 6)
        cancelled = self._dated_order(c2, [(a, 1)], datetime(2026, 3, 7))
        cancelled._action_cancel()
        self._dated_order(c2, [(a, 1)], datetime(2026, 4, 2))
        held = self._create_orders([(a, 1)])
        held.write({"date_order": datetime(2026, 3, 8), "review_state": "to_review"})
        return o1, o2, o3, o4

    def _survey_march(self, o1, o2, o3, o4):
        """Ask o1, o2 and o3 to rate; o1 gets 5 and 3, o3 gets 1."""
        (o1 | o2 | o3)._send_rating_request()
        colleague = self.env["res.partner"].create(
            {"name": "KPI Colleague", "email": "kpi-colleague@example.com"}
        )
        for order, value, partner in (
            (o1, 5, None),
            (o1, 3, colleague),
            (o3, 1, None),
        ):
            order.rating_apply(
                value, token=order._rating_get_access_token(partner=partner)
            )


def portal_user(env, login, partner):
    """A real portal user who is ``partner``."""
    return new_test_user(
        env,
        login=login,
        groups="base.group_portal",
        partner_id=partner.id,
        name=partner.name,
        email=partner.email,
    )


def tracked_carrier(env, name):
    """A carrier whose tracking references link to its tracking page."""
    return env["delivery.carrier"].create(
        {
            "name": name,
            "delivery_type": "fixed",
            "tracking_url": "https://track.example.com/?ref=<shipmenttrackingnumber>",
            "product_id": env["product.product"]
            .create({"name": f"{name} Fee", "type": "service"})
            .id,
        }
    )


class PortalCase(FulfillmentCase, HttpCase):
    """Customers with real portal users, orders shipped with a carrier in
    parcels, and an after-sales handler for the requests filed on the
    portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.handler = new_test_user(
            cls.env,
            login="sf_portal_handler",
            groups="sale_fulfillment.group_aftersales_user,stock.group_stock_user",
        )
        cls.company.rma_portal_user_id = cls.handler
        cls.portal_user = portal_user(cls.env, "sf_portal_customer", cls.customer)
        cls.other_customer = cls.env["res.partner"].create(
            {
                "name": "Other Portal Customer",
                "street": "2 Other Street",
                "city": "Suzhou",
                "zip": "215000",
                "country_id": cls.env.ref("base.cn").id,
                "email": "other@example.com",
            }
        )
        cls.other_portal_user = portal_user(
            cls.env, "sf_portal_other", cls.other_customer
        )
        cls.carrier = tracked_carrier(cls.env, "Jade Express")
        cls.reason = cls.env.ref("sale_fulfillment.sale_rma_reason_defective")

    def _order(self, lines=None, partner=None):
        """A confirmed order of the customer (or ``partner``), shipped by the
        carrier."""
        order = self._create_orders(lines or [(self.product_a, 5), (self.product_b, 2)])
        order.write(
            {
                "partner_id": (partner or self.customer).id,
                "carrier_id": self.carrier.id,
            }
        )
        self._confirm(order)
        return order

    def _ship_in_parcels(self, order, tracking_ref="JX0001", packages=True):
        """Ship the order's open delivery, each product in its own package
        (or unpacked), with a tracking reference."""
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).with_user(self.stock_user)
        for index, move_line in enumerate(picking.move_line_ids):
            if packages:
                move_line.result_package_id = self.env["stock.quant.package"].create(
                    {"name": f"{order.name}-PARCEL-{index + 1}"}
                )
        picking.move_ids.picked = True
        picking.button_validate()
        picking.sudo().carrier_tracking_ref = tracking_ref
        return picking

    def _delivered_order(self, partner=None):
        """An order shipped in two parcels with a tracking reference and
        confirmed delivered."""
        order = self._order(partner=partner)
        picking = self._ship_in_parcels(order)
        picking._action_mark_delivered()
        return order

    def _portal_login(self, user=None):
        user = user or self.portal_user
        self.authenticate(user.login, user.login)

    def _csrf(self):
        return http.Request.csrf_token(self)

    def _assert_page(self, page, has=(), lacks=()):
        """``page`` holds every text of ``has`` and none of ``lacks``."""
        missing = [text for text in has if text not in page.text]
        self.assertFalse(missing, f"{page.url} lacks {missing}")
        found = [text for text in lacks if text in page.text]
        self.assertFalse(found, f"{page.url} shows {found}")

    def _timeline(self, order):
        return {step["code"]: step for step in order._get_portal_timeline()[order]}


class AllocationCase(FulfillmentCase):
    """Order allocation switched on, with a second warehouse (Beijing), goods
    stocked in neither, and helpers to create rules and orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.company, "sale_allocation_enabled")
        cls.env["sale.allocation.rule"].search([]).action_archive()
        cls.manager = new_test_user(
            cls.env,
            login="sf_allocation_manager",
            groups="sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.beijing_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Test Beijing Warehouse", "code": "TBJW"}
        )
        cls.hangzhou_warehouse = cls.warehouse
        cls.china = cls.env.ref("base.cn")
        cls.zhejiang = cls.env.ref("base.state_cn_ZJ")
        cls.beijing = cls.env.ref("base.state_cn_BJ")
        cls.customer.state_id = cls.zhejiang
        cls.cup, cls.pot, cls.tray = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10.0,
                    "weight": weight,
                    "invoice_policy": "order",
                }
                for name, weight in (
                    ("Allocation Cup", 0.3),
                    ("Allocation Pot", 1.0),
                    ("Allocation Tray", 0.5),
                )
            ]
        )

    @classmethod
    def _stock(cls, warehouse, product, qty):
        cls.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, qty
        )

    @classmethod
    def _warehouse_rule(cls, warehouses, split_policy="never", **vals):
        return (
            cls.env["sale.allocation.rule"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Nearest with stock",
                    "rule_type": "warehouse",
                    "split_policy": split_policy,
                    "warehouse_ids": [
                        Command.create({"sequence": index, "warehouse_id": wh.id})
                        for index, wh in enumerate(warehouses)
                    ],
                    **vals,
                }
            )
        )

    @classmethod
    def _order(cls, lines, partner=None, **vals):
        return (
            cls.env["sale.order"]
            .with_user(cls.salesman)
            .create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "user_id": cls.salesman.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in lines
                    ],
                    **vals,
                }
            )
            .with_env(cls.env)
        )

    @staticmethod
    def _delivery_warehouses(order):
        """{warehouse: {product: qty}} of the order's open deliveries."""
        result = {}
        for picking in order.picking_ids.filtered(lambda p: p.state != "cancel"):
            quantities = result.setdefault(picking.picking_type_id.warehouse_id, {})
            for move in picking.move_ids:
                quantities[move.product_id] = (
                    quantities.get(move.product_id, 0) + move.product_uom_qty
                )
        return result


class IntakeCase(FulfillmentCase):
    """A marketplace channel, products found by internal reference, barcode
    and platform SKU (a combo among them), and a builder of platform orders
    as connectors and import files send them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel = cls.env["utm.medium"].create({"name": "Intake Test Mall"})
        cls.other_channel = cls.env["utm.medium"].create({"name": "Intake Test Shop"})
        cls.product_a.default_code = "SF-CUP"
        cls.product_b.barcode = "6901234567892"
        cls.env["sale.channel.product"].create(
            [
                {
                    "medium_id": cls.channel.id,
                    "channel_sku": "GIFT-BOX",
                    "product_id": cls.product_a.id,
                    "quantity": 2,
                },
                {
                    "medium_id": cls.channel.id,
                    "channel_sku": "GIFT-BOX",
                    "product_id": cls.product_b.id,
                    "quantity": 1,
                },
                {
                    "medium_id": cls.channel.id,
                    "channel_sku": "CUP-6",
                    "product_id": cls.product_a.id,
                    "quantity": 6,
                },
            ]
        )
        cls.zhejiang = cls.env.ref("base.state_cn_ZJ")

    @classmethod
    def _platform_order(cls, ref, lines=None, **values):
        """A platform order as ``channel_intake`` takes it: ``ref`` with one
        line of two SF-CUP at 9.5 unless ``lines`` [(sku, qty, price)]."""
        return {
            "channel": cls.channel.id,
            "channel_order_ref": ref,
            "date_order": "2026-12-01 10:30:00",
            "partner_name": "王小明",
            "phone": "138 0013 8000",
            "email": "wang@example.com",
            "state": "浙江",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路 90 号",
            "zip": "310012",
            **values,
            "lines": [
                {
                    "sku": sku,
                    "quantity": qty,
                    "price_unit": price,
                    "line_ref": f"{ref}-{i}",
                }
                for i, (sku, qty, price) in enumerate(lines or [("SF-CUP", 2, 9.5)])
            ],
        }


# The columns of the import template of OrderImportCase: English and Chinese
# titles for each target.
IMPORT_COLUMNS = (
    ("channel_order_ref", "Order ID"),
    ("channel_order_ref", "订单编号"),
    ("date_order", "Order Date"),
    ("date_order", "下单时间"),
    ("partner_name", "Recipient"),
    ("partner_name", "收货人"),
    ("phone", "Phone"),
    ("phone", "手机"),
    ("state", "Province"),
    ("state", "省"),
    ("city", "City"),
    ("city", "市"),
    ("district", "District"),
    ("district", "区"),
    ("street", "Address"),
    ("street", "详细地址"),
    ("sku", "SKU"),
    ("sku", "商家编码"),
    ("quantity", "Quantity"),
    ("quantity", "数量"),
    ("price_unit", "Unit Price"),
    ("price_unit", "单价"),
    ("line_ref", "Line ID"),
    ("line_ref", "子订单编号"),
    ("payment_method", "Payment Method"),
    ("payment_method", "付款方式"),
    ("carrier", "Carrier"),
    ("carrier", "快递公司"),
    ("buyer_ref", "Buyer ID"),
    ("buyer_ref", "买家ID"),
)
IMPORT_HEADERS = (
    "Order ID",
    "Order Date",
    "Recipient",
    "Phone",
    "Province",
    "City",
    "District",
    "Address",
    "SKU",
    "Quantity",
    "Unit Price",
    "Line ID",
)
IMPORT_HEADERS_ZH = (
    "订单编号",
    "下单时间",
    "收货人",
    "手机",
    "省",
    "市",
    "区",
    "详细地址",
    "商家编码",
    "数量",
    "单价",
    "子订单编号",
)


def csv_file(rows, encoding="utf-8", delimiter=","):
    """A CSV file of ``rows`` (lists of cells) in ``encoding``, as bytes."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_file(rows):
    """An Excel workbook of ``rows`` (lists of cells, numbers and dates as
    cells), as bytes."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class OrderImportCase(IntakeCase):
    """An import template of the intake channel (English and Chinese column
    titles), a salesperson who imports, and builders of the rows and files of
    a marketplace export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env["sale.order.import.template"].create(
            {
                "name": "Intake Test Mall export",
                "medium_id": cls.channel.id,
                "column_ids": [
                    Command.create({"target": target, "header": header})
                    for target, header in IMPORT_COLUMNS
                ],
            }
        )

    @staticmethod
    def _import_row(ref, sku="SF-CUP", qty=2, price=9.5, line=1, **values):
        """A row of an export in the order of ``IMPORT_HEADERS``: one line
        of the platform order ``ref``, the recipient and address of
        ``IntakeCase._platform_order`` unless ``values`` say otherwise."""
        row = {
            "date_order": "2026-12-01 10:30:00",
            "partner_name": "王小明",
            "phone": "13800138000",
            "state": "浙江",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路 90 号",
            **values,
        }
        return [
            ref,
            row["date_order"],
            row["partner_name"],
            row["phone"],
            row["state"],
            row["city"],
            row["district"],
            row["street"],
            sku,
            qty,
            price,
            f"{ref}-{line}",
        ]

    def _upload(self, data, filename="orders.csv", user=None, template=None):
        """A new import of the file ``data`` (bytes) by ``user`` (the
        salesperson by default)."""
        return (
            self.env["sale.order.import"]
            .with_user(user or self.salesman)
            .create(
                {
                    "template_id": (template or self.template).id,
                    "file": base64.b64encode(data),
                    "filename": filename,
                }
            )
        )

    def _rows(self, record):
        """{row number: (status, message)} of an import."""
        return {
            row.row_number: (row.status, row.message or "") for row in record.row_ids
        }

    def _orders(self, *refs):
        """The orders of the intake channel with these platform numbers."""
        return self.env["sale.order"].search(
            [
                ("medium_id", "=", self.channel.id),
                ("channel_order_ref", "in", list(refs)),
            ]
        )
