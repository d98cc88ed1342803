from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Requests cleared before 11.0.2.1.0 get the record of their student's
    identity that their certificate and its verify page now show."""
    if version:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["clearance.request"]._fill_certified_identity()
