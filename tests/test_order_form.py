from odoo import Command
from odoo.tests import Form, tagged

from .common import ShipmentCase, switch_capabilities


@tagged("post_install", "-at_install")
class TestOrderForm(ShipmentCase):
    """The order form's onchanges compute on new records (``NewId``): every
    edit a salesperson makes on a confirmed order must work with every
    capability on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.company)
        # The default rules then pass the test customer: full address.
        cls.customer.phone = "+86 571 8888 0000"
        cls.kit = cls.env["product.product"].create(
            {
                "name": "Form Tea Set",
                "type": "consu",
                "is_storable": True,
                "list_price": 60.0,
                "invoice_policy": "order",
            }
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": cls.product_a.id, "product_qty": 4}),
                    Command.create({"product_id": cls.product_b.id, "product_qty": 1}),
                ],
            }
        )

    def _form(self, order):
        return Form(order.with_user(self.salesman))

    def _demand(self, pickings):
        demand = {}
        for move in pickings.move_ids.filtered(lambda move: move.state != "cancel"):
            demand[move.product_id] = (
                demand.get(move.product_id, 0) + move.product_uom_qty
            )
        return demand

    def test_every_capability_is_on(self):
        self.assertTrue(self.company.sale_review_enabled)
        order = self._order([(self.product_a, 1)])
        self.assertEqual(order.review_state, "approved", "reviewed and passed")

    def test_more_of_a_shipped_line_in_the_form_makes_a_new_delivery(self):
        order = self._order([(self.product_a, 5)])
        self._ship(order)
        self.assertEqual(order.delivery_status, "full")
        with self._form(order) as form, form.order_line.edit(0) as line:
            line.product_uom_qty = 7
        self.assertEqual(len(order.picking_ids), 2)
        self.assertEqual(
            self._delivery(order).move_ids.product_uom_qty, 2, "what is left"
        )
        self.assertEqual(order.delivery_status, "partial")
        self.assertEqual(order.fulfillment_state, "partially_shipped")

    def test_less_of_a_confirmed_line_in_the_form_lowers_the_delivery(self):
        order = self._order([(self.product_a, 5), (self.product_b, 2)])
        with self._form(order) as form, form.order_line.edit(0) as line:
            line.product_uom_qty = 3
        self.assertEqual(
            self._demand(order.picking_ids), {self.product_a: 3, self.product_b: 2}
        )

    def test_a_form_counts_each_delivery_of_the_order_once(self):
        order = self._order([(self.product_a, 5)])
        edited = order.with_user(self.salesman).new(origin=order)
        self.assertEqual(edited.shipment_ids._origin, order.picking_ids)
        self.assertEqual(edited.delivery_count, 1)
        self.assertEqual(edited.delivery_status, "pending")

    def test_a_kit_line_added_and_lowered_in_the_form_follows_the_delivery(self):
        order = self._order([(self.product_b, 1)])
        with self._form(order) as form, form.order_line.new() as line:
            line.product_id = self.kit
            line.product_uom_qty = 2
        self.assertEqual(
            self._demand(order.picking_ids), {self.product_a: 8, self.product_b: 3}
        )
        with self._form(order) as form, form.order_line.edit(1) as line:
            line.product_uom_qty = 1
        self.assertEqual(
            self._demand(order.picking_ids), {self.product_a: 4, self.product_b: 2}
        )

    def test_a_line_removed_in_the_form(self):
        quotation = self._create_orders([(self.product_a, 1), (self.product_b, 1)])
        with self._form(quotation) as form:
            form.order_line.remove(0)
        self.assertEqual(quotation.order_line.product_id, self.product_b)
        # On a confirmed order, a line added by mistake and removed before
        # saving leaves the delivery as it was.
        order = self._order([(self.product_a, 2)])
        with self._form(order) as form:
            with form.order_line.new() as line:
                line.product_id = self.kit
            form.order_line.remove(1)
        self.assertEqual(self._demand(order.picking_ids), {self.product_a: 2})

    def test_editing_an_order_whose_delivery_was_merged(self):
        first = self._order([(self.product_a, 2)])
        second = self._order([(self.product_b, 3)])
        merged = (
            self._delivery(first) | self._delivery(second)
        ).action_merge_shipments()
        with self._form(second) as form, form.order_line.edit(0) as line:
            line.product_uom_qty = 4
        self.assertEqual(second.delivery_status, "pending")
        self.assertEqual(self._demand(merged), {self.product_a: 2, self.product_b: 4})
        self.assertEqual(second.shipment_ids, merged)
