import importlib.util
import io
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.translate import trans_export

from .common import load_chinese, read_as

I18N = Path(__file__).resolve().parent.parent / "i18n"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pot = polib.pofile(str(I18N / "sale_fulfillment.pot"))

    def test_pot_holds_every_term_of_the_addon(self):
        buffer = io.BytesIO()
        trans_export(False, ["sale_fulfillment"], buffer, "po", self.env.cr)
        exported = polib.pofile(buffer.getvalue().decode())
        self.assertTrue(len(exported) > 20)
        missing = {entry.msgid for entry in exported} - {e.msgid for e in self.pot}
        self.assertFalse(missing, "run `make i18n`: the .pot lacks these terms")
        stale = {entry.msgid for entry in self.pot} - {e.msgid for e in exported}
        self.assertFalse(stale, "run `make i18n`: the .pot has terms no longer used")

    def test_simplified_chinese_translates_every_term(self):
        po = polib.pofile(str(I18N / "zh_CN.po"))
        translated = {
            entry.msgid
            for entry in po.translated_entries()
            if "fuzzy" not in entry.flags
        }
        missing = sorted({entry.msgid for entry in self.pot} - translated)
        self.assertFalse(missing, f"zh_CN.po lacks translations: {missing[:10]}")

    def test_traditional_chinese_file_follows_the_pot(self):
        po = polib.pofile(str(I18N / "zh_TW.po"))
        self.assertEqual(po.metadata.get("Language"), "zh_TW")
        self.assertEqual(
            {entry.msgid for entry in po if not entry.obsolete},
            {entry.msgid for entry in self.pot},
        )

    def test_chinese_user_reads_the_fulfillment_states(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "sale_fulfillment")]
        )._update_translations(["zh_CN"])
        field = self.env["sale.order"]._fields["fulfillment_state"]
        labels = dict(field._description_selection(self.env(context={"lang": "zh_CN"})))
        self.assertEqual(labels["to_ship"], "待发货")
        self.assertEqual(labels["partially_shipped"], "部分发货")
        self.assertEqual(labels["done"], "已完成")
        menu = self.env.ref("sale_fulfillment.sale_fulfillment_sale_menu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "订单履约")

    def test_one_english_term_never_carries_two_chinese_meanings(self):
        """A stage, a menu and a button that share an English term share its
        Chinese too: each has a term of its own."""
        load_chinese(self.env, langs=("zh_CN", "zh_TW"))
        clerk = new_test_user(
            self.env,
            login="sf_i18n_clerk",
            groups="sale_fulfillment.group_aftersales_user,stock.group_stock_user",
            lang="zh_CN",
        )
        env = read_as(clerk, self.env["sale.order"]).env

        def selection(model, field):
            return dict(env[model]._fields[field]._description_selection(env))

        self.assertEqual(
            selection("sale.order", "fulfillment_state")["aftersales"], "售后中"
        )
        self.assertEqual(env.ref("sale_fulfillment.sale_rma_root_menu").name, "售后")
        arch = etree.fromstring(
            env["sale.order"].get_view(env.ref("sale.view_order_form").id, "form")[
                "arch"
            ]
        )
        (button,) = arch.xpath("//header/button[@name='action_open_rma_wizard']")
        self.assertEqual(button.get("string"), "申请售后")
        # A kind of request is not the button that closes a dialog.
        self.assertEqual(selection("sale.rma", "rma_type")["cancel"], "取消订单")
        self.assertEqual(selection("stock.pack.scan", "result")["ok"], "通过")
        zh_tw = env(context={"lang": "zh_TW"})
        self.assertEqual(
            dict(
                zh_tw["sale.order"]
                ._fields["fulfillment_state"]
                ._description_selection(zh_tw)
            )["aftersales"],
            "售後中",
        )
        self.assertEqual(zh_tw.ref("sale_fulfillment.sale_rma_root_menu").name, "售後")

    def test_the_upgrade_replaces_the_stage_term_on_the_menu_and_buttons(self):
        """A database upgraded from a version where the menu read 售后中 (and a
        kind of request 取消, a passed scan 确定) reads this version's terms."""
        load_chinese(self.env)
        menu = self.env.ref("sale_fulfillment.sale_rma_root_menu")
        cancel = self.env.ref("sale_fulfillment.selection__sale_rma__rma_type__cancel")
        passed = self.env.ref("sale_fulfillment.selection__stock_pack_scan__result__ok")
        # What the previous version left: Odoo keeps a record's translation
        # when the record's English stays, or when only its English changed.
        menu.update_field_translations("name", {"zh_CN": "售后中"})
        cancel.update_field_translations("name", {"zh_CN": "取消"})
        passed.update_field_translations("name", {"zh_CN": "确定"})
        path = MIGRATIONS / "18.0.1.1.0" / "post-distinct_terms.py"
        spec = importlib.util.spec_from_file_location("post_distinct_terms", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        zh = self.env(context={"lang": "zh_CN"})
        self.assertEqual(menu.with_env(zh).name, "售后")
        self.assertEqual(cancel.with_env(zh).name, "取消订单")
        self.assertEqual(passed.with_env(zh).name, "通过")
