from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount


class ClearancePortalAccount(PortalAccount):

    def _prepare_portal_layout_values(self):
        if request.env["account.invoice"].check_access_rights(
                "read", raise_exception=False):
            return super()._prepare_portal_layout_values()
        # Odoo 11's Accounting counts the invoices of whoever opens /my
        # without asking whether they may read invoices: an employee who is
        # not in Billing (an office officer) got an error page. Such users
        # have no invoice to show: Accounting's counter is left out.
        values = super(PortalAccount, self)._prepare_portal_layout_values()
        values["invoice_count"] = 0
        return values
