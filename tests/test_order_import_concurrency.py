import base64
import threading

from odoo import Command
from odoo.tests import tagged

from .common import CAPABILITIES, ConcurrencyCase, csv_file, switch_capabilities


@tagged("post_install", "-at_install")
class TestOrderImportConcurrency(ConcurrencyCase):
    """Two users importing the same platform order at the same moment, each
    in their own transaction: the order is created once."""

    def setUp(self):
        super().setUp()
        with self._transaction() as env:
            company = env.company
            before = {name: company[name] for name in CAPABILITIES}
            # Nothing holds or allocates the orders: the test is about numbers.
            switch_capabilities(company, on=False)
            medium = env["utm.medium"].create({"name": "Concurrent Import Mall"})
            product = env["product.product"].create(
                {
                    "name": "Concurrent Gift Card",
                    "type": "service",
                    "default_code": "CONC-CARD",
                    "list_price": 50.0,
                }
            )
            template = env["sale.order.import.template"].create(
                {
                    "name": "Concurrent Import Mall export",
                    "medium_id": medium.id,
                    "column_ids": [
                        Command.create({"target": target, "header": header})
                        for target, header in (
                            ("channel_order_ref", "Order ID"),
                            ("partner_name", "Recipient"),
                            ("phone", "Phone"),
                            ("sku", "SKU"),
                            ("quantity", "Quantity"),
                        )
                    ],
                }
            )
            env.cr.commit()
            self.ids = (medium.id, product.id, template.id, before)
            self.addCleanup(self._cleanup)

    def _cleanup(self):
        medium_id, product_id, template_id, before = self.ids
        with self._transaction() as env:
            orders = env["sale.order"].search([("medium_id", "=", medium_id)])
            orders._action_cancel()
            orders.unlink()
            env["sale.order.import"].search(
                [("template_id", "=", template_id)]
            ).unlink()
            env["sale.order.import.template"].browse(template_id).unlink()
            partners = env["res.partner"].search(
                [("channel_medium_id", "=", medium_id)]
            )
            (partners.child_ids | partners).unlink()
            env["product.product"].browse(product_id).unlink()
            env["utm.medium"].browse(medium_id).unlink()
            env.company.write(before)
            env.cr.commit()

    def test_two_imports_of_the_same_order_at_once_create_it_once(self):
        medium_id, _product_id, template_id, _before = self.ids
        data = base64.b64encode(
            csv_file(
                [
                    ("Order ID", "Recipient", "Phone", "SKU", "Quantity"),
                    ("CONC-20261201-1", "王小明", "13800138000", "CONC-CARD", 1),
                ]
            )
        )
        errors = []
        with self._two_transactions() as (first_env, second_env):
            first, second = (
                env["sale.order.import"].create(
                    {"template_id": template_id, "file": data, "filename": "a.csv"}
                )
                for env in (first_env, second_env)
            )
            first.action_import()

            def import_second():
                try:
                    second.action_import()
                except Exception as error:  # reported below, in the test thread
                    errors.append(error)

            thread = threading.Thread(target=import_second)
            thread.start()
            # The second waits for the order the first saved but has not
            # committed, then finds it there.
            thread.join(0.5)
            first_env.cr.commit()
            thread.join(10)
            self.assertFalse(thread.is_alive())
            self.assertFalse(errors)
            second_env.cr.commit()
            second_id = second.id

        with self._transaction() as env:
            orders = env["sale.order"].search(
                [
                    ("medium_id", "=", medium_id),
                    ("channel_order_ref", "=", "CONC-20261201-1"),
                ]
            )
            self.assertEqual(len(orders), 1)
            row = env["sale.order.import"].browse(second_id).row_ids
            self.assertEqual(row.status, "duplicate")
            self.assertEqual(
                row.message, "Another import saved this order at the same moment."
            )
