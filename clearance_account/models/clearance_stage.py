from odoo import _, fields, models
from odoo.tools.misc import formatLang


class ClearanceStage(models.Model):
    _inherit = "clearance.stage"

    check = fields.Selection(selection_add=[
        ("account_invoices", "Student accounting: open customer invoices")])

    def _auto_check_account_invoices(self, request):
        """The student's customer invoices not paid yet, in Accounting."""
        # sudo: the check reads Accounting for the system; officers of the
        # clearance need no accounting rights.
        partner = request.sudo().partner_id.commercial_partner_id
        invoices = self.env["account.invoice"].sudo().search([
            ("commercial_partner_id", "=", partner.id),
            ("type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "open")], order="date_due, id")
        company = self.env.user.company_id
        balance = sum(invoices.mapped("residual_company_signed"))
        office = self.group_id.name
        amount = formatLang(self.env, balance, currency_obj=company.currency_id)
        due = invoices.filtered(lambda inv: inv.type == "out_invoice")
        if not due and balance <= 0:
            return True, _("%(office)s: balance %(balance)s, no open "
                           "invoices.") % {"office": office, "balance": amount}
        listed = "; ".join(
            _("%(number)s: %(amount)s due on %(date)s") % {
                "number": invoice.number or invoice.display_name,
                "amount": formatLang(self.env, invoice.residual_signed,
                                     currency_obj=invoice.currency_id),
                "date": request.format_date(invoice.date_due)}
            for invoice in due)
        return False, _("%(office)s: balance %(balance)s, %(count)s open "
                        "invoices: %(invoices)s.") % {
                            "office": office, "balance": amount,
                            "count": len(due), "invoices": listed}
