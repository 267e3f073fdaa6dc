"""The after-sales menu and the order's after-sales buttons no longer share
the stage's term (售后中), and some labels got terms of their own ("Cancel
Order", "Passed", 处理组 for the group that clears an issue). Odoo keeps the
translation a record already has when its English stays or when only its
English changed: this version's translations of those records are applied."""

from odoo import SUPERUSER_ID, api
from odoo.tools.translate import TranslationImporter, get_po_paths

XMLIDS = {
    f"sale_fulfillment.{name}"
    for name in (
        "sale_rma_root_menu",
        "sale_rma_action",
        "view_order_form",
        "view_picking_form",
        "res_config_settings_view_form",
        "selection__sale_rma__rma_type__cancel",
        "selection__sale_rma_wizard__rma_type__cancel",
        "selection__stock_pack_scan__result__ok",
        # The rule's group (处理组) and the user (处理人) read apart.
        "field_sale_review_rule__reviewer_group_id",
        "field_sale_review_issue__reviewer_group_id",
        "sale_review_rule_view_search",
    )
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    if not langs:
        return
    importer = TranslationImporter(cr, verbose=False)
    for lang in langs:
        for path in get_po_paths("sale_fulfillment", lang):
            importer.load_file(path, lang, xmlids=XMLIDS)
    importer.save(force_overwrite=True)
