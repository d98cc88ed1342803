import base64
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .clearance_request import transition, workflow_action

# The certificate is a Persian document, whoever prints it.
CERTIFICATE_LANG = "fa_IR"
CERTIFICATE_REPORT = "clearance_request.report_clearance_certificate"


def new_certificate_code():
    """24 characters of base32 (120 random bits): unguessable, and easy to
    type from paper (no 0/O or 1/I confusion)."""
    return base64.b32encode(secrets.token_bytes(15)).decode()


class ClearanceRequest(models.Model):
    _inherit = "clearance.request"

    certificate_code = fields.Char(
        string="Verification code", readonly=True, copy=False,
        help="Printed on the clearance certificate; anyone holding it can "
             "check the certificate at /clearance/verify/<code>.")
    certificate_date = fields.Datetime(
        string="Certificate issued on", readonly=True, copy=False)
    certificate_revoked = fields.Boolean(
        readonly=True, copy=False, track_visibility="onchange")
    certificate_revoked_date = fields.Datetime(
        string="Certificate revoked on", readonly=True, copy=False)
    certificate_revoked_reason = fields.Text(
        string="Reason for revoking", readonly=True, copy=False,
        track_visibility="onchange")
    certificate_valid = fields.Boolean(
        compute="_compute_certificate_valid",
        help="The request is cleared and its certificate is not revoked.")
    # The student as the offices cleared them, recorded in the write that
    # clears the request: the certificate and its verify page show this
    # record, not the partner, whose name the student edits in the portal.
    certified_name = fields.Char(
        readonly=True, copy=False,
        help="The student's name when the request was cleared.")
    certified_student_number = fields.Char(readonly=True, copy=False)
    certified_faculty = fields.Char(readonly=True, copy=False)
    certified_degree = fields.Selection(
        selection=lambda self: self.env["res.partner"]._fields[
            "student_degree"]._description_selection(self.env),
        readonly=True, copy=False)

    _sql_constraints = [
        # The unique constraint is also the index the verify page looks up.
        ("certificate_code_unique", "unique(certificate_code)",
         "Two clearance certificates cannot share a verification code."),
    ]

    @api.depends("state", "certificate_code", "certificate_revoked")
    def _compute_certificate_valid(self):
        for request in self:
            request.certificate_valid = (
                request.state == "cleared" and bool(request.certificate_code)
                and not request.certificate_revoked)

    @api.multi
    @workflow_action
    def revoke_certificate(self, reason=None):
        """A manager withdraws the certificate, for `reason` if given: it no
        longer downloads and the verify page says it is revoked."""
        if not self._is_manager():
            raise AccessError(_(
                "Only a clearance manager can revoke a clearance certificate."))
        self._lock()
        now = fields.Datetime.now()
        for request in self:
            if not request.certificate_code:
                raise UserError(_(
                    "%(request)s has no clearance certificate.")
                    % {"request": request.name})
            if request.certificate_revoked:
                raise UserError(_(
                    "The clearance certificate of %(request)s is already "
                    "revoked.") % {"request": request.name})
            reason = (reason or "").strip()
            transition(request).write({
                "certificate_revoked": True,
                "certificate_revoked_date": now,
                "certificate_revoked_reason": reason or False})
            request._post_to_student(_(
                "Your clearance certificate %(request)s has been revoked. "
                "%(reason)s") % {"request": request.name, "reason": reason})
        return True

    def _cleared_vals(self, now):
        # The certificate is issued, and the student's identity recorded, in
        # the same write that clears the request.
        vals = super()._cleared_vals(now)
        vals.update(self._certified_identity())
        if not self.certificate_code:
            vals.update(certificate_code=new_certificate_code(),
                        certificate_date=now)
        return vals

    def _certified_identity(self):
        """The student's identity as it is now, for the certificate."""
        self.ensure_one()
        # sudo: whoever clears the request records the student's data,
        # which an office may not read on the partner itself.
        partner = self.sudo().partner_id
        return {
            "certified_name": partner.name,
            "certified_student_number": partner.student_number,
            "certified_faculty": partner.student_faculty,
            "certified_degree": partner.student_degree,
        }

    @api.model
    def _fill_certified_identity(self):
        """Record the identity of the students of requests cleared before
        it was recorded at clearance (an update from an earlier version); a record
        already taken is kept. Returns the requests filled."""
        requests = self.with_context(active_test=False).search([
            ("state", "=", "cleared"), ("certified_name", "=", False)])
        for request in requests:
            transition(request).write(request._certified_identity())
        return requests

    def _check_certificate_access(self):
        """Raise unless the user may download these certificates: the
        request's own student or a manager, on a valid certificate."""
        self.check_access_rights("read")
        self.check_access_rule("read")
        self._check_student_owner()
        for request in self:
            if not request.certificate_valid:
                raise UserError(_(
                    "%(request)s has no valid clearance certificate.")
                    % {"request": request.name})

    def _selection_label(self, field_name):
        """The label of a selection value in this environment's language
        (the certificate's), whoever prints it."""
        self.ensure_one()
        labels = dict(self._fields[field_name]._description_selection(self.env))
        return labels.get(self[field_name], "")

    def _certificate_verify_url(self):
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url", "")
        return "%s/clearance/verify/%s" % (
            base_url.rstrip("/"), self.certificate_code)

    def _certificate_lines(self):
        """The offices that cleared the student, in route order."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda l: l.kind != "create" and l.state == "done").sorted(
                lambda l: (l.sequence, l.id))
