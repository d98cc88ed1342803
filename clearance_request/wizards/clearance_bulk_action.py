from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, except_orm

from ..models.clearance_request import check_text, workflow_action

OFFICER_GROUP = "clearance_request.group_clearance_officer"


def check_officer(env):
    """Only officers act in bulk: a transient model has no access rights in
    Odoo 11, everyone may create one."""
    if not env.user.has_group(OFFICER_GROUP):
        raise AccessError(_(
            "Only the offices' officers can act on requests in bulk."))


BULK_ACTIONS = [
    ("forward", "Send to the next stage"),
    ("hold", "Ask for an in-person visit"),
]


class ClearanceBulkAction(models.TransientModel):
    """Many requests of one's queue forwarded (or held for a visit) at once:
    each one through the same action as its button, in a savepoint of its
    own, so that a request that cannot move is listed with its reason and
    does not undo the others."""

    _name = "clearance.bulk.action"
    _description = "Act on many clearance requests"

    action = fields.Selection(
        BULK_ACTIONS, required=True, default="forward",
        string="What to do")
    instructions = fields.Text(
        string="Instructions for the visit",
        help="The same instructions go to every student asked to come.")
    line_ids = fields.One2many(
        "clearance.bulk.action.line", "wizard_id", string="Requests")
    state = fields.Selection(
        [("draft", "To confirm"), ("done", "Done")], default="draft",
        required=True, readonly=True)
    done_count = fields.Integer(compute="_compute_counts", string="Moved")
    refused_count = fields.Integer(
        compute="_compute_counts", string="Could not move")
    left_out = fields.Text(
        readonly=True,
        help="Selected requests that are not waiting for your office: "
             "they are not in the list.")

    @api.depends("line_ids.result")
    def _compute_counts(self):
        for wizard in self:
            wizard.done_count = len(wizard.line_ids.filtered(
                lambda l: l.result == "done"))
            wizard.refused_count = len(wizard.line_ids.filtered(
                lambda l: l.result == "refused"))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "line_ids" in fields_list and context.get(
                "active_model") == "clearance.request":
            lines, left_out = self._lines_for(context.get("active_ids") or [])
            values["line_ids"] = [(0, 0, line) for line in lines]
            if left_out:
                values["left_out"] = left_out
        return values

    @api.model
    def create(self, vals):
        check_officer(self.env)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        check_officer(self.env)
        return super().write(vals)

    @api.model
    def _lines_for(self, request_ids):
        """One line per selected request the user may act on, with the step
        they act on (their office's): if another officer acts first, it is
        refused on confirming. Returns the lines' values and what was left
        out: the requests that are not waiting for the user's offices."""
        Request = self.env["clearance.request"]
        Request.browse(request_ids)._check_ids()
        lines, readable, unreadable = [], [], 0
        for request in Request.browse(request_ids).exists():
            refusal = request._bulk_refusal()
            if refusal == "unreadable":
                unreadable += 1
            elif refusal:
                readable.append(request.name)
            else:
                lines.append({"request_id": request.id,
                              "expected_line_id": request._acting_line().id})
        left_out = []
        if readable:
            left_out.append(_(
                "Not waiting for your office: %(requests)s.") % {
                    "requests": ", ".join(readable)})
        if unreadable:
            left_out.append(_(
                "%(count)s selected requests that you may not read.") % {
                    "count": unreadable})
        return lines, "\n".join(left_out)

    @api.multi
    @workflow_action
    def action_confirm(self):
        """Act on every request; those that cannot move stay listed with
        the reason, the others each get their own step and chatter line."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("These requests have been handled already."))
        if not self.line_ids:
            raise UserError(_("Select the requests to act on first."))
        instructions = (check_text(self.env, self.instructions,
                                   self._fields["instructions"]) or "").strip()
        if self.action == "hold" and not instructions:
            raise UserError(_(
                "Tell the students what to bring and where to come: the "
                "instructions for the visit are required."))
        for line in self.line_ids:
            result = line._act(self.action, instructions)
            line.write(result)
        self.state = "done"
        return {
            "type": "ir.actions.act_window", "res_model": self._name,
            "res_id": self.id, "view_mode": "form", "target": "new",
            "name": _("Result"),
        }


class ClearanceBulkActionLine(models.TransientModel):
    _name = "clearance.bulk.action.line"
    _description = "Request acted on in bulk"

    wizard_id = fields.Many2one(
        "clearance.bulk.action", required=True, ondelete="cascade")
    request_id = fields.Many2one(
        "clearance.request", string="Request", required=True,
        ondelete="cascade")
    expected_line_id = fields.Many2one(
        "clearance.request.line", string="Step when selected",
        ondelete="cascade")
    result = fields.Selection(
        [("done", "Done"), ("refused", "Could not move")], readonly=True)
    reason = fields.Text(readonly=True)

    @api.model
    def create(self, vals):
        self._check_line_values(vals)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        if "expected_line_id" in vals and "request_id" not in vals:
            for line in self:
                self._check_line_values(
                    dict(vals, request_id=line.request_id.id))
        else:
            self._check_line_values(vals)
        return super().write(vals)

    @api.model
    def _check_line_values(self, vals):
        """A line names one of the user's own wizards and a request they may
        act on now, checked before the line is stored: its reference would
        otherwise be read back by someone who may not even read it."""
        check_officer(self.env)
        # sudo (the read of the wizard): whose it is, even if it is not
        # the user's
        wizard_id = vals.get("wizard_id")
        if wizard_id and self.env["clearance.bulk.action"].sudo().browse(
                wizard_id).create_uid != self.env.user:
            raise AccessError(_("This bulk action is not yours."))
        if "request_id" in vals:
            Request = self.env["clearance.request"]
            request = Request.browse(vals["request_id"] or [])
            request._check_ids()
            refusal = request._bulk_refusal() if request else "unreadable"
            if refusal == "unreadable":
                raise AccessError(_(
                    "You can act in bulk only on requests waiting for your "
                    "office; you may not read this one."))
            if refusal:
                raise AccessError(_(
                    "%(request)s is not waiting for your office: reload the "
                    "list and select the requests again.") % {
                        "request": request.name})
        if vals.get("expected_line_id"):
            # the step the user acts on, checked again on confirming
            line = self.env["clearance.request.line"].browse(
                vals["expected_line_id"])
            line._check_ids()
            if line.sudo().request_id.id != vals.get("request_id"):
                raise AccessError(_(
                    "The step of a bulk line must be one of its request's."))

    def _act(self, action, instructions):
        """Run the action on this line's request in a savepoint: the values
        of the line's result."""
        self.ensure_one()
        expected = self.expected_line_id.id
        # Browsed alone: an action clears the whole cache when it locks its
        # request; in the wizard's prefetch, every read after it would read
        # all the selected requests and their steps again.
        request = self.env["clearance.request"].browse(
            self.request_id.id).with_context(
                clearance_expected_line_id=expected)
        try:
            with self.env.cr.savepoint():
                try:
                    request.check_access_rule("read")
                except AccessError:
                    raise UserError(_(
                        "You may not read this request: only the office it "
                        "waits for and the offices that acted on it may."))
                if request._acting_line().id != expected:
                    raise UserError(_(
                        "Another officer acted first: %(request)s is now at "
                        "%(stage)s (%(state)s).") % {
                            "request": request.name,
                            "stage": request.stage_id.name or "-",
                            "state": dict(request._fields["state"]._description_selection(
                                self.env))[request.state]})
                if action == "hold":
                    request.hold_for_visit(instructions)
                else:
                    request.action_forward()
        except except_orm as err:
            # The savepoint undid the request's changes; forget what the
            # cache still holds of them.
            self.env.clear()
            return {"result": "refused", "reason": err.name}
        return {"result": "done", "reason": False}
