from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import (
    AllocationCase,
    FulfillmentCase,
    switch_capabilities,
    switch_review_on,
)


class OrderChangeMixin:
    """Addresses and helpers of the order-change tests."""

    @classmethod
    def _new_address(cls, **values):
        return {
            "name": "Li Lei",
            "phone": "+86 138 0000 0000",
            "email": "li.lei@example.com",
            "street": "88 Huaihai Road",
            "street2": "Room 1203",
            "city": "Shanghai",
            "zip": "200031",
            "state_id": cls.env.ref("base.state_cn_SH").id,
            "country_id": cls.env.ref("base.cn").id,
            **values,
        }

    def _open(self, order):
        return order.picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )

    def _delivery_addresses(self):
        return self.customer.child_ids.filtered(lambda child: child.type == "delivery")

    def _notes(self, order):
        """The bodies of the order's notes, newest first (no tracking)."""
        return order.message_ids.filtered(
            lambda message: (
                message.subtype_id == self.env.ref("mail.mt_note") and message.body
            )
        ).mapped("body")


@tagged("post_install", "-at_install")
class TestDeliveryAddressChange(OrderChangeMixin, FulfillmentCase):
    def _change(self, order, address, source="user"):
        return order.with_user(self.salesman)._change_delivery_address(
            address, source=source
        )

    def _assert_refused(self, order, address, expected):
        """The change is refused with ``expected`` and nothing changed."""
        before = order.partner_shipping_id
        pickings = order.picking_ids
        partners = {picking: picking.partner_id for picking in pickings}
        addresses = self._delivery_addresses()
        with self.assertRaises(UserError) as caught:
            self._change(order, address)
        self.assertEqual(str(caught.exception), expected)
        self.assertEqual(order.partner_shipping_id, before)
        self.assertEqual(order.picking_ids, pickings)
        for picking, partner in partners.items():
            self.assertEqual(picking.partner_id, partner)
        self.assertEqual(self._delivery_addresses(), addresses)

    def test_quotation_gets_a_new_delivery_address_under_the_customer(self):
        order = self._create_orders([(self.product_a, 2)])
        customer_street = self.customer.street
        self.assertIs(self._change(order, self._new_address()), True)
        address = order.partner_shipping_id
        self.assertRecordValues(
            address,
            [
                {
                    "type": "delivery",
                    "parent_id": self.customer.id,
                    "name": "Li Lei",
                    "street": "88 Huaihai Road",
                    "street2": "Room 1203",
                    "city": "Shanghai",
                    "zip": "200031",
                    "state_id": self.env.ref("base.state_cn_SH").id,
                    "country_id": self.env.ref("base.cn").id,
                    "phone": "+86 138 0000 0000",
                }
            ],
        )
        # The customer's own address is never overwritten.
        self.assertEqual(self.customer.street, customer_street)
        self.assertEqual(order.partner_id, self.customer)
        shanghai = self.env.ref("base.state_cn_SH").name
        self.assertEqual(
            self._notes(order)[0],
            f"<p>Delivery address changed by {self.salesman.name} (back office): "
            "from Fulfillment Test Customer, China, 310000, Hangzhou 1 Test Street "
            f"to Li Lei, China, 200031, {shanghai} Shanghai 88 Huaihai Road Room "
            "1203.</p>",
        )

    def test_the_same_address_is_reused_and_an_unchanged_one_changes_nothing(self):
        first, second = self._create_orders([(self.product_a, 1)], count=2)
        self._change(first, self._new_address())
        self._change(second, self._new_address(street=" 88 Huaihai Road "))
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(len(self._delivery_addresses()), 1)
        notes = len(self._notes(second))
        self._change(second, self._new_address())
        self.assertEqual(len(self._notes(second)), notes)
        # The customer's own address given as values is the customer.
        self._change(
            second,
            {
                "name": self.customer.name,
                "street": self.customer.street,
                "city": self.customer.city,
                "zip": self.customer.zip,
                "country_id": self.customer.country_id.id,
                "email": self.customer.email,
            },
        )
        self.assertEqual(second.partner_shipping_id, self.customer)

    def test_confirmed_order_moves_both_open_deliveries_to_the_new_address(self):
        order = self._create_orders([(self.product_a, 4), (self.product_b, 2)])
        self._confirm(order)
        picking = order.picking_ids
        move_b = picking.move_ids.filtered(lambda m: m.product_id == self.product_b)
        second = picking._split_shipment({move_b.id: 2})
        self.assertEqual(self._open(order), picking | second)
        activities = (picking | second).activity_ids
        self._change(order, self._new_address())
        address = order.partner_shipping_id
        self.assertEqual(address.street, "88 Huaihai Road")
        self.assertEqual((picking | second).partner_id, address)
        self.assertEqual((picking | second).move_ids.partner_id, address)
        # Odoo's own update: no "update the partner by hand" activity.
        self.assertEqual((picking | second).activity_ids, activities)

    def test_existing_contact_of_the_customer_can_be_chosen(self):
        office = self.env["res.partner"].create(
            {
                "name": "Customer Office",
                "type": "delivery",
                "parent_id": self.customer.id,
                "street": "9 Office Road",
                "city": "Ningbo",
            }
        )
        order = self._create_orders([(self.product_a, 1)])
        self._confirm(order)
        self._change(order, office)
        self.assertEqual(order.partner_shipping_id, office)
        self.assertEqual(order.picking_ids.partner_id, office)

    def test_address_change_after_picking_started_is_refused(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        picking = order.picking_ids
        picking.move_ids.with_user(self.stock_user).picked = True
        self._assert_refused(
            order,
            self._new_address(),
            f"Cannot change the delivery address of {order.name}: the goods of "
            f"{picking.name} are already picked.",
        )

    def test_address_change_after_shipment_is_refused(self):
        order = self._create_orders([(self.product_a, 4)])
        self._confirm(order)
        shipped = self._ship(order, {self.product_a: 1})
        self._assert_refused(
            order,
            self._new_address(),
            f"Cannot change the delivery address of {order.name}: {shipped.name} "
            "has already shipped.",
        )
        # The address it already has is no change: sent again, it is accepted.
        self.assertIs(self._change(order, order.partner_shipping_id), True)
        self.assertIs(
            self._change(
                order,
                {
                    "name": self.customer.name,
                    "street": self.customer.street,
                    "city": self.customer.city,
                    "zip": self.customer.zip,
                    "country_id": self.customer.country_id.id,
                    "email": self.customer.email,
                },
            ),
            True,
        )

    def test_address_change_of_a_delivery_being_picked_in_a_batch_is_refused(self):
        order, other = self._create_orders([(self.product_a, 2)], count=2)
        self._confirm(order | other)
        picking = order.picking_ids
        batch = self.env["stock.picking.batch"].create(
            {
                "name": "BATCH-CHANGE",
                "picking_ids": [Command.set((picking | other.picking_ids).ids)],
            }
        )
        batch.action_confirm()
        self.assertEqual(batch.state, "in_progress")
        # A batch nobody picks from yet (Odoo's automatic batches are
        # confirmed at once) does not stop the change.
        self._change(order, self._new_address())
        other.picking_ids.move_ids.with_user(self.stock_user).picked = True
        self._assert_refused(
            order,
            self._new_address(street="1 Other Road"),
            f"Cannot change the delivery address of {order.name}: {picking.name} "
            f"is in the batch {batch.name}, which is being picked.",
        )

    def test_address_change_of_a_delivery_in_a_wave_or_packed_is_refused(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        picking = order.picking_ids
        wave = self.env["stock.picking.batch"].create(
            {
                "name": "WAVE-CHANGE",
                "is_wave": True,
                "picking_ids": [Command.set(picking.ids)],
            }
        )
        wave.action_confirm()
        self._assert_refused(
            order,
            self._new_address(),
            f"Cannot change the delivery address of {order.name}: {picking.name} "
            f"is in the batch {wave.name}, which is being picked.",
        )
        picking.move_line_ids.result_package_id = self.env[
            "stock.quant.package"
        ].create({"name": "PACK-CHANGE"})
        self._assert_refused(
            order,
            self._new_address(),
            f"Cannot change the delivery address of {order.name}: {picking.name} "
            "is being packed.",
        )

    def test_cancelled_rejected_and_incomplete_addresses_are_refused(self):
        order = self._create_orders([(self.product_a, 1)])
        self._assert_refused(
            order,
            self._new_address(street=" "),
            f"The new delivery address of {order.name} needs a street.",
        )
        self._assert_refused(
            order,
            {**self._new_address(), "vat": "123"},
            "Unknown delivery address fields: vat.",
        )
        self._assert_refused(
            order,
            self._new_address(country_id=self.env.ref("base.us").id),
            f"{self.env.ref('base.state_cn_SH').name} is not in United States.",
        )
        order._action_cancel()
        self._assert_refused(
            order,
            self._new_address(),
            f"Cannot change the delivery address of {order.name}: it is cancelled.",
        )

    def test_held_order_goes_back_to_review_with_its_new_address(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {"name": "Large", "rule_type": "amount_above", "threshold": 5.0}
        )
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
        self._change(order, self._new_address())
        # Reviewed again: still held, not dropped from the review queue.
        self.assertEqual(order.review_state, "to_review")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_shipping_id.street, "88 Huaihai Road")
        order.action_review_reject("Not for us")
        self._assert_refused(
            order,
            self._new_address(street="1 Other Road"),
            f"Cannot change the delivery address of {order.name}: it was "
            "rejected in review. Its salesperson decides what happens to it.",
        )

    def test_delivery_shared_with_another_order_keeps_the_other_orders_address(self):
        first, second = self._create_orders([(self.product_a, 2)], count=2)
        self._confirm(first | second)
        merged = (first.picking_ids | second.picking_ids).action_merge_shipments()
        self.assertIn(merged, first.picking_ids)
        self._change(first, self._new_address())
        address = first.partner_shipping_id
        own = first._get_shipments().filtered(lambda p: p.state != "cancel") - merged
        self.assertEqual(own.partner_id, address)
        self.assertEqual(own.move_ids.sale_line_id.order_id, first)
        self.assertEqual(merged.move_ids.sale_line_id.order_id, second)
        self.assertEqual(merged.partner_id, self.customer)
        self.assertEqual(second.partner_shipping_id, self.customer)

    def test_salesperson_changes_the_address_with_the_wizard(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        action = order.with_user(self.salesman).action_open_address_change_wizard()
        form = Form.from_action(self.env(user=self.salesman), action)
        self.assertEqual(form.street, "1 Test Street")
        self.assertEqual(form.name, self.customer.name)
        form.name = "Han Meimei"
        form.street = "5 Xihu Road"
        form.state_id = self.env.ref("base.state_cn_ZJ")
        form.save().action_apply()
        address = order.partner_shipping_id
        self.assertRecordValues(
            address,
            [
                {
                    "name": "Han Meimei",
                    "street": "5 Xihu Road",
                    "city": "Hangzhou",
                    "parent_id": self.customer.id,
                    "type": "delivery",
                }
            ],
        )
        self.assertEqual(order.picking_ids.partner_id, address)
        # Choosing one of the customer's addresses.
        form = Form.from_action(self.env(user=self.salesman), action)
        form.existing_partner_id = self.customer
        form.save().action_apply()
        self.assertEqual(order.partner_shipping_id, self.customer)
        # A refusal reaches the salesperson with its reason.
        order.picking_ids.move_ids.with_user(self.stock_user).picked = True
        form = Form.from_action(self.env(user=self.salesman), action)
        form.street = "7 Late Road"
        wizard = form.save()
        with self.assertRaises(UserError) as caught:
            wizard.action_apply()
        self.assertEqual(
            str(caught.exception),
            f"Cannot change the delivery address of {order.name}: the goods of "
            f"{order.picking_ids.name} are already picked.",
        )
        self.assertEqual(order.partner_shipping_id, self.customer)


@tagged("post_install", "-at_install")
class TestRequestCancellation(OrderChangeMixin, FulfillmentCase):
    def _cancel(self, orders, reason="Ordered twice", source="channel"):
        return orders.with_user(self.salesman)._request_cancellation(
            reason, source=source
        )

    def test_order_not_shipped_is_cancelled_with_its_deliveries(self):
        order = self._create_orders([(self.product_a, 2), (self.product_b, 1)])
        self._confirm(order)
        picking = order.picking_ids
        result = self._cancel(order)
        self.assertEqual(
            result,
            {
                order: {
                    "status": "cancelled",
                    "message": f"{order.name} is cancelled.",
                    "rma_id": False,
                }
            },
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertFalse(order.rma_ids)
        self.assertIn(
            f"Cancelled at the request of {self.salesman.name} (sales channel): "
            "Ordered twice",
            self._notes(order)[0],
        )

    def test_cancelling_twice_changes_nothing(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        self._cancel(order)
        messages = order.message_ids
        self.assertEqual(
            self._cancel(order)[order],
            {
                "status": "unchanged",
                "message": f"{order.name} is already cancelled.",
                "rma_id": False,
            },
        )
        self.assertEqual(order.message_ids, messages)

    def test_cancellation_after_a_shipment_opens_an_aftersales_request(self):
        order = self._create_orders([(self.product_a, 4), (self.product_b, 2)])
        self._confirm(order)
        shipped = self._ship(order, {self.product_a: 1, self.product_b: 0})
        backorder = self._open(order)
        result = self._cancel(order)[order]
        rma = order.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertEqual(
            result,
            {
                "status": "aftersales",
                "message": f"{order.name} cannot be cancelled at once: "
                f"{shipped.name} has already shipped. After-sales request "
                f"{rma.name} was opened to stop what has not shipped.",
                "rma_id": rma.id,
            },
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(backorder.state, "assigned")
        self.assertRecordValues(
            rma,
            [
                {
                    "rma_type": "cancel",
                    "state": "draft",
                    "request_origin": "internal",
                    "description": "Ordered twice",
                    "reason_id": self.env.ref(
                        "sale_fulfillment.sale_rma_reason_changed_mind"
                    ).id,
                }
            ],
        )
        self.assertEqual(
            {line.product_id: line.quantity for line in rma.line_ids},
            {self.product_a: 3, self.product_b: 2},
        )
        self.assertTrue(rma.activity_ids)
        self.assertIn(f"after-sales request {rma.name} is open", self._notes(order)[0])
        # Asked again: the open request already holds everything left.
        again = self._cancel(order)[order]
        self.assertEqual(again["status"], "unchanged")
        self.assertEqual(again["rma_id"], rma.id)
        self.assertEqual(order.rma_ids, rma)
        # Confirming the request stops what has not shipped, as any request.
        rma.sudo().action_confirm()
        self.assertEqual(backorder.state, "cancel")
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [1, 0])

    def test_cancellation_of_a_shipped_order_asks_for_a_return(self):
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        shipped = self._ship(order)
        result = self._cancel(order)[order]
        rma = order.rma_ids
        self.assertEqual(rma.rma_type, "return_refund")
        self.assertEqual(rma.line_ids.quantity, 2)
        self.assertEqual(
            result["message"],
            f"{order.name} cannot be cancelled any more: {shipped.name} has "
            f"already shipped. After-sales request {rma.name} was opened to take "
            "the goods back and refund them.",
        )
        self.assertEqual(order.state, "sale")

    def test_started_delivery_or_invoice_opens_a_request_instead(self):
        picked, invoiced = self._create_orders([(self.product_a, 2)], count=2)
        self._confirm(picked | invoiced)
        picked.picking_ids.move_ids.with_user(self.stock_user).picked = True
        invoices = self._invoice(invoiced)
        result = self._cancel(picked | invoiced)
        self.assertEqual(result[picked]["status"], "aftersales")
        self.assertIn(
            f"the goods of {picked.picking_ids.name} are already picked",
            result[picked]["message"],
        )
        self.assertEqual(result[invoiced]["status"], "aftersales")
        self.assertIn(f"it is invoiced ({invoices.name})", result[invoiced]["message"])
        self.assertEqual((picked | invoiced).mapped("state"), ["sale", "sale"])
        self.assertEqual(
            (picked | invoiced).rma_ids.mapped("rma_type"), ["cancel", "cancel"]
        )

    def test_made_to_order_goods_not_started_are_cancelled_with_the_order(self):
        waiting, making = self._create_orders([(self.mto_product, 1)], count=2)
        self._confirm(waiting | making)
        production = making.mrp_production_ids
        form = Form(production.with_user(self.mrp_user))
        form.qty_producing = 1
        form.save()
        self.assertEqual(production.state, "to_close")
        result = self._cancel(waiting | making)
        self.assertEqual(result[waiting]["status"], "cancelled")
        self.assertEqual(waiting.mrp_production_ids.state, "cancel")
        self.assertEqual(result[making]["status"], "aftersales")
        self.assertIn(
            f"its goods are being made ({production.name})",
            result[making]["message"],
        )
        self.assertEqual(production.state, "to_close")

    def test_each_order_of_a_batch_on_its_own(self):
        quotation, confirmed, shipped, cancelled = self._create_orders(
            [(self.product_a, 1)], count=4
        )
        self._confirm(confirmed | shipped)
        self._ship(shipped)
        cancelled._action_cancel()
        orders = quotation | confirmed | shipped | cancelled
        result = self._cancel(orders, source="user")
        self.assertEqual(
            {order: values["status"] for order, values in result.items()},
            {
                quotation: "cancelled",
                confirmed: "cancelled",
                shipped: "aftersales",
                cancelled: "unchanged",
            },
        )
        self.assertEqual(shipped.rma_ids.handler_id, self.salesman)

    def test_a_refused_request_leaves_its_order_as_it_was(self):
        done, fine = self._create_orders([(self.product_a, 1)], count=2)
        self._confirm(done | fine)
        self._ship(done)
        # Every delivered unit already sits in an open request of another
        # kind: nothing is left to request, the order is untouched.
        self.env["sale.rma"].create(
            {
                "order_id": done.id,
                "rma_type": "refund",
                "line_ids": [
                    Command.create({"sale_line_id": done.order_line.id, "quantity": 1})
                ],
            }
        )
        result = self._cancel(done | fine)
        self.assertEqual(result[done]["status"], "unchanged")
        self.assertEqual(result[done]["rma_id"], done.rma_ids.id)
        self.assertEqual(len(done.rma_ids), 1)
        self.assertEqual(result[fine]["status"], "cancelled")

    def _count_check_queries(self, orders):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        blockers = orders.with_user(self.salesman)._get_cancellation_blockers()
        return self.cr.sql_log_count - before, blockers

    def test_the_check_costs_the_same_queries_for_more_orders(self):
        orders = self._create_orders([(self.product_a, 1), (self.product_b, 1)], 8)
        self._confirm(orders)
        for order in orders[::2]:
            order.picking_ids.move_ids.picked = True
        # Once first: the access rules the check reads stay cached after.
        self._count_check_queries(orders)
        few, few_blockers = self._count_check_queries(orders[:2])
        many, many_blockers = self._count_check_queries(orders)
        self.assertEqual(list(few_blockers), [orders[0]])
        self.assertEqual(len(many_blockers), 4)
        self.assertEqual(many, few)

    def test_unknown_source_is_refused(self):
        order = self._create_orders([(self.product_a, 1)])
        with self.assertRaises(UserError) as caught:
            self._cancel(order, source="fax")
        self.assertEqual(
            str(caught.exception), "Unknown source of an order change: fax."
        )
        self.assertEqual(order.state, "draft")


@tagged("post_install", "-at_install")
class TestAddressChangeAllocation(OrderChangeMixin, AllocationCase):
    def test_new_province_allocates_the_order_to_the_other_warehouse(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.cup, 5)
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse,
            name="North",
            sequence=1,
            state_ids=[Command.set(self.beijing.ids)],
        )
        self._warehouse_rule(
            self.hangzhou_warehouse | self.beijing_warehouse, name="South", sequence=2
        )
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        old = order.picking_ids
        self.assertEqual(order.warehouse_id, self.hangzhou_warehouse)
        user = order.user_id
        order.with_user(self.salesman)._change_delivery_address(
            self._new_address(
                street="1 Chang'an Avenue", city="Beijing", state_id=self.beijing.id
            )
        )
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertEqual(old.state, "cancel")
        new = self._open(order)
        self.assertEqual(
            self._delivery_warehouses(order), {self.beijing_warehouse: {self.cup: 2}}
        )
        self.assertEqual(new.partner_id, order.partner_shipping_id)
        self.assertEqual(new.partner_id.street, "1 Chang'an Avenue")
        self.assertEqual(order.user_id, user)
        self.assertIn(
            "Allocated again: now ships from Test Beijing Warehouse.",
            self._notes(order)[0],
        )
        # Another street in the same city changes the address only.
        order.with_user(self.salesman)._change_delivery_address(
            self._new_address(
                street="2 Chang'an Avenue", city="Beijing", state_id=self.beijing.id
            )
        )
        self.assertEqual(self._open(order), new)
        self.assertEqual(new.partner_id.street, "2 Chang'an Avenue")

    def test_allocation_that_cannot_run_again_keeps_the_warehouse(self):
        self._warehouse_rule(self.hangzhou_warehouse | self.beijing_warehouse)
        order = self._order([(self.mto_product, 1)])
        self._confirm(order)
        production = order.sudo().mrp_production_ids
        self.assertTrue(production)
        picking = order.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing"
        )
        order.with_user(self.salesman)._change_delivery_address(
            self._new_address(city="Beijing", state_id=self.beijing.id)
        )
        self.assertNotEqual(picking.state, "cancel")
        self.assertEqual(picking.partner_id.city, "Beijing")
        self.assertIn(
            f"The order keeps its warehouse: Cannot re-allocate {order.name}: the "
            f"manufacturing order {production.name} already makes its goods.",
            self._notes(order)[0],
        )

    def test_allocation_off_leaves_the_warehouse(self):
        switch_capabilities(self.company, "sale_allocation_enabled", on=False)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        picking = order.picking_ids
        order.with_user(self.salesman)._change_delivery_address(
            self._new_address(city="Beijing", state_id=self.beijing.id)
        )
        self.assertEqual(self._open(order), picking)
        self.assertNotIn("Allocated", self._notes(order)[0])
