from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import AftersalesCase, load_chinese, read_as


@tagged("post_install", "-at_install")
class TestAftersalesTypes(AftersalesCase):
    def test_return_and_refund_credits_on_receipt_and_lowers_delivered(self):
        order = self._delivered_order()
        rma = self._request(
            order, "return_refund", {self.product_a: 2}, reason_id=self.reason
        )
        self.assertEqual(rma.state, "waiting_return")
        self.assertEqual(order.fulfillment_state, "aftersales")
        self.assertFalse(rma.refund_move_ids, "credited on receipt, not before")
        self.assertEqual(len(rma.return_picking_ids), 1)
        back = rma.return_picking_ids
        self.assertEqual(back.picking_type_code, "incoming")
        self.assertEqual(back.location_dest_id, self.returns_location)
        self.assertEqual(back.move_ids.product_uom_qty, 2)

        self._receive(rma)
        self.assertEqual(rma.state, "received")
        line = self._line(order, self.product_a)
        self.assertEqual(line.qty_delivered, 3)
        self.assertEqual(self._stock_at(self.product_a, self.returns_location), 2)
        refund = rma.refund_move_ids
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.invoice_line_ids.quantity, 2)
        self.assertEqual(refund.invoice_line_ids.sale_line_ids, line)
        self.assertAlmostEqual(refund.amount_untaxed, 20.0)

        self._post(refund)
        self.assertEqual(rma.state, "done")
        self.assertEqual(line.qty_to_invoice, 0)
        self.assertNotEqual(order.invoice_status, "to invoice")
        self.assertNotEqual(order.fulfillment_state, "aftersales")
        subjects = rma.message_ids.mapped("subject")
        self.assertTrue(any("after-sales request" in (s or "") for s in subjects))
        self.assertTrue(any("your refund" in (s or "") for s in subjects))

    def test_return_and_refund_at_once_credits_on_confirmation(self):
        order = self._delivered_order()
        rma = self._request(
            order,
            "return_refund",
            {self.product_b: 1},
            refund_timing="immediate",
        )
        self.assertEqual(rma.refund_move_ids.invoice_line_ids.quantity, 1)
        line = self._line(order, self.product_b)
        # Credited before the goods are back: nothing is to invoice meanwhile.
        self.assertEqual(line.qty_to_invoice, 0)
        self._post(rma.refund_move_ids)
        self.assertEqual(rma.state, "waiting_return")
        self._receive(rma)
        self.assertEqual(rma.state, "done")
        self.assertEqual(len(rma.refund_move_ids), 1, "credited once only")
        self.assertEqual(line.qty_delivered, 1)
        self.assertEqual(line.qty_to_invoice, 0)

    def test_return_of_goods_not_invoiced_yet_needs_no_credit_note(self):
        order = self._delivered_order(invoice=False)
        rma = self._request(order, "return_refund", {self.product_a: 2})
        self._receive(rma)
        self.assertFalse(rma.refund_move_ids)
        self.assertEqual(rma.state, "done")
        line = self._line(order, self.product_a)
        self.assertEqual(line.qty_to_invoice, 3, "what the customer kept")

    def test_refund_only_credits_without_stock_and_leaves_nothing_to_invoice(self):
        order = self._delivered_order()
        moves_before = self.env["stock.move"].search_count([])
        rma = self._request(order, "refund", {self.product_b: 1})
        rma_line = rma.line_ids
        self.assertEqual(rma.state, "confirmed")
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)
        self.assertFalse(rma.return_picking_ids | rma.replacement_picking_ids)
        self._post(rma.refund_move_ids)
        self.assertEqual(rma.state, "done")
        self.assertEqual(rma_line.qty_refunded, 1)
        self.assertEqual(self._line(order, self.product_b).qty_to_invoice, 0)
        self.assertNotEqual(order.invoice_status, "to invoice")
        # Refunded goods the customer keeps cannot be requested again.
        available = rma_line.sale_line_id._get_rma_available_qty()
        self.assertEqual(available[rma_line.sale_line_id]["post"], 1)

    def test_agreed_partial_refund_credits_the_agreed_price(self):
        order = self._delivered_order()
        rma = self._request(order, "refund", {self.product_b: 2}, confirm=False)
        rma.line_ids.price_unit = 15.0
        self.assertAlmostEqual(rma.amount_refund, 30.0)
        rma.with_user(self.clerk).action_confirm()
        self.assertAlmostEqual(rma.refund_move_ids.amount_untaxed, 30.0)

    def test_exchange_returns_then_ships_the_same_product_without_invoicing(self):
        order = self._delivered_order()
        rma = self._request(order, "exchange", {self.product_a: 1})
        self.assertEqual(rma.state, "waiting_return")
        self.assertFalse(rma.replacement_picking_ids, "ships after the return")
        self._receive(rma)
        self.assertEqual(rma.state, "received")
        replacement = rma.replacement_picking_ids
        self.assertEqual(replacement.picking_type_code, "outgoing")
        self.assertEqual(replacement.move_ids.product_id, self.product_a)
        self.assertEqual(replacement.partner_id, order.partner_shipping_id)
        self._ship(order, picking=replacement)
        self.assertEqual(rma.state, "done")
        line = self._line(order, self.product_a)
        self.assertEqual(line.qty_delivered, 5, "the customer holds 5 again")
        self.assertEqual(line.qty_to_invoice, 0)
        self.assertFalse(rma.refund_move_ids | rma.invoice_move_ids)
        self.assertNotEqual(order.invoice_status, "to invoice")

    def test_exchange_for_a_dearer_product_invoices_the_difference(self):
        order = self._delivered_order()
        rma = self._request(
            order,
            "exchange",
            {self.product_a: 2},
            exchange_policy="immediate",
            confirm=False,
        )
        rma.line_ids.replacement_product_id = self.product_b
        self.assertAlmostEqual(rma.amount_difference, 60.0)
        rma.with_user(self.clerk).action_confirm()
        self.assertEqual(rma.invoice_move_ids.move_type, "out_invoice")
        self.assertAlmostEqual(rma.invoice_move_ids.amount_untaxed, 60.0)
        replacement = rma.replacement_picking_ids
        self.assertEqual(replacement.move_ids.product_id, self.product_b)
        self.assertEqual(replacement.move_ids.product_uom_qty, 2)
        self._receive(rma)
        self._ship(order, picking=replacement)
        self._post(rma.invoice_move_ids)
        self.assertEqual(rma.state, "done")
        self.assertEqual(self._line(order, self.product_b).qty_delivered, 2)
        self.assertEqual(order.order_line.mapped("qty_to_invoice"), [0.0, 0.0])

    def test_exchange_for_a_cheaper_product_credits_the_difference(self):
        order = self._delivered_order()
        rma = self._request(order, "exchange", {self.product_b: 1}, confirm=False)
        rma.line_ids.replacement_product_id = self.product_a
        rma.with_user(self.clerk).action_confirm()
        self.assertEqual(rma.refund_move_ids.move_type, "out_refund")
        self.assertAlmostEqual(rma.refund_move_ids.amount_untaxed, 30.0)
        self.assertFalse(rma.refund_move_ids.invoice_line_ids.sale_line_ids)

    def test_the_price_difference_line_is_written_in_the_customers_language(self):
        load_chinese(self.env)
        clerk_zh = new_test_user(
            self.env,
            login="sf_aftersales_zh",
            groups="sale_fulfillment.group_aftersales_user,stock.group_stock_user",
            lang="zh_CN",
        )
        for clerk, customer_lang, label in (
            (self.clerk, "zh_CN", "{rma}：差价，Fulfillment Tray 换为 Fulfillment Cup"),
            (
                clerk_zh,
                "en_US",
                "{rma}: price difference, Fulfillment Tray exchanged for "
                "Fulfillment Cup",
            ),
        ):
            self.customer.lang = customer_lang
            order = self._delivered_order([(self.product_b, 1)])
            rma = self._request(order, "exchange", {self.product_b: 1}, confirm=False)
            rma.line_ids.replacement_product_id = self.product_a
            read_as(clerk, rma).action_confirm()
            self.assertEqual(
                rma.refund_move_ids.invoice_line_ids.name, label.format(rma=rma.name)
            )

    def test_a_credited_price_difference_counts_against_what_is_invoiced(self):
        order = self._delivered_order([(self.product_b, 1)])
        exchange = self._request(order, "exchange", {self.product_b: 1}, confirm=False)
        exchange.line_ids.replacement_product_id = self.product_a
        exchange.with_user(self.clerk).action_confirm()
        exchange.refund_move_ids.with_user(self.accountant).action_post()
        self._receive(exchange)
        self._ship(order, picking=exchange.replacement_picking_ids)
        self.assertEqual(exchange.state, "done")
        self.assertEqual(
            self._line(order, self.product_b)._get_rma_invoiced()[
                self._line(order, self.product_b)
            ]["amount"],
            10.0,
        )
        # 40 invoiced, 30 given back already: a full refund of 40 is too much.
        refund = self._request(order, "refund", {self.product_b: 1}, confirm=False)
        # As in a request, the refusal rolls back the confirmation with it.
        with (
            self.assertRaisesRegex(UserError, "more than the"),
            self.env.cr.savepoint(),
        ):
            refund.with_user(self.clerk).action_confirm()
        self.env.invalidate_all()
        self.assertEqual(refund.state, "draft")
        self.assertFalse(refund.refund_move_ids)

    def test_a_cancelled_credit_note_is_not_drafted_again_nor_done(self):
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_b: 1})
        self._receive(rma)
        credit_note = rma.refund_move_ids
        self.assertEqual(credit_note.state, "draft")
        credit_note.with_user(self.accountant).button_cancel()
        self.assertEqual(rma.refund_move_ids, credit_note)
        self.assertEqual(rma.state, "received")
        credit_note.with_user(self.accountant).button_draft()
        credit_note.with_user(self.accountant).action_post()
        self.assertEqual(rma.state, "done")

        refund = self._request(order, "refund", {self.product_a: 1})
        refund.refund_move_ids.with_user(self.accountant).button_cancel()
        self.assertEqual(refund.state, "confirmed")

    def test_reship_sends_goods_again_without_return_nor_invoice(self):
        order = self._delivered_order()
        rma = self._request(order, "reship", {self.product_b: 2})
        self.assertFalse(rma.return_picking_ids)
        replacement = rma.replacement_picking_ids
        self.assertEqual(replacement.move_ids.product_uom_qty, 2)
        self.assertIn(replacement, order.picking_ids)
        self._ship(order, picking=replacement)
        self.assertEqual(rma.state, "done")
        line = self._line(order, self.product_b)
        self.assertEqual(line.qty_delivered, 2)
        self.assertEqual(line.qty_to_invoice, 0)
        self.assertEqual(len(order.order_line), 2, "no new line for the re-ship")
        self.assertTrue(
            any("on its way" in (s or "") for s in rma.message_ids.mapped("subject"))
        )

    def test_cancel_whole_order_before_shipment_credits_the_prepaid_invoice(self):
        order = self._create_orders([(self.product_a, 3), (self.mto_product, 1)])
        self._confirm(order)
        productions = order._get_fulfillment_productions()
        self.assertEqual(productions.state, "confirmed")
        self._invoice(order)
        rma = self._request(order, "cancel")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(productions.state, "cancel")
        self.assertTrue(all(p.state == "cancel" for p in order.picking_ids))
        refund = rma.refund_move_ids
        self.assertAlmostEqual(refund.amount_untaxed, 120.0)
        self._post(refund)
        self.assertEqual(rma.state, "done")
        self.assertEqual(order.fulfillment_state, "cancel")

    def test_cancel_part_of_an_order_lowers_the_line_and_its_delivery(self):
        order = self._create_orders([(self.product_a, 5), (self.product_b, 2)])
        self._confirm(order)
        rma = self._request(order, "cancel", {self.product_a: 2})
        self.assertEqual(rma.state, "done", "nothing invoiced: nothing to credit")
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._line(order, self.product_a).product_uom_qty, 3)
        delivery = order.picking_ids
        self.assertEqual(
            delivery.move_ids.filtered(
                lambda move: move.product_id == self.product_a
            ).product_uom_qty,
            3,
        )

    def test_cancel_part_of_a_made_to_order_line_shrinks_its_production(self):
        order = self._create_orders([(self.mto_product, 3)])
        self._confirm(order)
        production = order._get_fulfillment_productions()
        self.assertEqual(production.product_qty, 3)
        self._request(order, "cancel", {self.mto_product: 1})
        self.assertEqual(production.state, "confirmed")
        self.assertEqual(production.product_qty, 2)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 2)

    def test_modify_changes_address_date_and_quantities_of_open_shipments(self):
        order = self._create_orders([(self.product_a, 5)])
        self._confirm(order)
        new_address = self.env["res.partner"].create(
            {"name": "New Address", "parent_id": self.customer.id, "type": "delivery"}
        )
        new_date = fields.Datetime.now().replace(microsecond=0) + __import__(
            "datetime"
        ).timedelta(days=9)
        rma = self._request(
            order,
            "modify",
            {self.product_a: 1},
            new_partner_shipping_id=new_address,
            new_commitment_date=new_date,
        )
        self.assertEqual(rma.state, "done")
        delivery = order.picking_ids
        self.assertEqual(order.partner_shipping_id, new_address)
        self.assertEqual(delivery.partner_id, new_address)
        self.assertEqual(delivery.scheduled_date, new_date)
        self.assertEqual(delivery.move_ids.product_uom_qty, 4)

    def test_cancelling_a_request_cancels_what_has_not_happened(self):
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_a: 2})
        back = rma.return_picking_ids
        rma.with_user(self.clerk).action_cancel()
        self.assertEqual(rma.state, "cancelled")
        self.assertEqual(back.state, "cancel")
        self.assertEqual(self._line(order, self.product_a).qty_delivered, 5)
        self.assertNotEqual(order.fulfillment_state, "aftersales")
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            rma.with_user(self.clerk).action_cancel()


@tagged("post_install", "-at_install")
class TestAftersalesRefusals(AftersalesCase):
    def test_cancelled_order_is_refused(self):
        order = self._create_orders([(self.product_a, 1)])
        self._confirm(order)
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "not a confirmed order"):
            order.with_user(self.clerk).action_open_rma_wizard()

    def test_post_shipment_type_on_an_order_that_shipped_nothing_is_refused(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        self.assertEqual(order._get_rma_allowed_types(), ["cancel", "modify"])
        with self.assertRaisesRegex(UserError, "Nothing of .* was delivered yet"):
            self.env["sale.rma"].with_user(self.clerk).create(
                {
                    "order_id": order.id,
                    "rma_type": "return_refund",
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": order.order_line.id, "quantity": 1}
                        )
                    ],
                }
            )
        self.assertFalse(self._rma_count(order))

    def test_pre_shipment_type_on_a_shipped_order_is_refused(self):
        order = self._delivered_order()
        self.assertNotIn("cancel", order._get_rma_allowed_types())
        with self.assertRaisesRegex(UserError, "Every shipment of .* has left"):
            self.env["sale.rma"].with_user(self.clerk).create(
                {
                    "order_id": order.id,
                    "rma_type": "cancel",
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": order.order_line[0].id, "quantity": 1}
                        )
                    ],
                }
            )

    def test_quantity_of_zero_or_less_is_refused(self):
        order = self._delivered_order()
        for quantity in (0, -1):
            with self.assertRaisesRegex(UserError, "must be more than zero"):
                self.env["sale.rma"].with_user(self.clerk).create(
                    {
                        "order_id": order.id,
                        "rma_type": "refund",
                        "line_ids": [
                            Command.create(
                                {
                                    "sale_line_id": order.order_line[0].id,
                                    "quantity": quantity,
                                }
                            )
                        ],
                    }
                )

    def test_return_more_than_delivered_is_refused_at_creation(self):
        order = self._delivered_order()
        self._request(order, "return_refund", {self.product_a: 4}, confirm=False)
        with self.assertRaisesRegex(UserError, "Only 1.0 Units of .* can still"):
            self._request(order, "return_refund", {self.product_a: 2})
        self.assertEqual(self._rma_count(order), 1)

    def test_return_more_than_delivered_is_refused_at_confirmation(self):
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_a: 4}, confirm=False)
        # Meanwhile the warehouse takes 3 back through Odoo's own return wizard.
        picking = order.picking_ids
        wizard = Form(
            self.env["stock.return.picking"]
            .with_user(self.stock_user)
            .with_context(active_id=picking.id, active_model="stock.picking")
        )
        with wizard.product_return_moves.edit(0) as line:
            line.quantity = 3
        back = wizard.save()._create_return()
        for move in back.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        back.with_user(self.stock_user).button_validate()
        self.assertEqual(self._line(order, self.product_a).qty_delivered, 2)
        with self.assertRaisesRegex(UserError, "Only 2.0 Units"):
            rma.with_user(self.clerk).action_confirm()
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.return_picking_ids)

    def test_refund_above_the_threshold_needs_a_manager(self):
        self.company.rma_manager_approval_amount = 50.0
        order = self._delivered_order()
        rma = self._request(order, "refund", {self.product_b: 2}, confirm=False)
        with self.assertRaisesRegex(UserError, "an after-sales manager must confirm"):
            rma.with_user(self.clerk).action_confirm()
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.refund_move_ids)
        rma.with_user(self.as_manager).action_confirm()
        self.assertEqual(rma.state, "confirmed")

    def test_lowering_quantities_above_the_threshold_needs_a_manager(self):
        self.company.rma_manager_approval_amount = 50.0
        order = self._create_orders([(self.product_a, 5), (self.product_b, 2)])
        self._confirm(order)
        self._invoice(order)
        rma = self._request(order, "modify", {self.product_b: 2}, confirm=False)
        self.assertAlmostEqual(rma.amount_refund, 80.0)
        with self.assertRaisesRegex(UserError, "an after-sales manager must confirm"):
            rma.with_user(self.clerk).action_confirm()
        self.assertEqual(self._line(order, self.product_b).product_uom_qty, 2)
        rma.with_user(self.as_manager).action_confirm()
        self.assertEqual(self._line(order, self.product_b).product_uom_qty, 0)

    def test_the_threshold_is_compared_in_the_company_currency(self):
        self.company.rma_manager_approval_amount = 150.0
        currency = self.env["res.currency"].create(
            {"name": "SFX", "symbol": "Ж", "rounding": 0.01}
        )
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 0.01, "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "SFX prices", "currency_id": currency.id}
        )
        order = self._create_orders([(self.product_b, 2)])
        order.pricelist_id = pricelist
        order.action_update_prices()
        order.order_line.price_unit = 5.0
        self._confirm(order)
        self._ship(order)
        self._invoice(order)
        # 5 SFX is 500 in the company's currency.
        rma = self._request(order, "refund", {self.product_b: 1}, confirm=False)
        self.assertEqual(rma.currency_id, currency)
        with self.assertRaisesRegex(UserError, "an after-sales manager must confirm"):
            rma.with_user(self.clerk).action_confirm()

    def test_a_refund_split_into_several_requests_still_needs_a_manager(self):
        self.company.rma_manager_approval_amount = 50.0
        order = self._delivered_order()
        first = self._request(order, "refund", {self.product_a: 4})
        self.assertEqual(first.state, "confirmed")
        # 40 given back already: 40 more is 80, above the 50 of the threshold.
        second = self._request(order, "refund", {self.product_b: 1}, confirm=False)
        with self.assertRaisesRegex(
            UserError, r"with the other after-sales requests of .*80\.00"
        ):
            second.with_user(self.clerk).action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertFalse(second.refund_move_ids)
        # Requests confirmed together add up as well.
        third = self._request(order, "refund", {self.product_a: 1}, confirm=False)
        with self.assertRaisesRegex(UserError, "an after-sales manager must confirm"):
            (second | third).with_user(self.clerk).action_confirm()
        # A request done counts as much as an open one; a cancelled one gives
        # nothing back.
        self._post(first.refund_move_ids)
        self.assertEqual(first.state, "done")
        with self.assertRaisesRegex(UserError, "an after-sales manager must confirm"):
            second.with_user(self.clerk).action_confirm()
        other = self._delivered_order()
        cancelled = self._request(other, "refund", {self.product_a: 4})
        cancelled.with_user(self.clerk).action_cancel()
        rma = self._request(other, "refund", {self.product_b: 1})
        self.assertEqual(rma.state, "confirmed")
        second.with_user(self.as_manager).action_confirm()
        self.assertEqual(second.state, "confirmed")

    def test_state_and_documents_of_a_request_are_not_written_directly(self):
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_b: 1})
        self.assertEqual(rma.state, "waiting_return")
        invoice = order.invoice_ids
        as_clerk = rma.with_user(self.clerk)
        for vals in (
            {"state": "done"},
            {"state": "received"},
            {"confirmed_on": fields.Datetime.now()},
            {"done_on": fields.Datetime.now()},
            {"refund_move_ids": [Command.link(invoice.id)]},
            {"invoice_move_ids": [Command.link(invoice.id)]},
            {"procurement_group_id": order.procurement_group_id.id},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                as_clerk.write(vals)
        with self.assertRaises(AccessError):
            self.env["sale.rma"].with_user(self.clerk).create(
                {
                    "order_id": order.id,
                    "rma_type": "refund",
                    "state": "done",
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": self._line(order, self.product_a).id,
                                "quantity": 1,
                            }
                        )
                    ],
                }
            )
        delivered = order.picking_ids.move_ids.filtered(
            lambda move: move.product_id == self.product_a
        )
        line = rma.line_ids.with_user(self.clerk)
        with self.assertRaises(AccessError):
            line.write({"move_ids": [Command.link(delivered.id)]})
        with self.assertRaises(AccessError):
            delivered.with_user(self.clerk).write({"sale_rma_line_id": line.id})
        with self.assertRaises(AccessError):
            invoice.invoice_line_ids[:1].with_user(self.accountant).write(
                {"sale_rma_line_id": line.id}
            )
        self.assertEqual(rma.state, "waiting_return")
        self.assertFalse(rma.refund_move_ids)
        # The request's own path still moves it on.
        self._receive(rma)
        self.assertEqual(rma.state, "received")
        self.assertEqual(len(rma.refund_move_ids), 1)
        self.assertEqual(rma.refund_move_ids.invoice_line_ids.sale_rma_line_id, line)

    def test_odoo_returns_serve_no_request_whatever_the_client_sends(self):
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_b: 1})
        picking = order.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing"
        )
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.clerk)
            .create({"picking_id": picking.id})
        )
        for return_line in wizard.product_return_moves:
            return_line.write(
                {
                    "quantity": 1 if return_line.product_id == self.product_a else 0,
                    "sale_rma_line_id": rma.line_ids.id,
                }
            )
        returned = self.env["stock.picking"].browse(
            wizard.action_create_returns()["res_id"]
        )
        self.assertFalse(returned.move_ids.sale_rma_line_id)
        self.assertNotIn(returned, rma.return_picking_ids)

    def test_a_confirmed_request_cannot_be_edited(self):
        self.company.rma_manager_approval_amount = 150.0
        order = self._delivered_order()
        rma = self._request(order, "return_refund", {self.product_b: 1})
        self.assertEqual(rma.state, "waiting_return")
        line = rma.line_ids.with_user(self.clerk)
        for vals in ({"price_unit": 300.0}, {"quantity": 2}):
            with self.assertRaisesRegex(UserError, "no longer drafts"):
                line.write(vals)
        with self.assertRaisesRegex(UserError, "no longer drafts"):
            rma.with_user(self.clerk).write({"rma_type": "refund"})
        with self.assertRaisesRegex(UserError, "no longer drafts"):
            self.env["sale.rma.line"].with_user(self.clerk).create(
                {
                    "rma_id": rma.id,
                    "sale_line_id": self._line(order, self.product_a).id,
                    "quantity": 1,
                }
            )
        with self.assertRaisesRegex(UserError, "no longer drafts"):
            line.unlink()
        # What is not settled may still change.
        rma.with_user(self.clerk).write({"description": "Box arrived crushed"})
        self._receive(rma)
        self.assertEqual(rma.refund_move_ids.invoice_line_ids.price_unit, 40.0)

    def test_credit_notes_never_exceed_what_was_invoiced(self):
        order = self._delivered_order()
        first = self._request(order, "refund", {self.product_b: 2}, confirm=False)
        first.line_ids.price_unit = 40.0
        first.with_user(self.clerk).action_confirm()
        self._post(first.refund_move_ids)
        # Everything of the line is credited: a return now gives nothing back.
        rma = self._request(order, "return_refund", {self.product_a: 5})
        self._receive(rma)
        refunded = sum(
            order.invoice_ids.filtered(lambda m: m.move_type == "out_refund").mapped(
                "amount_untaxed"
            )
        )
        invoiced = sum(
            order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").mapped(
                "amount_untaxed"
            )
        )
        self.assertLessEqual(refunded, invoiced)
        with self.assertRaisesRegex(UserError, "Only 0.0 Units"):
            self.env["sale.rma"].with_user(self.clerk).create(
                {
                    "order_id": order.id,
                    "rma_type": "refund",
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": self._line(order, self.product_b).id,
                                "quantity": 1,
                            }
                        )
                    ],
                }
            )

    def test_salesman_sees_requests_of_his_orders_only(self):
        mine = self._delivered_order()
        other_seller = new_test_user(
            self.env, login="sf_other_seller", groups="sales_team.group_sale_salesman"
        )
        theirs = self._create_orders([(self.product_a, 1)], user=other_seller)
        theirs.with_user(other_seller).action_confirm()
        self._ship(theirs)
        own_rma = self._request(mine, "reship", {self.product_a: 1})
        other_rma = self._request(theirs, "reship", {self.product_a: 1})
        visible = self.env["sale.rma"].with_user(self.salesman).search([])
        self.assertIn(own_rma, visible)
        self.assertNotIn(other_rma, visible)
        with self.assertRaises(AccessError):
            own_rma.with_user(self.salesman).action_confirm()
            own_rma.with_user(self.salesman).write({"description": "x"})

    def test_wizard_offers_only_the_types_that_fit_the_order(self):
        order = self._create_orders([(self.product_a, 4)])
        self._confirm(order)
        self._ship(order, {self.product_a: 1})
        self.assertEqual(
            order._get_rma_allowed_types(),
            ["cancel", "modify", "refund", "return_refund", "exchange", "reship"],
        )
        action = order.with_user(self.clerk).action_open_rma_wizard()
        wizard = Form.from_action(self.env(user=self.clerk), action)
        wizard.rma_type = "cancel"
        with wizard.line_ids.edit(0) as line:
            self.assertEqual(line.qty_available, 3)
        wizard.rma_type = "return_refund"
        with wizard.line_ids.edit(0) as line:
            self.assertEqual(line.qty_available, 1)
            self.assertEqual(line.quantity, 1)
        shipped = self._create_orders([(self.product_a, 1)])
        self._confirm(shipped)
        self._ship(shipped)
        action = shipped.with_user(self.clerk).action_open_rma_wizard()
        wizard = Form.from_action(self.env(user=self.clerk), action)
        self.assertEqual(
            wizard.allowed_rma_types, "refund,return_refund,exchange,reship"
        )
        self.assertEqual(wizard.rma_type, "refund", "the first type that fits")
        wizard.rma_type = "cancel"
        with self.assertRaisesRegex(UserError, "cannot take this kind of request"):
            wizard.save().action_create()


@tagged("post_install", "-at_install")
class TestAftersalesBatch(AftersalesCase):
    def test_confirming_a_40_line_return_and_refund_stays_in_its_query_budget(self):
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Batch Return Item {index}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 5.0 + index,
                    "invoice_policy": "order",
                }
                for index in range(40)
            ]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(
                product, self.stock_location, 10
            )
        order = self._delivered_order([(product, 3) for product in products])
        rma = self.env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "refund_timing": "immediate",
                "line_ids": [
                    Command.create({"sale_line_id": line.id, "quantity": 2})
                    for line in order.order_line
                ],
            }
        )
        rma = rma.with_user(self.clerk)
        self.env.invalidate_all()
        # One return of 40 moves (Odoo's return wizard copies each move) and
        # one credit note of 40 lines: about 20 queries a line, mostly Odoo's
        # (one more reads the price differences already credited; three lock
        # the request while it follows its documents). A few look up the
        # email layout when no email was rendered before in the process (the
        # shipped email is off, as in a new database).
        with self.assertQueryCount(800):
            rma.action_confirm()
            self.env.flush_all()
        self.assertEqual(len(rma.return_picking_ids.move_ids), 40)
        self.assertEqual(len(rma.refund_move_ids.invoice_line_ids), 40)
