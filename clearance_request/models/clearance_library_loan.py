from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .clearance_request import chosen_defaults


class ClearanceLibraryLoan(models.Model):
    """A book a library lent to a student: the data of the libraries'
    automatic check. Each library's officers keep their own loans."""

    _name = "clearance.library.loan"
    _description = "Library loan"
    _order = "date_out desc, id desc"
    _rec_name = "book_title"

    partner_id = fields.Many2one(
        "res.partner", string="Student", required=True, index=True,
        ondelete="restrict", domain=[("student_number", "!=", False)])
    student_number = fields.Char(
        related="partner_id.student_number", readonly=True)
    group_id = fields.Many2one(
        "res.groups", string="Library", required=True, index=True,
        ondelete="restrict", default=lambda self: self._default_library(),
        domain=lambda self: [("id", "in", self._library_offices().ids)],
        help="The library office that lent the book.")
    book_title = fields.Char(string="Book", required=True)
    date_out = fields.Date(
        string="Lent on", required=True, default=fields.Date.context_today)
    date_returned = fields.Date(string="Returned on")
    returned = fields.Boolean(compute="_compute_returned", store=True)

    @api.depends("date_returned")
    def _compute_returned(self):
        for loan in self:
            loan.returned = bool(loan.date_returned)

    @api.model
    def _library_offices(self):
        """The offices whose stage runs the libraries' check."""
        # sudo: which stages check loans is configuration every officer
        # may rely on, not only managers.
        stages = self.env["clearance.stage"].sudo().with_context(
            active_test=False).search([("check", "=", "library_loans")])
        return stages.mapped("group_id")

    @api.model
    def _default_library(self):
        mine = self._library_offices() & self.env.user.groups_id
        return mine[:1] if len(mine) == 1 else mine.browse()

    @api.model
    def create(self, vals):
        # the library that will be stored: also one Odoo adds from the
        # caller's context or own defaults
        self._check_own_library(dict(chosen_defaults(self, vals), **vals))
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_own_library(vals)
        return super().write(vals)

    def _check_own_library(self, vals):
        """An officer keeps the loans of their own library only: a loan is
        never recorded for, or moved to, another library (the record rules
        are checked on the loan before a write, not after it)."""
        if "group_id" not in vals or self.env.user.has_group(
                "clearance_request.group_clearance_manager"):
            return
        library = self.env["res.groups"].browse(vals["group_id"] or [])
        if not library or library not in self.env.user.groups_id:
            raise AccessError(_(
                "You can keep the loans of your own library only."))

    @api.constrains("group_id")
    def _check_library(self):
        libraries = self._library_offices()
        # sudo (in the three checks): the values written are checked whoever
        # may read them; the record rules then refuse another library's loan
        # with a clear access error.
        for loan in self.sudo():
            if loan.group_id not in libraries:
                raise ValidationError(_(
                    "%(office)s is not a library: only the offices whose "
                    "stage checks library loans keep loans.") % {
                        "office": loan.group_id.name})

    @api.constrains("partner_id")
    def _check_student(self):
        for loan in self.sudo():
            if not loan.partner_id.student_number:
                raise ValidationError(_(
                    "%(partner)s has no student number: libraries record "
                    "loans to students.") % {"partner": loan.partner_id.name})

    @api.constrains("date_out", "date_returned")
    def _check_dates(self):
        for loan in self.sudo():
            if loan.date_returned and loan.date_returned < loan.date_out:
                raise ValidationError(_(
                    "A book cannot be returned (%(returned)s) before it was "
                    "lent (%(out)s).") % {"returned": loan.date_returned,
                                          "out": loan.date_out})
