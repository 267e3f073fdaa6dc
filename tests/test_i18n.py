import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

I18N = Path(__file__).resolve().parent.parent / "i18n"


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
