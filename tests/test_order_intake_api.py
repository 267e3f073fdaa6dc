import contextlib
import io
import os
import re

from odoo.modules import get_module_path
from odoo.tests import HttpCase, tagged

from .common import switch_capabilities

# The README's example of the connector API, as a user copies it.
EXAMPLE = re.compile(r"<!-- channel_intake example -->\n```python\n(.*?)```", re.S)


@tagged("post_install", "-at_install")
class TestOrderIntakeApi(HttpCase):
    """The connector API over Odoo's external API, as the README shows it."""

    def _run_readme_example(self):
        with open(os.path.join(get_module_path("sale_fulfillment"), "README.md")) as f:
            code = EXAMPLE.search(f.read()).group(1)
        output = io.StringIO()
        environ = {
            "ODOO_URL": self.base_url(),
            "ODOO_DB": self.env.cr.dbname,
            "ODOO_LOGIN": "admin",
            "ODOO_PASSWORD": "admin",
        }
        # The requests read the database: what this test wrote must be there.
        self.env.flush_all()
        saved = {name: os.environ.get(name) for name in environ}
        os.environ.update(environ)
        try:
            with contextlib.redirect_stdout(output):
                exec(compile(code, "README.md", "exec"), {})
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name)
                else:
                    os.environ[name] = value
        self.env.invalidate_all()
        return output.getvalue().split()

    def test_readme_example_creates_the_order_once(self):
        switch_capabilities(self.env.company, on=False)
        ref, status, order_id = self._run_readme_example()
        self.assertEqual((ref, status), ("3901264587120099001", "created"))
        order = self.env["sale.order"].browse(int(order_id))
        self.assertEqual(order.channel_order_ref, "3901264587120099001")
        self.assertEqual(
            order.medium_id, self.env.ref("sale_fulfillment.utm_medium_marketplace")
        )
        self.assertEqual(order.payment_method, "cod")
        self.assertEqual(
            order.partner_shipping_id.state_id, self.env.ref("base.state_cn_ZJ")
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            self._run_readme_example(), ["3901264587120099001", "unchanged", order_id]
        )
