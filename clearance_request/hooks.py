from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """Persian may have been loaded before this module: make it right-to-left."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.lang"].with_context(active_test=False).search([])._fix_direction()
