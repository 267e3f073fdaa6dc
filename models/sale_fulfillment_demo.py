"""Months of order history for the demo database.

The demo's own orders are all placed on the day of installation: the Order
Analysis, the KPIs, the backlog and the digests would have nothing to measure.
This model plays a few months of business through Odoo's own flows
(confirmation, shipments, production, invoices, payments, after-sales
requests, ratings) one event after the other in time order, and after each
event dates what the event stamped (the order date, the shipment dates, the
invoice and payment dates, the messages, the stage dates…) at the moment the
event happened. The history is drawn from a seeded random generator relative
to the day of installation, so two installations on the same day are alike.
"""

import random
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

# How far back the history goes, and the seed of its random draws.
HISTORY_DAYS = 120
HISTORY_SEED = 1818

# Customers of the history: partner, delivery address, segment, channels,
# weight in the draw, and when they first order (share of the history).
HISTORY_CUSTOMERS = (
    (
        "demo_partner_jincheng",
        "demo_partner_jincheng_warehouse",
        "b2b",
        ("utm.utm_medium_email",),
        3,
        0.0,
    ),
    (
        "demo_partner_harbor_pine",
        None,
        "export_b2b",
        ("utm.utm_medium_phone", "utm.utm_medium_email"),
        2,
        0.0,
    ),
    (
        "demo_partner_zhang_wei",
        None,
        "b2c",
        ("sale_fulfillment.utm_medium_marketplace",),
        3,
        0.0,
    ),
    ("demo_partner_li_na", None, "b2c", ("utm.utm_medium_website",), 3, 0.1),
    (
        "demo_partner_emma_schneider",
        None,
        "export_b2c",
        ("sale_fulfillment.utm_medium_store", "utm.utm_medium_website"),
        2,
        0.15,
    ),
    (
        "demo_partner_chen_jing",
        None,
        "b2c",
        ("utm.utm_medium_direct", "utm.utm_medium_website"),
        2,
        0.2,
    ),
    (
        "demo_partner_wang_fang",
        None,
        "b2c",
        ("sale_fulfillment.utm_medium_marketplace",),
        3,
        0.35,
    ),
    ("demo_partner_liu_yang", None, "b2c", ("utm.utm_medium_phone",), 2, 0.5),
    ("demo_partner_chayu", None, "b2b", ("utm.utm_medium_email",), 3, 0.45),
    ("demo_partner_zhao_min", None, "b2c", ("utm.utm_medium_website",), 2, 0.7),
)

# Products and the quantities each segment orders of them.
HISTORY_PRODUCTS = {
    "b2b": (
        ("demo_product_celadon_cup", (24, 36, 48, 72, 96)),
        ("demo_product_yixing_teapot", (4, 6, 8, 12)),
        ("demo_product_bamboo_tray", (2, 3, 4, 6)),
        ("demo_product_longjing_tea", (10, 20, 30, 40)),
    ),
    "b2c": (
        ("demo_product_celadon_cup", (2, 4, 6)),
        ("demo_product_yixing_teapot", (1,)),
        ("demo_product_bamboo_tray", (1,)),
        ("demo_product_longjing_tea", (1, 2, 3)),
    ),
}
HISTORY_GIFT_SET = "demo_product_tea_gift_set"

# What the customers write with their ratings, by rating.
HISTORY_FEEDBACK = {
    "zh": {
        5: (
            "包装很仔细，茶杯完好无损。",
            "发货很快，茶叶很新鲜。",
            "非常满意，还会再买。",
        ),
        3: ("东西不错，就是到得有点晚。", "茶盘有点小划痕，整体还可以。"),
        1: ("比承诺的时间晚了好几天。", "包装破了，客服回复也慢。"),
    },
    "en": {
        5: (
            "Beautifully packed, the cups arrived intact.",
            "Fast shipping and fresh tea.",
            "Exactly as described, will order again.",
        ),
        3: (
            "Nice products, but the parcel took a while.",
            "Good, one cup was chipped.",
        ),
        1: ("Several days later than promised.", "The box arrived crushed."),
    },
}
HISTORY_RMA_NOTES = {
    "return_refund": "The item arrived damaged; the customer sends it back.",
    "refund": "A cup was chipped: refunded, the customer keeps the set.",
    "exchange": "The customer prefers another item: exchanged after the return.",
    "reship": "The carrier lost the parcel: shipped again.",
    "cancel": "The customer cancelled before shipment.",
}
HISTORY_RMA_REASONS = {
    "return_refund": ("sale_rma_reason_damaged", "sale_rma_reason_defective"),
    "refund": ("sale_rma_reason_damaged",),
    "exchange": ("sale_rma_reason_changed_mind",),
    "reship": ("sale_rma_reason_lost",),
    "cancel": ("sale_rma_reason_order_change",),
}

# Tables whose rows an event creates: their creation is dated at the event.
HISTORY_STAMPED_MODELS = (
    "sale.order",
    "sale.order.line",
    "sale.review.issue",
    "procurement.group",
    "stock.picking",
    "stock.move",
    "stock.move.line",
    "stock.valuation.layer",
    "stock.quant",
    "mrp.production",
    "mrp.workorder",
    "mrp.workcenter.productivity",
    "account.move",
    "account.move.line",
    "account.payment",
    "account.partial.reconcile",
    "account.full.reconcile",
    "sale.rma",
    "sale.rma.line",
    "rating.rating",
    "mail.message",
    "mail.tracking.value",
    "mail.notification",
    "mail.followers",
    "mail.activity",
)


class SaleFulfillmentDemo(models.AbstractModel):
    _name = "sale.fulfillment.demo"
    _description = "Order Fulfillment Demo History"

    # The plan: what happens to each order, and when

    @api.model
    def _get_history_plan(self, now, seed=HISTORY_SEED, days=HISTORY_DAYS):
        """The orders of the ``days`` before ``now`` and what happened to them,
        drawn from a random generator seeded with ``seed``: a list of dicts
        (``partner``, ``shipping``, ``segment``, ``medium``, ``lines``,
        ``created``, ``confirmed``, ``commitment``, ``shipments``,
        ``delivered``, ``invoiced``, ``paid``, ``rating_requested``, ``rated``,
        ``rating``, ``feedback``, ``produced``, ``cancelled``, ``rma``), in
        order of creation. Times are naive UTC datetimes; what would happen
        after ``now`` is left out, so the recent orders are still open.

        Pure: reads and writes nothing."""
        rng = random.Random(seed)
        start = datetime.combine(now.date() - timedelta(days=days), time())
        plans = []
        gift_sets = 0
        for offset in range(days):
            day = start + timedelta(days=offset)
            progress = offset / days
            # Business grows: from about one order every four days to two
            # every three, fewer at weekends.
            rate = (0.12 + 0.2 * progress) * (0.6 if day.weekday() >= 5 else 1.0)
            count = sum(rng.random() < rate for _attempt in range(2))
            for _order in range(count):
                # 08:30 to 18:00 in China (UTC+8).
                created = day + timedelta(hours=0.5 + rng.random() * 9.5)
                customers = [row for row in HISTORY_CUSTOMERS if row[5] <= progress]
                partner, shipping, segment, media, _weight, _joins = rng.choices(
                    customers, weights=[row[4] for row in customers]
                )[0]
                gift_set = (
                    gift_sets < 3
                    and segment in ("b2b", "export_b2b", "b2c")
                    and 0.15 < progress < 0.8
                    and rng.random() < 0.12
                )
                gift_sets += gift_set
                plan = self._plan_order(
                    rng,
                    now,
                    {
                        "partner": partner,
                        "shipping": shipping,
                        "segment": segment,
                        "medium": rng.choice(media),
                        "created": created,
                    },
                    gift_set,
                )
                if plan["created"] < now:
                    plans.append(plan)
        self._plan_cancellations(rng, now, plans)
        self._plan_open_request(rng, now, plans)
        return plans

    @api.model
    def _plan_order(self, rng, now, plan, gift_set):
        b2b = plan["segment"] in ("b2b", "export_b2b")
        export = plan["segment"].startswith("export")
        if gift_set:
            lines = [(HISTORY_GIFT_SET, rng.choice((2, 3, 4)) if b2b else 1)]
        else:
            products = HISTORY_PRODUCTS["b2b" if b2b else "b2c"]
            chosen = rng.sample(products, rng.choice((2, 3) if b2b else (1, 1, 2)))
            lines = [
                (product, rng.choice(quantities)) for product, quantities in chosen
            ]
        confirmed = plan["created"] + timedelta(minutes=rng.randint(5, 150))
        promise_days = 14 if gift_set else rng.randint(5, 10) if b2b else 2
        commitment = confirmed + timedelta(days=promise_days)
        plan.update(
            lines=lines,
            confirmed=confirmed,
            commitment=commitment,
            client_order_ref=b2b and f"PO-{confirmed:%y%m%d}-{rng.randint(10, 99)}",
            produced=None,
            shipments=[],
            delivered=[],
            invoiced=None,
            paid=None,
            rating_requested=None,
            rated=None,
            rating=None,
            feedback=None,
            cancelled=None,
            rma=None,
        )
        # Prepaid channels: invoiced and paid at once.
        if not b2b:
            plan["invoiced"] = confirmed + timedelta(minutes=2)
            plan["paid"] = confirmed + timedelta(minutes=rng.randint(3, 30))
        # Shipments: mostly on time, a quarter or so late, some in two parts.
        if gift_set:
            plan["produced"] = confirmed + timedelta(days=rng.uniform(8, 16))
            ready = plan["produced"] + timedelta(hours=rng.uniform(3, 30))
        elif rng.random() < 0.78:
            ready = confirmed + timedelta(days=rng.uniform(0.2, promise_days - 0.3))
        else:
            ready = commitment + timedelta(days=rng.uniform(0.5, 4.5))
        if len(lines) > 1 and rng.random() < 0.25:
            product, quantity = lines[0]
            first = {product: max(1, quantity // 2)} if quantity > 1 else {product: 1}
            plan["shipments"] = [
                (ready, first),
                (ready + timedelta(days=rng.uniform(1, 4)), None),
            ]
        else:
            plan["shipments"] = [(ready, None)]
        transit = (5, 9) if export else (1, 3)
        plan["delivered"] = [
            when + timedelta(days=rng.uniform(*transit))
            for when, _qty in plan["shipments"]
        ]
        last_shipped = plan["shipments"][-1][0]
        if b2b:
            plan["invoiced"] = last_shipped + timedelta(hours=rng.uniform(2, 20))
            plan["paid"] = plan["invoiced"] + timedelta(days=rng.uniform(15, 45))
        # Satisfaction: asked a day after delivery, most answer.
        late = last_shipped > commitment
        if rng.random() < 0.7:
            plan["rating_requested"] = plan["delivered"][-1] + timedelta(days=1)
            if rng.random() < 0.7:
                plan["rated"] = plan["rating_requested"] + timedelta(
                    hours=rng.uniform(2, 70)
                )
                weights = (0.35, 0.4, 0.25) if late else (0.75, 0.2, 0.05)
                plan["rating"] = rng.choices((5, 3, 1), weights=weights)[0]
                language = "en" if export else "zh"
                plan["feedback"] = rng.choice(
                    HISTORY_FEEDBACK[language][plan["rating"]]
                )
        # After-sales: a few deliveries come back or are refunded.
        if not gift_set and rng.random() < 0.16:
            plan["rma"] = self._plan_rma(rng, plan, export)
        return self._plan_cut(plan, now)

    @api.model
    def _plan_rma(self, rng, plan, export):
        rma_type = rng.choices(
            ("return_refund", "refund", "exchange", "reship"),
            weights=(0.6, 0.15, 0.1, 0.15),
        )[0]
        product, quantity = rng.choice(plan["lines"])
        created = plan["delivered"][-1] + timedelta(days=rng.uniform(1, 6))
        confirmed = created + timedelta(hours=rng.uniform(2, 20))
        rma = {
            "type": rma_type,
            "reason": rng.choice(HISTORY_RMA_REASONS[rma_type]),
            "lines": [(product, min(quantity, rng.choice((1, 1, 2))))],
            "confirmed": confirmed,
            "received": None,
            "refunded": None,
            "refund_paid": None,
            "replaced": None,
        }
        if rma_type in ("return_refund", "exchange"):
            rma["received"] = confirmed + timedelta(
                days=rng.uniform(8, 12) if export else rng.uniform(3, 7)
            )
        if rma_type == "return_refund":
            rma["refunded"] = rma["received"] + timedelta(hours=rng.uniform(2, 20))
        elif rma_type == "refund":
            rma["refunded"] = confirmed + timedelta(hours=rng.uniform(2, 20))
        elif rma_type == "exchange":
            rma["replaced"] = rma["received"] + timedelta(hours=rng.uniform(4, 30))
        else:
            rma["replaced"] = confirmed + timedelta(hours=rng.uniform(4, 30))
        # The money goes back to the customer; a business customer who has
        # not paid the invoice yet deducts the credit note when paying it.
        if rma["refunded"] and not (
            plan["segment"] in ("b2b", "export_b2b") and plan["paid"] > rma["refunded"]
        ):
            rma["refund_paid"] = rma["refunded"] + timedelta(days=rng.uniform(1, 3))
        return rma

    @api.model
    def _plan_cut(self, plan, now):
        """Leave out what would happen after ``now``, and what depends on it."""

        def past(when):
            return when if when and when < now else None

        for key in ("confirmed", "produced", "invoiced", "paid"):
            plan[key] = past(plan[key])
        if not plan["confirmed"]:
            plan["invoiced"] = plan["paid"] = None
        if plan["produced"] is None and plan["lines"][0][0] == HISTORY_GIFT_SET:
            # Still being made: nothing to ship yet.
            plan["shipments"], plan["delivered"] = [], []
        shipments, delivered = [], []
        for (when, quantities), arrived in zip(
            plan["shipments"], plan["delivered"], strict=True
        ):
            if not plan["confirmed"] or not past(when):
                break
            shipments.append((when, quantities))
            delivered.append(past(arrived))
        plan["shipments"], plan["delivered"] = shipments, delivered
        # The last shipment ships whatever is left.
        complete = bool(shipments) and shipments[-1][1] is None
        if plan["segment"] in ("b2b", "export_b2b") and not complete:
            plan["invoiced"] = plan["paid"] = None
        if not plan["invoiced"]:
            plan["paid"] = None
        if not (complete and delivered and all(delivered)):
            plan["rating_requested"] = None
        plan["rating_requested"] = past(plan["rating_requested"])
        plan["rated"] = plan["rating_requested"] and past(plan["rated"])
        rma = plan["rma"]
        if rma and not (complete and all(delivered) and plan["invoiced"]):
            rma = None
        if rma:
            if not past(rma["confirmed"]):
                rma = None
            else:
                for key in ("received", "refunded", "refund_paid", "replaced"):
                    rma[key] = past(rma[key])
                if rma["type"] == "exchange" and not rma["received"]:
                    rma["replaced"] = None
                if rma["type"] == "return_refund" and not rma["received"]:
                    rma["refunded"] = None
                if not rma["refunded"]:
                    rma["refund_paid"] = None
        plan["rma"] = rma
        return plan

    @api.model
    def _plan_cancellations(self, rng, now, plans):
        """Two customers change their minds before shipment: a business
        customer by phone (the order is cancelled), a web-shop customer
        through an after-sales request (cancelled and refunded)."""
        for segment, through_rma in (("b2b", False), ("b2c", True)):
            candidates = [
                plan
                for plan in plans
                if plan["segment"] == segment
                and plan["confirmed"]
                and plan["shipments"]
                and not plan["produced"]
                and not plan["rma"]
                and plan["shipments"][0][0] < now - timedelta(days=20)
            ]
            if not candidates:
                continue
            plan = rng.choice(candidates)
            plan.update(
                cancelled=plan["confirmed"] + timedelta(hours=rng.uniform(3, 20)),
                shipments=[],
                delivered=[],
                rating_requested=None,
                rated=None,
            )
            if segment == "b2b":
                plan["invoiced"] = plan["paid"] = None
            if through_rma:
                refunded = plan["cancelled"] + timedelta(hours=rng.uniform(1, 6))
                plan["rma"] = {
                    "type": "cancel",
                    "reason": HISTORY_RMA_REASONS["cancel"][0],
                    "lines": list(plan["lines"]),
                    "confirmed": plan["cancelled"],
                    "received": None,
                    "refunded": refunded,
                    "refund_paid": refunded + timedelta(days=1),
                    "replaced": None,
                }
                plan["cancelled"] = None

    @api.model
    def _plan_open_request(self, rng, now, plans):
        """A return under way today: a customer who received their order
        last week sent it back, and the goods are not in yet."""
        candidates = [
            plan
            for plan in plans
            if plan["segment"] in ("b2c", "export_b2c")
            and not plan["rma"]
            and not plan["produced"]
            and plan["delivered"]
            and all(plan["delivered"])
            and plan["shipments"][-1][1] is None
            and now - timedelta(days=12)
            < plan["delivered"][-1]
            < now - timedelta(days=3)
        ]
        if not candidates:
            return
        plan = rng.choice(candidates)
        plan["rma"] = {
            "type": "return_refund",
            "reason": HISTORY_RMA_REASONS["return_refund"][0],
            "lines": [(plan["lines"][0][0], 1)],
            "confirmed": now - timedelta(days=rng.uniform(1, 2)),
            "received": None,
            "refunded": None,
            "refund_paid": None,
            "replaced": None,
        }

    # Playing the plan through Odoo's flows

    @api.model
    def _load_history(self, days=HISTORY_DAYS, seed=HISTORY_SEED):
        """Play the history of ``_get_history_plan`` in the demo company:
        each event through Odoo's own methods, then dated when it happened.
        Called by the demo data (``data/demo/sale_history_demo.xml``)."""
        now = fields.Datetime.now()
        plans = self._get_history_plan(now, seed=seed, days=days)
        if not plans:
            return True
        self = self.with_context(
            mail_notify_force_send=False,
            lang=self.env.ref("base.user_admin").lang or "en_US",
        )
        products = self._history_products(plans)
        self._history_opening_stock(plans, products, plans[0]["created"])
        events = []
        for index, plan in enumerate(plans):
            for step, (when, kind, args) in enumerate(self._history_events(plan)):
                events.append((when, index, step, kind, plan, args))
        events.sort(key=lambda event: event[:3])
        first_message = self._history_max_id("mail.message")
        for when, _index, _step, kind, plan, args in events:
            if kind not in ("create", "confirm") and not plan.get("order"):
                continue
            self._history_play(when, kind, plan, args, products)
        self._history_settle_mails(first_message)
        return True

    @api.model
    def _history_events(self, plan):
        """The events of one order: ``(when, kind, args)``."""
        if not plan["confirmed"]:
            return [(plan["created"], "create", None)]
        events = [(plan["confirmed"], "confirm", None)]
        if plan["invoiced"] and plan["segment"] in ("b2c", "export_b2c"):
            # Paid online at once: invoice and payment are one event.
            events.append((plan["invoiced"], "invoice", None))
        if plan["produced"]:
            events.append((plan["produced"], "produce", None))
        for when, quantities in plan["shipments"]:
            events.append((when, "ship", quantities))
        for number, when in enumerate(plan["delivered"]):
            if when:
                events.append((when, "deliver", number))
        if plan["invoiced"] and plan["segment"] in ("b2b", "export_b2b"):
            events.append((plan["invoiced"], "invoice", None))
        if plan["paid"] and plan["segment"] in ("b2b", "export_b2b"):
            events.append((plan["paid"], "pay", None))
        if plan["rating_requested"]:
            events.append((plan["rating_requested"], "rating_request", None))
        if plan["rated"]:
            events.append((plan["rated"], "rate", None))
        if plan["cancelled"]:
            events.append((plan["cancelled"], "cancel", None))
        rma = plan["rma"]
        if rma:
            events.append((rma["confirmed"], "rma", None))
            for key in ("received", "replaced", "refunded", "refund_paid"):
                if rma[key]:
                    events.append((rma[key], f"rma_{key}", None))
        return events

    @api.model
    def _history_products(self, plans):
        xmlids = {product for plan in plans for product, _qty in plan["lines"]}
        xmlids |= {
            product
            for plan in plans
            if plan["rma"]
            for product, _q in plan["rma"]["lines"]
        }
        return {xmlid: self.env.ref(f"sale_fulfillment.{xmlid}") for xmlid in xmlids}

    @api.model
    def _history_opening_stock(self, plans, products, start):
        """Count in, before the history starts, what the history ships (and
        the components of what it makes), so that the goods the demo's own
        orders find in stock are the same as without the history."""
        needed = {}
        for plan in plans:
            if plan["cancelled"] or (plan["rma"] and plan["rma"]["type"] == "cancel"):
                continue
            for xmlid, quantity in plan["lines"]:
                product = products[xmlid]
                bom = self.env["mrp.bom"]._bom_find(product)[product]
                if bom:
                    for line in bom.bom_line_ids:
                        needed[line.product_id] = (
                            needed.get(line.product_id, 0) + line.product_qty * quantity
                        )
                else:
                    needed[product] = needed.get(product, 0) + quantity
            rma = plan["rma"]
            if rma and rma["type"] in ("exchange", "reship"):
                for xmlid, quantity in rma["lines"]:
                    needed[products[xmlid]] = needed.get(products[xmlid], 0) + quantity
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        quants = self.env["stock.quant"].with_context(inventory_mode=True)
        counted = quants
        for product, quantity in needed.items():
            quant = quants.search(
                [
                    ("product_id", "=", product.id),
                    ("location_id", "=", warehouse.lot_stock_id.id),
                ],
                limit=1,
            )
            if quant:
                quant.inventory_quantity = quant.quantity + quantity
            else:
                quant = quants.create(
                    {
                        "product_id": product.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "inventory_quantity": quantity,
                    }
                )
            counted |= quant
        counted.action_apply_inventory()
        # The demo's stock was counted before the history began, with the
        # count above.
        opening = start - timedelta(days=3)
        counts = self.env["stock.move"].search(
            [
                (
                    "product_id",
                    "in",
                    [product.id for product in products.values()]
                    + [product.id for product in needed],
                ),
                ("state", "=", "done"),
                ("location_id.usage", "=", "inventory"),
            ]
        )
        counts.write({"date": opening})
        counts.move_line_ids.write({"date": opening})
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "UPDATE stock_valuation_layer SET create_date = %s "
                "WHERE stock_move_id IN %s",
                opening,
                tuple(counts.ids) or (0,),
            )
        )

    @api.model
    def _history_play(self, when, kind, plan, args, products):
        """Run one event now, then date what it created and stamped."""
        self.env.flush_all()
        marks = self._history_marks()
        started = fields.Datetime.now()
        # One environment for the whole history: an environment per event
        # would make each new one slower to find than the last.
        getattr(self, f"_history_{kind}")(when, plan, args, products)
        order = plan["order"]
        self.env.flush_all()
        self._history_stamp_rows(marks, when)
        if kind == "confirm" and order:
            # Entered before it was confirmed.
            self.env.execute_query(
                SQL(
                    "UPDATE sale_order SET create_date = %(created)s WHERE id = %(id)s;"
                    " UPDATE sale_order_line SET create_date = %(created)s"
                    " WHERE order_id = %(id)s",
                    created=plan["created"],
                    id=order.id,
                )
            )
            self.env.invalidate_all()
        self._history_stamp_dates(order, when, started)

    @api.model
    def _history_stamped_tables(self):
        """The tables of ``HISTORY_STAMPED_MODELS`` that record creation."""
        return [
            self.env[model]._table
            for model in HISTORY_STAMPED_MODELS
            if model in self.env and self.env[model]._log_access
        ]

    @api.model
    def _history_marks(self):
        """The highest id of each stamped table, in one query."""
        tables = self._history_stamped_tables()
        [row] = self.env.execute_query(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("(SELECT COALESCE(MAX(id), 0) FROM %s)", SQL.identifier(table))
                    for table in tables
                ),
            )
        )
        return dict(zip(tables, row, strict=True))

    @api.model
    def _history_max_id(self, model):
        return self._history_marks()[self.env[model]._table]

    @api.model
    def _history_stamp_rows(self, marks, when):
        """Date the rows the event created at the event, in one query."""
        updates = []
        for table, mark in marks.items():
            columns = ["create_date", "write_date"]
            if table == "mail_message":
                columns.append("date")
            updates.append(
                SQL(
                    "UPDATE %s SET %s WHERE id > %s",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(column), when)
                        for column in columns
                    ),
                    mark,
                )
            )
        self.env.cr.execute(SQL("; ").join(updates))
        self.env.invalidate_all()

    @api.model
    def _history_stamp_dates(self, order, when, started):
        """Date what the event stamped on the order's documents: the stage it
        entered, the shipments it scheduled or sent, the requests it moved."""
        orders = order.sudo()
        moved = orders.filtered(
            lambda order: (
                order.fulfillment_state_date and order.fulfillment_state_date >= started
            )
        )
        if moved:
            moved.write({"fulfillment_state_date": when})
        rmas = orders.rma_ids
        pickings = (
            orders.picking_ids | rmas.return_picking_ids | rmas.replacement_picking_ids
        ).filtered(
            lambda picking: (
                picking.scheduled_date >= started
                and picking.state not in ("done", "cancel")
            )
        )
        if pickings:
            pickings.write({"scheduled_date": when})
        for field in ("confirmed_on", "done_on"):
            stamped = rmas.filtered(
                lambda rma, field=field: rma[field] and rma[field] >= started
            )
            if stamped:
                self.env.execute_query(
                    SQL(
                        "UPDATE sale_rma SET %s = %s WHERE id IN %s",
                        SQL.identifier(field),
                        when,
                        tuple(stamped.ids),
                    )
                )
        self.env.flush_all()
        self.env.invalidate_all()

    # The events

    @api.model
    def _history_create(self, when, plan, _args, products):
        seller = self.env.ref("base.user_demo")
        partner = self.env.ref(f"sale_fulfillment.{plan['partner']}")
        shipping = plan["shipping"] and self.env.ref(
            f"sale_fulfillment.{plan['shipping']}"
        )
        plan["order"] = (
            self.env["sale.order"]
            .with_user(seller)
            .create(
                {
                    "partner_id": partner.id,
                    "partner_shipping_id": (shipping or partner).id,
                    "user_id": seller.id,
                    "medium_id": self.env.ref(plan["medium"]).id,
                    "date_order": when,
                    "commitment_date": plan["commitment"],
                    "client_order_ref": plan["client_order_ref"],
                    "order_line": [
                        Command.create(
                            {
                                "product_id": products[xmlid].id,
                                "product_uom_qty": quantity,
                            }
                        )
                        for xmlid, quantity in plan["lines"]
                    ],
                }
            )
            .with_env(self.env)
        )

    @api.model
    def _history_confirm(self, when, plan, args, products):
        """The salesperson enters the order, then confirms it; an order the
        review rules hold (when the company reviews orders) is approved by the
        administrator."""
        self._history_create(plan["created"], plan, args, products)
        order = plan["order"]
        # Created when the customer called, before the confirmation: the
        # review's duplicate check compares creation times.
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "UPDATE sale_order SET create_date = %s WHERE id = %s",
                plan["created"],
                order.id,
            )
        )
        order.invalidate_recordset(["create_date"])
        order.with_user(self.env.ref("base.user_demo")).action_confirm()
        if order.review_state == "to_review":
            order.with_user(self.env.ref("base.user_admin")).action_review_approve()
            self.env.execute_query(
                SQL(
                    "UPDATE sale_order SET review_held_on = %s, reviewed_on = %s "
                    "WHERE id = %s",
                    when - timedelta(hours=2),
                    when,
                    order.id,
                )
            )
            order.invalidate_recordset()
        if order.state != "sale":
            # Held by a rule the administrator may not clear: the order stays
            # in review and the rest of its history does not happen.
            plan["order"] = self.env["sale.order"]
            return
        order.write({"date_order": when})

    def _history_admin(self, records):
        return records.with_user(self.env.ref("base.user_admin"))

    @api.model
    def _history_invoice(self, when, plan, _args, _products):
        order = plan["order"]
        invoices = self._history_admin(order)._create_invoices()
        invoices.write({"invoice_date": when.date()})
        invoices.action_post()
        if plan["paid"] and plan["segment"] in ("b2c", "export_b2c"):
            self._history_register_payment(invoices, plan["paid"])

    @api.model
    def _history_pay(self, when, plan, _args, _products):
        """The customer pays the invoice, less the credit notes of the order
        not refunded yet."""
        order = plan["order"]
        moves = (order.invoice_ids | order.rma_ids.refund_move_ids).filtered(
            lambda move: (
                move.move_type in ("out_invoice", "out_refund")
                and move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
            )
        )
        self._history_register_payment(moves, when)

    @api.model
    def _history_register_payment(self, moves, when):
        if not moves:
            return
        self._history_admin(self.env["account.payment.register"]).with_context(
            active_model="account.move", active_ids=moves.ids
        ).create(
            {"payment_date": when.date(), "group_payment": True}
        )._create_payments()

    @api.model
    def _history_produce(self, when, plan, _args, _products):
        productions = plan["order"].mrp_production_ids.filtered(
            lambda production: production.state not in ("done", "cancel")
        )
        productions = self._history_admin(productions)
        productions.action_assign()
        productions.button_mark_done()
        for production in productions.sudo():
            hours = sum(production.workorder_ids.mapped("duration_expected")) / 60
            start = when - timedelta(hours=max(hours, 1.0))
            production.with_context(force_date=True).write(
                {"date_start": start, "date_finished": when}
            )
            for workorder in production.workorder_ids:
                workorder.time_ids.write({"date_start": start, "date_end": when})
                workorder.write({"date_start": start, "date_finished": when})
            moves = production.move_raw_ids | production.move_finished_ids
            moves.write({"date": when})
            moves.move_line_ids.write({"date": when})

    @api.model
    def _history_validate(self, pickings, when, quantities=None):
        """Ship (or receive) ``pickings``: everything, or ``quantities`` per
        product with the rest in a backorder; then date them at ``when``."""
        pickings = self._history_admin(pickings)
        for move in pickings.move_ids:
            if quantities is not None:
                move.quantity = quantities.get(move.product_id, 0.0)
            else:
                move.quantity = move.product_uom_qty
            move.picked = True
        # No backorder wizard (the rest goes to a backorder) and no SMS
        # question: the warehouse answered them back then.
        pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
        done = pickings.sudo().filtered(lambda picking: picking.state == "done")
        done.write({"date_done": when})
        done.move_ids.filtered(lambda move: move.state == "done").write({"date": when})
        done.move_ids.move_line_ids.write({"date": when})
        return done

    @api.model
    def _history_ship(self, when, plan, quantities, products):
        order = plan["order"]
        pickings = order.picking_ids.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.state not in ("done", "cancel", "draft")
            )
        )
        if quantities is not None:
            quantities = {
                products[xmlid]: quantity for xmlid, quantity in quantities.items()
            }
        self._history_validate(pickings, when, quantities)

    @api.model
    def _history_deliver(self, when, plan, number, _products):
        shipments = (
            plan["order"]
            .picking_ids.filtered(
                lambda picking: (
                    picking.picking_type_code == "outgoing" and picking.state == "done"
                )
            )
            .sorted("date_done")
        )
        if number < len(shipments):
            self._history_admin(shipments[number])._action_mark_delivered(
                delivered_on=when
            )

    @api.model
    def _history_rating_request(self, when, plan, _args, _products):
        order = plan["order"].sudo()
        order._send_rating_request()
        order.write({"rating_request_sent_on": when})

    @api.model
    def _history_rate(self, when, plan, _args, _products):
        order = plan["order"].sudo()
        token = order._get_rating_pending_token()
        if token:
            order.rating_apply(plan["rating"], token=token, feedback=plan["feedback"])
            rating = self.env["rating.rating"].search([("access_token", "=", token)])
            self.env.flush_all()
            self.env.execute_query(
                SQL(
                    "UPDATE rating_rating SET write_date = %s WHERE id IN %s",
                    when,
                    tuple(rating.ids),
                )
            )

    @api.model
    def _history_cancel(self, when, plan, _args, _products):
        self._history_admin(plan["order"])._action_cancel()

    @api.model
    def _history_rma(self, when, plan, _args, products):
        order = plan["order"]
        rma = plan["rma"]
        lines = []
        for xmlid, quantity in rma["lines"]:
            sale_line = order.order_line.filtered(
                lambda line, xmlid=xmlid: line.product_id == products[xmlid]
            )[:1]
            lines.append(
                Command.create({"sale_line_id": sale_line.id, "quantity": quantity})
            )
        # Numbered in the year it was filed.
        requests = self._history_admin(self.env["sale.rma"]).with_context(
            ir_sequence_date=fields.Date.to_string(when.date())
        )
        request = requests.create(
            {
                "order_id": order.id,
                "rma_type": rma["type"],
                "reason_id": self.env.ref(f"sale_fulfillment.{rma['reason']}").id,
                "handler_id": self.env.ref("base.user_admin").id,
                "description": HISTORY_RMA_NOTES[rma["type"]],
                "line_ids": lines,
            }
        )
        request.action_confirm()
        rma["record"] = request.with_env(self.env)

    @api.model
    def _history_rma_received(self, when, plan, _args, _products):
        request = plan["rma"]["record"]
        returns = request.return_picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )
        self._history_validate(returns, when)

    @api.model
    def _history_rma_replaced(self, when, plan, _args, _products):
        request = plan["rma"]["record"]
        replacements = request.replacement_picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel", "draft")
        )
        self._history_validate(replacements, when)

    @api.model
    def _history_rma_refunded(self, when, plan, _args, _products):
        request = plan["rma"]["record"]
        refunds = (request.refund_move_ids | request.invoice_move_ids).filtered(
            lambda move: move.state == "draft"
        )
        if refunds:
            refunds.write({"invoice_date": when.date()})
            self._history_admin(refunds).action_post()

    @api.model
    def _history_rma_refund_paid(self, when, plan, _args, _products):
        request = plan["rma"]["record"]
        refunds = request.refund_move_ids.filtered(
            lambda move: (
                move.state == "posted" and move.payment_state in ("not_paid", "partial")
            )
        )
        self._history_register_payment(refunds, when)

    @api.model
    def _history_settle_mails(self, first_message):
        """The emails of the history went out when it happened: mark them
        sent as Odoo does once the mail server accepted them, instead of
        leaving months of mail in the queue."""
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", ">", first_message),
                    ("state", "=", "outgoing"),
                ]
            )
        )
        if mails:
            partners = (
                mails.recipient_ids
                | mails.mail_message_id.notification_ids.res_partner_id
            )
            mails.write({"state": "sent"})
            mails._postprocess_sent_message(success_pids=partners)
