"""Cost of a return and refund: our after-sales request against Odoo's own path.

On the same kind of delivered and invoiced 50-line order (products invoiced on
delivered quantities), takes part of every line back and credits it:

- ours: create a ``sale.rma`` of type ``return_refund`` and confirm it (the return
  is created), validate the return (the credit note is drafted on receipt);
- Odoo's: the return wizard on the delivery (``stock.return.picking``), validate
  the return, then ``sale.order._create_invoices(final=True)``, which drafts the
  credit note of the returned quantities.

Alternates the two in each round and prints the medians of queries and time and
their ratios (target: ours at most 1.3 times Odoo's). Everything is rolled back.

    python3 bench/aftersales.py -d <database with sale_fulfillment> [--lines 50]

`make bench` runs it on a scratch database.
"""

import statistics

from common import measure, parse_args, superuser_env

from odoo import Command


def returned(index):
    return 1 + index % 3


def make_order(env, partner, products):
    """A confirmed order of 10 of each product, delivered and invoiced."""
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 10})
                for product in products
            ],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
    picking.move_ids.picked = True
    picking.button_validate()
    order._create_invoices().action_post()
    env.flush_all()
    env.invalidate_all()
    return order


def receive(picking):
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
    picking.move_ids.picked = True
    picking.button_validate()


def ours(env, order):
    def request():
        rma = env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "refund_timing": "on_receipt",
                "line_ids": [
                    Command.create(
                        {"sale_line_id": line.id, "quantity": returned(index)}
                    )
                    for index, line in enumerate(order.order_line)
                ],
            }
        )
        rma.action_confirm()
        return rma

    requesting, rma = measure(env, request)
    receiving, _ = measure(env, lambda: receive(rma.return_picking_ids))
    return (requesting, receiving), rma.refund_move_ids


def odoos(env, order):
    picking = order.picking_ids

    def request():
        wizard = (
            env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for index, line in enumerate(wizard.product_return_moves):
            line.write({"quantity": returned(index), "to_refund": True})
        return wizard._create_return()

    requesting, back = measure(env, request)
    receiving, _ = measure(env, lambda: receive(back))
    crediting, refund = measure(env, lambda: order._create_invoices(final=True))
    return (requesting, receiving, crediting), refund


def check(order, refund):
    lines = len(order.order_line)
    assert refund.move_type == "out_refund", "no credit note"
    expected = sum(returned(i) for i in range(lines))
    assert sum(refund.invoice_line_ids.mapped("quantity")) == expected
    assert sum(order.order_line.mapped("qty_delivered")) == 10 * lines - expected
    assert not any(order.order_line.mapped("qty_to_invoice")), "left to invoice"


def main():
    args = parse_args(__doc__, (("--lines",), {"type": int, "default": 50}))
    with superuser_env(args.database) as env:
        env["sale.review.rule"].search([]).active = False
        partner = env["res.partner"].create({"name": "Bench Returner"})
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench returned item {i}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 10.0 + i,
                    "invoice_policy": "delivery",
                }
                for i in range(args.lines)
            ]
        )
        stock = env.ref("stock.stock_location_stock")
        for product in products:
            env["stock.quant"]._update_available_quantity(product, stock, 1e6)

        results = {"ours": [], "odoo": []}
        for _round in range(args.rounds):
            order = make_order(env, partner, products)
            costs, refund = ours(env, order)
            check(order, refund)
            results["ours"].append(costs)
            order = make_order(env, partner, products)
            costs, refund = odoos(env, order)
            check(order, refund)
            results["odoo"].append(costs)

    def median(label, index):
        return statistics.median(
            sum(step[index] for step in steps) for steps in results[label]
        )

    ours_q, ours_t = median("ours", 0), median("ours", 1)
    odoo_q, odoo_t = median("odoo", 0), median("odoo", 1)
    print(
        f"Return and refund of part of every line of a {args.lines}-line delivered "
        f"and invoiced order, median of {args.rounds} rounds"
    )
    print(
        f"  ours (request, confirm, receive; credit note on receipt): "
        f"{ours_q} queries, {ours_t:.3f} s"
    )
    print(
        f"  Odoo (return wizard, receive, Create Invoice): "
        f"{odoo_q} queries, {odoo_t:.3f} s"
    )
    print(
        f"  ratio ours/Odoo: queries {ours_q / odoo_q:.3f}, time {ours_t / odoo_t:.3f}"
    )
    print("  target: both ratios at most 1.3")


if __name__ == "__main__":
    main()
