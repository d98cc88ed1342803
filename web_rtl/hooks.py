from odoo import SUPERUSER_ID, api

# Records this addon took over from clearance_request (11.0.2.1.0 and
# earlier), which shipped them before they had an addon of their own.
FROM_CLEARANCE_REQUEST = ("layout_direction", "assets_common_rtl")


def pre_init_hook(cr):
    """A database that has the records under clearance_request keeps them
    (same ids, their inheritance intact): they become this addon's before its
    data loads, so the update finds them instead of making twins. The ORM
    cannot rename an external id; this is OpenUpgrade's rename_xmlids."""
    cr.execute("""
        UPDATE ir_model_data SET module = 'web_rtl'
        WHERE module = 'clearance_request' AND name IN %s
          AND NOT EXISTS (SELECT 1 FROM ir_model_data
                          WHERE module = 'web_rtl' AND name IN %s)
    """, [FROM_CLEARANCE_REQUEST, FROM_CLEARANCE_REQUEST])


def post_init_hook(cr, registry):
    """Persian may have been loaded before this addon: make it right-to-left."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.lang"].with_context(active_test=False).search([])._fix_direction()
