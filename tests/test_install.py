import re
import shutil
import subprocess
import sys

import odoo
from odoo.tests import BaseCase, tagged
from odoo.tools import config

from .common import CAPABILITIES

PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)

# A numbering scheme with a counter of its own, used once, before uninstalling.
NUMBER_AN_ORDER = """
env.company.sale_numbering_enabled = True
scheme = env["sale.order.numbering"].create(
    {"name": "Install test", "numbering_type": "dated", "prefix": "IT"}
)
partner = env["res.partner"].create({"name": "Install test"})
env["sale.order"].create({"partner_id": partner.id})
env.cr.commit()
"""

UNINSTALL = """
module = env["ir.module.module"].search([("name", "=", "sale_fulfillment")])
module.button_immediate_uninstall()
"""


@tagged("post_install", "-at_install")
class TestInstallUninstall(BaseCase):
    """Install the addon in a new database without demo data, as a company would,
    then uninstall it; both must leave a clean log and a clean database."""

    def _odoo(self, *args, stdin=None):
        command = [
            sys.executable,
            "-m",
            "odoo",
            *args,
            "-d",
            self.db_name,
            f"--addons-path={config['addons_path']}",
            f"--data-dir={config['data_dir']}",
            "--log-level=warn",
            "--no-http",
        ]
        result = subprocess.run(
            command, input=stdin, capture_output=True, text=True, timeout=900
        )
        log = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, log)
        self.assertFalse(PROBLEM.findall(log), log)
        return log

    def _drop_database(self):
        odoo.sql_db.close_db(self.db_name)
        subprocess.run(["dropdb", "--if-exists", self.db_name], check=True)
        shutil.rmtree(config.filestore(self.db_name), ignore_errors=True)

    def _query(self, sql, params=()):
        with odoo.sql_db.db_connect(self.db_name).cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()

    def test_addon_installs_and_uninstalls_cleanly(self):
        self.db_name = f"{config['db_name']}_install"
        self._drop_database()
        self.addCleanup(self._drop_database)

        self._odoo("-i", "sale_fulfillment", "--without-demo=all", "--stop-after-init")
        self.assertEqual(
            self._query(
                "SELECT state FROM ir_module_module WHERE name = 'sale_fulfillment'"
            ),
            [("installed",)],
        )
        self.assertTrue(
            self._query(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_name = 'sale_order' AND column_name = 'fulfillment_state'"
            )
        )
        owned = self._query(
            "SELECT model, count(*) FROM ir_model_data "
            "WHERE module = 'sale_fulfillment' GROUP BY model"
        )
        self.assertIn("res.groups", dict(owned))
        self.assertIn("ir.ui.menu", dict(owned))
        # Nothing that changes Odoo's flows is on in a new database.
        self.assertEqual(
            self._query("SELECT count(*) FROM sale_review_rule WHERE active"), [(0,)]
        )
        self.assertEqual(
            self._query(
                "SELECT count(*) FROM res_company WHERE "
                + " OR ".join(f"{name} IS TRUE" for name in CAPABILITIES)
            ),
            [(0,)],
        )

        self._odoo("shell", stdin=NUMBER_AN_ORDER)
        [(sequence_id,)] = self._query(
            "SELECT s.sequence_id FROM sale_order_numbering s "
            "JOIN sale_order o ON o.numbering_id = s.id"
        )
        self._odoo("shell", stdin=UNINSTALL)
        self.assertEqual(
            self._query(
                "SELECT state FROM ir_module_module WHERE name = 'sale_fulfillment'"
            ),
            [("uninstalled",)],
        )
        self.assertFalse(
            self._query(
                "SELECT 1 FROM information_schema.columns "
                "WHERE table_name = 'sale_order' AND column_name = 'fulfillment_state'"
            )
        )
        self.assertFalse(
            self._query(
                "SELECT model, name FROM ir_model_data "
                "WHERE module = 'sale_fulfillment'"
            )
        )
        self.assertFalse(
            self._query(
                "SELECT id FROM res_groups WHERE name->>'en_US' IN "
                "('Order Reviewer', 'After-Sales: User', 'After-Sales: Manager')"
            )
        )
        # The scheme's counters and the numbering's indexes went with it.
        self.assertFalse(
            self._query(
                "SELECT indexname FROM pg_indexes WHERE indexname IN "
                "('sale_order_company_id_name_index', "
                "'sale_order_numbering_company_name_uniq')"
            )
        )
        self.assertFalse(
            self._query("SELECT id FROM ir_sequence WHERE id = %s", [sequence_id])
        )
        self.assertFalse(
            self._query(
                "SELECT relname FROM pg_class WHERE relname ~ %s",
                [f"^ir_sequence_{sequence_id:03d}(_[0-9]+)?$"],
            )
        )
