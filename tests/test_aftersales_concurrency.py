import psycopg2

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestAftersalesConcurrency(ConcurrencyCase):
    """Two clerks returning goods of the same sale line at the same time: 5 were
    delivered, each asks for 3."""

    def setUp(self):
        super().setUp()
        with self._transaction() as env:
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            partner = env["res.partner"].create(
                {
                    "name": "Concurrent Returner",
                    "street": "9 Lane",
                    "city": "Suzhou",
                    "zip": "215000",
                    "country_id": env.ref("base.cn").id,
                    "phone": "+86 512 0000 0001",
                    "email": "returner@example.com",
                }
            )
            product = env["product.product"].create(
                {"name": "Concurrent Kettle", "type": "consu", "is_storable": True}
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 6
            )
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 5}
                        ),
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1}
                        ),
                    ],
                }
            )
            self.ids = (order.id, product.id, partner.id)
            self.addCleanup(self._cleanup)
            order.action_confirm()
            self.assertEqual(order.state, "sale")
            picking = order.picking_ids
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking.button_validate()
            # The order is in after-sales already (a re-ship of the other line
            # waits): the two clerks below meet on the returned line only.
            env["sale.rma"].create(
                {
                    "order_id": order.id,
                    "rma_type": "reship",
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": order.order_line[1].id, "quantity": 1}
                        )
                    ],
                }
            )
            env.cr.commit()

    def _cleanup(self):
        order_id, product_id, partner_id = self.ids
        with self._transaction() as env:
            # Done moves cannot be deleted through the ORM: these rows exist for
            # this test only, so they go in SQL.
            cr = env.cr
            cr.execute(
                "SELECT id FROM procurement_group WHERE sale_id = %s", [order_id]
            )
            group_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute("DELETE FROM sale_rma WHERE order_id = %s", [order_id])
            cr.execute(
                "SELECT DISTINCT picking_id FROM stock_move WHERE product_id = %s",
                [product_id],
            )
            picking_ids = tuple(row[0] for row in cr.fetchall() if row[0]) or (0,)
            for table in ("stock_valuation_layer", "stock_move_line", "stock_move"):
                cr.execute(f"DELETE FROM {table} WHERE product_id = %s", [product_id])
            cr.execute("DELETE FROM stock_picking WHERE id IN %s", [picking_ids])
            cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [product_id])
            cr.execute("DELETE FROM sale_order WHERE id = %s", [order_id])
            cr.execute("DELETE FROM procurement_group WHERE id IN %s", [group_ids])
            product = env["product.product"].browse(product_id)
            template = product.product_tmpl_id
            cr.execute("DELETE FROM product_product WHERE id = %s", [product_id])
            cr.execute("DELETE FROM product_template WHERE id = %s", [template.id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])
            env.cr.commit()

    def _request(self, env):
        order = env["sale.order"].browse(self.ids[0])
        return env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 3}
                    )
                ],
            }
        )

    def _returned(self, env):
        order = env["sale.order"].browse(self.ids[0])
        return sum(
            order.rma_ids.filtered(
                lambda rma: rma.state != "draft" and rma.rma_type == "return_refund"
            ).line_ids.mapped("quantity")
        )

    def test_second_clerk_requesting_while_the_first_one_does_is_refused(self):
        with self._two_transactions() as (first_env, second_env):
            first = self._request(first_env)
            with self.assertRaisesRegex(UserError, "Somebody else is handling"):
                self._request(second_env)
            first.action_confirm()
            first_env.cr.commit()
            second_env.cr.rollback()
        with self._transaction() as env:
            self.assertEqual(self._returned(env), 3)

    def test_clerk_who_read_before_the_other_committed_must_start_again(self):
        with self._two_transactions() as (first_env, second_env):
            order = second_env["sale.order"].browse(self.ids[0])
            # The second clerk's transaction sees 5 returnable from now on.
            self.assertEqual(order.order_line[0].qty_delivered, 5)
            self._request(first_env).action_confirm()
            first_env.cr.commit()
            # Its lock tells it that the line changed meanwhile: Odoo replays
            # the whole request, which then sees what the first clerk did.
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._request(second_env)
            second_env.cr.rollback()
        with self._transaction() as env:
            self.assertEqual(self._returned(env), 3)
            # Replayed, the request is refused: only 2 are left.
            with self.assertRaisesRegex(UserError, "Only 2.0 Units"):
                self._request(env)
            env.cr.rollback()

    def test_confirming_the_same_request_twice_at_once_returns_once(self):
        with self._transaction() as env:
            rma_id = self._request(env).id
            env.cr.commit()
        with self._two_transactions() as (first_env, second_env):
            first_env["sale.rma"].browse(rma_id).action_confirm()
            with self.assertRaisesRegex(UserError, "Somebody else is handling"):
                second_env["sale.rma"].browse(rma_id).action_confirm()
            first_env.cr.commit()
            second_env.cr.rollback()
        with self._transaction() as env:
            rma = env["sale.rma"].browse(rma_id)
            self.assertEqual(rma.state, "waiting_return")
            self.assertEqual(len(rma.return_picking_ids), 1)


@tagged("post_install", "-at_install")
class TestAftersalesReturnsConcurrency(ConcurrencyCase):
    """One request returns goods of two deliveries of an invoiced order: two
    returns, validated by two warehouse clerks at the same moment. The credit
    note waits for both."""

    def setUp(self):
        super().setUp()
        with self._transaction() as env:
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            partner = env["res.partner"].create(
                {
                    "name": "Concurrent Double Returner",
                    "street": "10 Lane",
                    "city": "Suzhou",
                    "zip": "215000",
                    "country_id": env.ref("base.cn").id,
                    "email": "double.returner@example.com",
                }
            )
            products = env["product.product"].create(
                [
                    {
                        "name": name,
                        "type": "consu",
                        "is_storable": True,
                        "invoice_policy": "order",
                        "list_price": 20.0,
                    }
                    for name in ("Concurrent Bowl", "Concurrent Plate")
                ]
            )
            for product in products:
                env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, 2
                )
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                        for product in products
                    ],
                }
            )
            self.ids = (order.id, products.ids, partner.id)
            self.addCleanup(self._cleanup)
            env["sale.review.rule"].search([]).action_archive()
            order.action_confirm()
            self.assertEqual(order.state, "sale")
            # Shipped in two deliveries: the bowls, then the plates.
            picking = order.picking_ids
            for move in picking.move_ids:
                shipped = move.product_id == products[0]
                move.quantity = move.product_uom_qty if shipped else 0
                move.picked = shipped
            picking._action_done()
            backorder = order.picking_ids - picking
            for move in backorder.move_ids:
                move.quantity = move.product_uom_qty
            backorder.move_ids.picked = True
            backorder.button_validate()
            order._create_invoices().action_post()
            # Something is left to invoice (gift wrapping added afterwards): the
            # returns change nothing else on the order.
            wrapping = env["product.product"].create(
                {
                    "name": "Concurrent Gift Wrapping",
                    "type": "service",
                    "invoice_policy": "order",
                    "list_price": 5.0,
                }
            )
            self.ids = (order.id, products.ids + wrapping.ids, partner.id)
            order.order_line = [
                Command.create({"product_id": wrapping.id, "product_uom_qty": 1})
            ]
            self.assertEqual(order.invoice_status, "to invoice")
            rma = env["sale.rma"].create(
                {
                    "order_id": order.id,
                    "rma_type": "return_refund",
                    "refund_timing": "on_receipt",
                    "line_ids": [
                        Command.create({"sale_line_id": line.id, "quantity": 1})
                        for line in order.order_line
                        if line.product_id in products
                    ],
                }
            )
            rma.action_confirm()
            self.assertEqual(len(rma.return_picking_ids), 2)
            self.rma_id = rma.id
            self.return_ids = rma.return_picking_ids.sorted("id").ids
            env.cr.commit()

    def _cleanup(self):
        order_id, product_ids, partner_id = self.ids
        with self._transaction() as env:
            # Done moves and posted invoices cannot be deleted through the ORM:
            # these rows exist for this test only, so they go in SQL.
            cr = env.cr
            products = tuple(product_ids)
            cr.execute(
                "SELECT id FROM procurement_group WHERE sale_id = %s", [order_id]
            )
            group_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute("DELETE FROM sale_rma WHERE order_id = %s", [order_id])
            cr.execute(
                "SELECT DISTINCT move_id FROM account_move_line WHERE product_id IN %s",
                [products],
            )
            account_move_ids = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute(
                "SELECT DISTINCT picking_id FROM stock_move WHERE product_id IN %s",
                [products],
            )
            picking_ids = tuple(row[0] for row in cr.fetchall() if row[0]) or (0,)
            for table in ("stock_valuation_layer", "stock_move_line", "stock_move"):
                cr.execute(f"DELETE FROM {table} WHERE product_id IN %s", [products])
            cr.execute("DELETE FROM account_move WHERE id IN %s", [account_move_ids])
            cr.execute("DELETE FROM stock_picking WHERE id IN %s", [picking_ids])
            cr.execute("DELETE FROM stock_quant WHERE product_id IN %s", [products])
            cr.execute("DELETE FROM sale_order WHERE id = %s", [order_id])
            cr.execute("DELETE FROM procurement_group WHERE id IN %s", [group_ids])
            templates = tuple(
                env["product.product"].browse(product_ids).product_tmpl_id.ids
            )
            cr.execute("DELETE FROM product_product WHERE id IN %s", [products])
            cr.execute("DELETE FROM product_template WHERE id IN %s", [templates])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])
            env.cr.commit()

    def _validate(self, env, picking_id):
        picking = env["stock.picking"].browse(picking_id)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()

    def test_two_returns_validated_at_once_issue_the_refund(self):
        first_id, second_id = self.return_ids
        with self._two_transactions() as (first_env, second_env):
            # The second clerk's transaction sees both returns open from now on.
            self.assertEqual(
                second_env["stock.picking"].browse(first_id).state, "assigned"
            )
            self._validate(first_env, first_id)
            first_env.cr.commit()
            # It learns that the request changed meanwhile: Odoo replays the
            # whole request, which then sees the first return done.
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._validate(second_env, second_id)
            second_env.cr.rollback()
        with self._transaction() as env:
            self._validate(env, second_id)
            env.cr.commit()
        with self._transaction() as env:
            rma = env["sale.rma"].browse(self.rma_id)
            self.assertEqual(set(rma.return_picking_ids.mapped("state")), {"done"})
            self.assertEqual(rma.state, "received")
            self.assertEqual(len(rma.refund_move_ids), 1)
            self.assertEqual(
                rma.refund_move_ids.invoice_line_ids.mapped("quantity"), [1.0, 1.0]
            )
