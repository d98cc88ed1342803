from odoo.addons.clearance_request.upgrade import migrate_to_events


def migrate(cr, version):
    if version:
        migrate_to_events(cr)
