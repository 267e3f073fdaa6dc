from datetime import datetime

from odoo import Command
from odoo.tests import tagged

from .common import IntakeCase, switch_review_on


@tagged("post_install", "-at_install")
class TestOrderIntake(IntakeCase):
    """The connector API ``sale.order.channel_intake``: platform orders taken
    in once, with their customer, address, products and payment method."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.tz = "Asia/Shanghai"
        cls.SaleOrder = cls.env["sale.order"].with_user(cls.salesman)

    def _intake(self, *orders):
        return self.SaleOrder.channel_intake(list(orders))

    def _channel_orders(self, channel=None):
        return self.env["sale.order"].search(
            [("medium_id", "=", (channel or self.channel).id)]
        )

    def test_new_order_is_created_confirmed_with_customer_and_address(self):
        [result] = self._intake(self._platform_order("2026120100001"))
        order = self.env["sale.order"].browse(result["order_id"])
        self.assertEqual(
            result,
            {
                "channel_order_ref": "2026120100001",
                "status": "created",
                "order_id": order.id,
                "message": "",
            },
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.medium_id, self.channel)
        self.assertEqual(order.channel_order_ref, "2026120100001")
        self.assertEqual(order.payment_method, "prepaid")
        # 10:30 in Shanghai.
        self.assertEqual(order.date_order, datetime(2026, 12, 1, 2, 30))
        customer = order.partner_id
        self.assertEqual(customer.name, "王小明")
        self.assertEqual(customer.phone, "13800138000")
        self.assertEqual(customer.email, "wang@example.com")
        self.assertEqual(customer.channel_medium_id, self.channel)
        address = order.partner_shipping_id
        self.assertEqual(address.parent_id, customer)
        self.assertEqual(address.type, "delivery")
        self.assertEqual(
            (address.state_id, address.city, address.street2, address.street),
            (self.zhejiang, "杭州市", "西湖区", "文三路 90 号"),
        )
        self.assertEqual(address.country_id, self.env.ref("base.cn"))
        line = order.order_line
        self.assertEqual(
            (line.product_id, line.product_uom_qty, line.price_unit),
            (self.product_a, 2, 9.5),
        )
        self.assertEqual(line.channel_line_ref, "2026120100001-0")

    def test_same_payload_twice_creates_the_order_once(self):
        payload = self._platform_order("2026120100002")
        [first] = self._intake(payload)
        [second] = self._intake(payload)
        self.assertEqual(first["status"], "created")
        self.assertEqual(
            second,
            {
                "channel_order_ref": "2026120100002",
                "status": "unchanged",
                "order_id": first["order_id"],
                "message": "",
            },
        )
        self.assertEqual(len(self._channel_orders()), 1)

    def test_same_order_twice_in_one_call_is_created_once(self):
        payload = self._platform_order("2026120100003")
        results = self._intake(payload, payload)
        self.assertEqual([r["status"] for r in results], ["created", "unchanged"])
        self.assertEqual(len(self._channel_orders()), 1)

    def test_same_number_on_another_channel_is_another_order(self):
        self._intake(self._platform_order("2026120100004"))
        [other] = self._intake(
            self._platform_order("2026120100004", channel="Intake Test Shop")
        )
        self.assertEqual(other["status"], "created")
        self.assertEqual(len(self._channel_orders(self.other_channel)), 1)
        # A buyer of one channel is not the buyer of another.
        self.assertNotEqual(
            self._channel_orders(self.other_channel).partner_id,
            self._channel_orders().partner_id,
        )

    def test_nineteen_digit_order_number_stays_exact(self):
        results = self._intake(
            self._platform_order("3456789012345678901"),
            self._platform_order(4567890123456789012),
        )
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        self.assertEqual(
            set(self._channel_orders().mapped("channel_order_ref")),
            {"3456789012345678901", "4567890123456789012"},
        )

    def test_order_number_rounded_by_a_spreadsheet_is_refused(self):
        [result] = self._intake(self._platform_order("1.23457E+18"))
        self.assertEqual(result["status"], "error")
        self.assertEqual(
            result["message"],
            "The platform order number 1.23457E+18 was turned into a number by a "
            "spreadsheet: its last digits are lost. Format the column as text and "
            "export again.",
        )
        self.assertFalse(self._channel_orders())

    def test_province_without_its_suffix_is_found(self):
        results = self._intake(
            self._platform_order("2026120100010", state="广西"),
            self._platform_order("2026120100011", state="内蒙"),
            self._platform_order("2026120100012", state="浙江省"),
            self._platform_order("2026120100013", state="上海"),
        )
        orders = self.env["sale.order"].browse([r["order_id"] for r in results])
        self.assertEqual(
            orders.mapped("partner_shipping_id.state_id.name"),
            ["广西壮族自治区", "内蒙古自治区", "浙江省", "上海市"],
        )

    def test_unknown_province_is_refused(self):
        [result] = self._intake(
            self._platform_order("2026120100014", state="火星", country="中国")
        )
        self.assertEqual(result["status"], "error")
        self.assertEqual(result["message"], "Unknown province 火星 in China.")

    def test_unknown_sku_refuses_the_whole_order(self):
        [result] = self._intake(
            self._platform_order(
                "2026120100020", lines=[("SF-CUP", 1, 9.5), ("NO-SUCH-SKU", 1, 5)]
            )
        )
        self.assertEqual(result["status"], "error")
        self.assertEqual(
            result["message"],
            "Line NO-SUCH-SKU: No product has the SKU NO-SUCH-SKU: no platform "
            "SKU of Intake Test Mall, internal reference or barcode.",
        )
        self.assertFalse(self._channel_orders())

    def test_sku_matches_mapping_then_reference_then_barcode(self):
        [result] = self._intake(
            self._platform_order(
                "2026120100021",
                lines=[
                    ("CUP-6", 2, 54.0),
                    ("SF-CUP", 1, 9.0),
                    ("6901234567892", 1, 40),
                ],
            )
        )
        order = self.env["sale.order"].browse(result["order_id"])
        self.assertEqual(
            [
                (line.product_id, line.product_uom_qty, line.price_unit)
                for line in order.order_line
            ],
            [
                (self.product_a, 12, 9.0),
                (self.product_a, 1, 9.0),
                (self.product_b, 1, 40.0),
            ],
        )

    def test_combo_mapping_gives_each_product_its_share_of_the_price(self):
        # GIFT-BOX = 2 cups (list 10) + 1 tray (list 40), sold at 54 a box.
        [result] = self._intake(
            self._platform_order("2026120100022", lines=[("GIFT-BOX", 3, 54.0)])
        )
        order = self.env["sale.order"].browse(result["order_id"])
        self.assertEqual(
            [
                (line.product_id, line.product_uom_qty, line.price_unit)
                for line in order.order_line
            ],
            [(self.product_a, 6, 9.0), (self.product_b, 3, 36.0)],
        )
        self.assertAlmostEqual(order.amount_untaxed, 162.0)
        self.assertEqual(
            set(order.order_line.mapped("channel_line_ref")), {"2026120100022-0"}
        )

    def test_one_bad_order_does_not_stop_the_batch(self):
        results = self._intake(
            self._platform_order("2026120100030"),
            self._platform_order("2026120100031", lines=[("SF-CUP", 0, 9.5)]),
            self._platform_order("2026120100032"),
        )
        self.assertEqual(
            [r["status"] for r in results], ["created", "error", "created"]
        )
        self.assertEqual(
            results[1]["message"],
            "Line SF-CUP: The quantity 0 is not a number above zero.",
        )
        self.assertEqual(len(self._channel_orders()), 2)

    def test_customer_is_found_again_by_phone_buyer_id_or_email(self):
        results = self._intake(
            self._platform_order("2026120100040", buyer_ref="tb_wang"),
            self._platform_order(
                "2026120100041", phone="+86 138-0013-8000", partner_name="王先生"
            ),
            self._platform_order(
                "2026120100042", phone="", email="WANG@example.com", street="新地址"
            ),
        )
        orders = self.env["sale.order"].browse([r["order_id"] for r in results])
        self.assertEqual(len(orders.partner_id), 1)
        self.assertEqual(orders.partner_id.channel_buyer_ref, "tb_wang")
        # The same address is reused; another name or street is another one.
        self.assertEqual(len(orders.partner_shipping_id), 3)
        [again] = self._intake(self._platform_order("2026120100043"))
        self.assertEqual(
            self.env["sale.order"].browse(again["order_id"]).partner_shipping_id,
            orders[0].partner_shipping_id,
        )

    def test_cash_on_delivery_aliases(self):
        results = self._intake(
            *(
                self._platform_order(f"20261201000{50 + i}", payment_method=value)
                for i, value in enumerate(
                    ["货到付款", "貨到付款", "COD", "Cash on Delivery", "支付宝", ""]
                )
            )
        )
        orders = self.env["sale.order"].browse([r["order_id"] for r in results])
        self.assertEqual(
            orders.mapped("payment_method"),
            ["cod", "cod", "cod", "cod", "prepaid", "prepaid"],
        )

    def test_unknown_channel_and_missing_number_are_errors(self):
        results = self._intake(
            self._platform_order("2026120100060", channel="No Such Mall"),
            self._platform_order(""),
        )
        self.assertEqual(
            [(r["status"], r["message"]) for r in results],
            [
                ("error", "Unknown channel No Such Mall."),
                ("error", "The platform order number is missing."),
            ],
        )

    def test_carrier_is_found_by_name(self):
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Intake Express",
                "product_id": self.env["product.product"]
                .create({"name": "Intake Express Fee", "type": "service"})
                .id,
            }
        )
        results = self._intake(
            self._platform_order("2026120100070", carrier="intake express"),
            self._platform_order("2026120100071", carrier="Pigeon Post"),
        )
        self.assertEqual(
            self.env["sale.order"].browse(results[0]["order_id"]).carrier_id, carrier
        )
        self.assertEqual(results[1]["status"], "error")
        self.assertEqual(
            results[1]["message"],
            "Unknown carrier Pigeon Post: create the shipping method, or map the "
            "name to one in the import template.",
        )

    def test_remark_sent_again_updates_the_order(self):
        [first] = self._intake(self._platform_order("2026120100080"))
        [second] = self._intake(
            self._platform_order("2026120100080", customer_note="请周末送货")
        )
        self.assertEqual(
            (second["status"], second["message"]), ("updated", "Updated: remark.")
        )
        order = self.env["sale.order"].browse(first["order_id"])
        self.assertEqual(order.customer_note, "请周末送货")

    def test_lines_changed_after_confirmation_are_refused(self):
        [first] = self._intake(self._platform_order("2026120100081"))
        [second] = self._intake(
            self._platform_order("2026120100081", lines=[("SF-CUP", 5, 9.5)])
        )
        order = self.env["sale.order"].browse(first["order_id"])
        self.assertEqual(second["status"], "error")
        self.assertEqual(
            second["message"],
            f"The lines of {order.name} changed on the platform after it was "
            "confirmed: change the order with an after-sales request.",
        )
        self.assertEqual(order.order_line.product_uom_qty, 2)

    def test_lines_of_a_held_order_follow_the_platform(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {"name": "Every order", "rule_type": "amount_above", "threshold": 0}
        )
        [first] = self._intake(self._platform_order("2026120100082"))
        order = self.env["sale.order"].browse(first["order_id"])
        self.assertEqual(order.review_state, "to_review")
        [second] = self._intake(
            self._platform_order("2026120100082", lines=[("SF-CUP", 5, 9.5)])
        )
        self.assertEqual(second["status"], "updated")
        self.assertEqual(order.order_line.product_uom_qty, 5)

    def test_batch_is_confirmed_in_one_pass(self):
        confirmed = []
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder.action_confirm

        def action_confirm(orders):
            confirmed.append(orders.ids)
            return original(orders)

        self.patch(SaleOrder, "action_confirm", action_confirm)
        results = self._intake(
            *(self._platform_order(f"20261201001{i:02d}") for i in range(5))
        )
        self.assertEqual(confirmed, [[r["order_id"] for r in results]])

    def _queries(self, action):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        action()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_intake_costs_a_fixed_number_of_queries_more_than_odoo_create(self):
        """Taking in a batch reads and matches it in a few queries whatever its
        size: against Odoo's own creation of the same customers, addresses and
        orders, the difference does not grow with the batch."""
        SaleOrder = self.env["sale.order"]
        Partner = self.env["res.partner"]
        extras = []
        for size, start in ((10, 100), (20, 200)):
            orders = [
                self._platform_order(
                    f"2026120109{start + i:03d}",
                    lines=[("SF-CUP", 1, 9.5), ("6901234567892", 2, 40)],
                    phone=f"1390000{start + i:04d}",
                )
                for i in range(size)
            ]
            ours = self._queries(
                lambda orders=orders: SaleOrder._intake_create(
                    orders, self.channel, confirm=False
                )
            )
            created = SaleOrder.search(
                [("channel_order_ref", "=like", f"2026120109{start // 100}%")]
            )
            self.assertEqual(len(created), size)

            def odoo_create(created=created):
                customers = Partner.create(
                    [
                        {
                            "name": order.partner_id.name,
                            "phone": order.partner_id.phone,
                            "email": order.partner_id.email,
                            "country_id": order.partner_id.country_id.id,
                            "customer_rank": 1,
                        }
                        for order in created
                    ]
                )
                addresses = Partner.create(
                    [
                        {
                            "name": order.partner_id.name,
                            "parent_id": customer.id,
                            "type": "delivery",
                            "phone": order.partner_shipping_id.phone,
                            "email": order.partner_shipping_id.email,
                            "street": order.partner_shipping_id.street,
                            "street2": order.partner_shipping_id.street2,
                            "city": order.partner_shipping_id.city,
                            "zip": order.partner_shipping_id.zip,
                            "state_id": order.partner_shipping_id.state_id.id,
                            "country_id": order.partner_shipping_id.country_id.id,
                        }
                        for order, customer in zip(created, customers, strict=True)
                    ]
                )
                SaleOrder.create(
                    [
                        {
                            "partner_id": customer.id,
                            "partner_invoice_id": customer.id,
                            "partner_shipping_id": address.id,
                            "medium_id": self.channel.id,
                            "order_line": [
                                Command.create(
                                    {
                                        "product_id": line.product_id.id,
                                        "product_uom_qty": line.product_uom_qty,
                                        "price_unit": line.price_unit,
                                    }
                                )
                                for line in order.order_line
                            ],
                        }
                        for order, customer, address in zip(
                            created, customers, addresses, strict=True
                        )
                    ]
                )

            extras.append(ours - self._queries(odoo_create))
        self.assertLessEqual(extras[1], extras[0], f"extra queries: {extras}")

    def _order(self, result):
        return self.env["sale.order"].browse(result["order_id"])

    def test_new_address_sent_again_moves_the_order_and_its_deliveries(self):
        order = self._order(self._intake(self._platform_order("2026120100090"))[0])
        [result] = self._intake(
            self._platform_order(
                "2026120100090", state="上海", city="上海市", street="淮海中路 88 号"
            )
        )
        self.assertEqual(
            (result["status"], result["message"]),
            ("updated", "Updated: delivery address."),
        )
        address = order.partner_shipping_id
        self.assertEqual(
            (address.state_id.name, address.street), ("上海市", "淮海中路 88 号")
        )
        self.assertEqual(order.picking_ids.partner_id, address)
        self.assertIn(
            "Intake Test Mall", order.message_ids.mapped("body")[0].striptags()
        )

    def test_new_address_after_picking_started_is_refused(self):
        order = self._order(self._intake(self._platform_order("2026120100091"))[0])
        picking = order.picking_ids
        picking.move_ids.with_user(self.stock_user).picked = True
        before = order.partner_shipping_id
        [result] = self._intake(
            self._platform_order("2026120100091", street="淮海中路 88 号")
        )
        self.assertEqual(
            (result["status"], result["message"]),
            (
                "error",
                f"Cannot change the delivery address of {order.name}: the goods of "
                f"{picking.name} are already picked.",
            ),
        )
        self.assertEqual(order.partner_shipping_id, before)
        self.assertEqual(picking.partner_id, before)

    def test_cancelled_on_the_platform_before_shipment_cancels_the_order(self):
        order = self._order(self._intake(self._platform_order("2026120100092"))[0])
        [result] = self._intake(
            self._platform_order(
                "2026120100092", status="cancelled", cancel_reason="买家取消"
            )
        )
        self.assertEqual(
            (result["status"], result["order_id"]), ("cancelled", order.id)
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})
        [again] = self._intake(
            self._platform_order("2026120100092", status="cancelled")
        )
        self.assertEqual(again["status"], "unchanged")

    def test_cancelled_on_the_platform_after_shipment_opens_an_aftersales_request(
        self,
    ):
        order = self._order(self._intake(self._platform_order("2026120100093"))[0])
        shipped = self._ship(order)
        [result] = self._intake(
            self._platform_order("2026120100093", status="cancelled")
        )
        rma = order.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertEqual(result["status"], "updated")
        self.assertIn(f"{shipped.name} has already shipped", result["message"])
        self.assertIn(rma.name, result["message"])
        self.assertEqual(order.state, "sale")

    def test_cancelled_before_it_was_taken_in_creates_nothing(self):
        [result] = self._intake(
            self._platform_order("2026120100094", status="cancelled")
        )
        self.assertEqual((result["status"], result["order_id"]), ("unchanged", False))
        self.assertFalse(self._channel_orders())
