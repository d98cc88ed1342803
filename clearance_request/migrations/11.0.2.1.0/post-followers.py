from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Followers who could follow a request they may not read, before
    following needed that right, stop following it."""
    if version:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["clearance.request"]._remove_unreadable_followers()
