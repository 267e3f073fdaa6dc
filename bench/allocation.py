"""Cost of order allocation at confirmation.

Confirms 20 ten-line orders of storable goods with the company's order
allocation on and a rule of each kind active, then the same orders with
allocation off (Odoo's own confirmation), in one database and one run,
alternating rounds, and prints the ratio of queries and of time (target: at
most 1.2). Everything is rolled back.

- Warehouses: a rule prefers the main warehouse, then two more, split by line.
  Stock is laid so that 40 % of the orders ship whole from the main warehouse,
  30 % whole from the second, and 30 % are split by line between the second
  and the third (two deliveries each).
- Carriers: a rule takes the cheaper of two carriers priced by zone and weight
  for the customer's province; half the customers are in Zhejiang (both
  deliver, ZTO is cheaper), half in Beijing (only SF delivers).
- Team: every other order arrives without a salesperson; a rule gives it a
  team and the next of three salespeople in turn.

With allocation off, confirmation is Odoo's own and the orders get no carrier:
a user adds it by hand before confirming (*Add shipping*, which rates the
carrier and calls ``set_delivery_line``). The baseline does the same, inside
the measured time, with the carrier allocation chooses: ``rate_shipment()`` and
``set_delivery_line()`` for each order, then ``action_confirm()``. It leaves
the orders without salesperson as they are and ships everything from the main
warehouse, which has the stock of every order there, so that Odoo reserves
every line in both configurations (not only the lines the main warehouse could
cover). Each confirmation starts from the same stock: a savepoint is rolled
back after it.

    python3 bench/allocation.py -d <database with sale_fulfillment> [--orders 20]
        [--rounds 3]

`make bench` runs it on a scratch database.
"""

import statistics
from contextlib import closing

from common import measure, parse_args, superuser_env

from odoo import Command

LINES, QTY = 10, 2
TARGET = 1.2


def make_warehouses(env):
    main = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], order="sequence, id", limit=1
    )
    return main | env["stock.warehouse"].create(
        [
            {"name": "Bench Beijing Warehouse", "code": "BBJW"},
            {"name": "Bench Shanghai Warehouse", "code": "BSHW"},
        ]
    )


def make_products(env):
    return env["product.product"].create(
        [
            {
                "name": f"Bench allocation item {i}",
                "type": "consu",
                "is_storable": True,
                "list_price": 20 + i,
                "weight": 0.1 * (1 + i),
            }
            for i in range(LINES)
        ]
    )


def get_layout(warehouses, orders):
    """How many orders ship whole from the first warehouse, whole from the
    second, and split by line between the second and the third."""
    split = whole_second = orders * 3 // 10
    return {
        "warehouses": warehouses,
        "whole_first": orders - whole_second - split,
        "whole_second": whole_second,
        "split": split,
    }


def add_stock(env, warehouse, products, qty, lines=slice(None)):
    for product in products[lines]:
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, qty * QTY
        )


def stock_for_allocation(env, products, layout):
    """The stock that lays the orders out, in the order they are allocated:
    the first warehouse covers the first orders, the second the next ones,
    then only the odd lines, which leaves the even lines to the third."""
    first, second, third = layout["warehouses"]
    add_stock(env, first, products, layout["whole_first"])
    add_stock(env, second, products, layout["whole_second"])
    add_stock(env, second, products, layout["split"], slice(1, None, 2))
    add_stock(env, third, products, layout["split"], slice(0, None, 2))


def make_carriers(env, zhejiang, beijing):
    fee = env["product.product"].create(
        {"name": "Bench Express Fee", "type": "service", "taxes_id": []}
    )
    return env["delivery.carrier"].create(
        [
            {
                "name": name,
                "delivery_type": "zone_weight",
                "product_id": fee.id,
                "zone_ids": [
                    Command.create(
                        {
                            "country_ids": [Command.set(env.ref("base.cn").ids)],
                            "state_ids": [Command.set(states.ids)],
                            "first_weight": 1.0,
                            "first_price": first,
                            "additional_weight": 1.0,
                            "additional_price": additional,
                        }
                    )
                ],
            }
            for name, states, first, additional in (
                ("Bench SF Express", zhejiang | beijing, 12.0, 2.0),
                ("Bench ZTO Express", zhejiang, 8.0, 1.5),
            )
        ]
    )


def make_rules(env, warehouses, carriers, team, users):
    china = env.ref("base.cn")
    Rule = env["sale.allocation.rule"].with_context(active_test=False)
    Rule.search([]).active = False
    return Rule.create(
        [
            {
                "name": "Bench nearest with stock",
                "rule_type": "warehouse",
                "country_ids": [Command.set(china.ids)],
                "split_policy": "by_line",
                "warehouse_ids": [
                    Command.create({"sequence": index, "warehouse_id": warehouse.id})
                    for index, warehouse in enumerate(warehouses)
                ],
            },
            {
                "name": "Bench cheapest express",
                "rule_type": "carrier",
                "country_ids": [Command.set(china.ids)],
                "carrier_ids": [Command.set(carriers.ids)],
            },
            {
                "name": "Bench online shop",
                "rule_type": "team",
                "team_id": team.id,
                "user_ids": [Command.set(users.ids)],
            },
        ]
    )


def make_orders(env, partners, products, salesperson, count):
    # Every other order arrives without a salesperson (an import, a connector).
    return env["sale.order"].create(
        [
            {
                "partner_id": partners[order_no % len(partners)].id,
                "user_id": salesperson.id if order_no % 2 else False,
                "require_payment": False,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": QTY})
                    for product in products
                ],
            }
            for order_no in range(count)
        ]
    )


def confirm_by_hand(orders, carrier_of):
    """What a user does with allocation off: *Add shipping* with the carrier
    allocation would choose (Odoo rates it, then sets the line), confirm."""
    for order in orders:
        carrier = carrier_of[order.partner_shipping_id]
        rate = carrier.rate_shipment(order)
        assert rate["success"], rate["error_message"]
        order.set_delivery_line(carrier, rate["price"])
    orders.action_confirm()


def check(orders, carrier_of, layout, allocated):
    assert set(orders.mapped("state")) == {"sale"}, "an order is not confirmed"
    assert set(orders.picking_ids.mapped("state")) == {"assigned"}, "not reserved"
    for order in orders:
        assert order.carrier_id == carrier_of[order.partner_shipping_id], order.name
        assert len(order.order_line.filtered("is_delivery")) == 1, order.name
    warehouses = [order.picking_ids.picking_type_id.warehouse_id for order in orders]
    first, second, third = layout["warehouses"]
    without_salesperson = orders.filtered(lambda order: not order.user_id)
    if not allocated:
        assert not orders.filtered("allocated_on"), "allocated with allocation off"
        assert warehouses == [first] * len(orders), "not from the main warehouse"
        assert len(without_salesperson) == (len(orders) + 1) // 2, "salespeople set"
        return
    assert not without_salesperson, "an order has no salesperson"
    expected = (
        [first] * layout["whole_first"]
        + [second] * layout["whole_second"]
        + [second | third] * layout["split"]
    )
    assert warehouses == expected, "the stock did not lay the orders out as planned"


def main():
    args = parse_args(__doc__, (("--orders",), {"type": int, "default": 20}))
    with superuser_env(args.database) as env:
        env["sale.review.rule"].search([]).active = False
        china = env.ref("base.cn")
        zhejiang, beijing = env.ref("base.state_cn_ZJ"), env.ref("base.state_cn_BJ")
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench Customer {city}",
                    "street": "1 Bench Road",
                    "city": city,
                    "zip": zip_code,
                    "state_id": state.id,
                    "country_id": china.id,
                }
                for city, zip_code, state in (
                    ("Hangzhou", "310000", zhejiang),
                    ("Beijing", "100000", beijing),
                )
            ]
        )
        salesperson = env.ref("base.user_admin")
        users = env["res.users"].create(
            [
                {
                    "name": f"Bench Seller {i}",
                    "login": f"bench_allocation_seller_{i}",
                    "groups_id": [
                        Command.set(env.ref("sales_team.group_sale_salesman").ids)
                    ],
                }
                for i in range(3)
            ]
        )
        team = env["crm.team"].create({"name": "Bench Online Shop"})
        products = make_products(env)
        layout = get_layout(make_warehouses(env), args.orders)
        stock_for_allocation(env, products, layout)
        sf, zto = make_carriers(env, zhejiang, beijing)
        carrier_of = {partners[0]: zto, partners[1]: sf}
        make_rules(env, layout["warehouses"], sf | zto, team, users)

        def confirm(allocated):
            with closing(env.cr.savepoint()):
                env.company.sale_allocation_enabled = allocated
                orders = make_orders(env, partners, products, salesperson, args.orders)
                if allocated:
                    cost, _none = measure(env, orders.action_confirm)
                else:
                    main_warehouse = layout["warehouses"][0]
                    add_stock(env, main_warehouse, products, args.orders)
                    cost, _none = measure(
                        env, lambda orders=orders: confirm_by_hand(orders, carrier_of)
                    )
                check(orders, carrier_of, layout, allocated)
                return cost

        # Warm Odoo's caches for both paths.
        confirm(True)
        confirm(False)
        results = {"allocation": [], "odoo": []}
        for _round in range(args.rounds):
            for label, allocated in (("allocation", True), ("odoo", False)):
                results[label].append(confirm(allocated))

    print(
        f"Confirming {args.orders} orders of {LINES} lines ({layout['whole_first']} "
        f"whole from the first warehouse, {layout['whole_second']} from the second, "
        f"{layout['split']} split by line), {args.rounds} rounds"
    )
    for label, costs in results.items():
        print(
            f"  {label:>10}: queries {', '.join(str(q) for q, _s in costs)}; "
            f"time {', '.join(f'{s:.3f}' for _q, s in costs)} s"
        )
    queries = {
        label: statistics.median(q for q, _s in costs)
        for label, costs in results.items()
    }
    seconds = {
        label: statistics.median(s for _q, s in costs)
        for label, costs in results.items()
    }
    print(
        f"  median: allocation {queries['allocation']:.0f} queries "
        f"{seconds['allocation']:.3f} s; Odoo's confirmation with Add shipping "
        f"{queries['odoo']:.0f} queries {seconds['odoo']:.3f} s"
    )
    query_ratio = queries["allocation"] / queries["odoo"]
    time_ratio = seconds["allocation"] / seconds["odoo"]
    met = query_ratio <= TARGET and time_ratio <= TARGET
    print(
        f"  query ratio {query_ratio:.3f}, time ratio {time_ratio:.3f}; "
        f"target: both at most {TARGET}: {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
