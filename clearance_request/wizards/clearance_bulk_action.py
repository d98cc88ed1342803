from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, except_orm

from ..models.clearance_request import check_text

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
            values["line_ids"] = [
                (0, 0, line) for line in self._lines_for(
                    context.get("active_ids") or [])]
        return values

    @api.model
    def _lines_for(self, request_ids):
        """One line per selected request, with the step it was at when the
        officer selected it: if another officer acts first, it is refused."""
        Request = self.env["clearance.request"]
        Request.browse(request_ids)._check_ids()
        lines = []
        for request_id in Request.browse(request_ids).exists().ids:
            request = Request.browse(request_id)
            try:
                expected = request.current_line_id.id
            except AccessError:
                expected = False  # refused, with the reason, on confirming
            lines.append({"request_id": request_id,
                          "expected_line_id": expected})
        return lines

    @api.multi
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
                if request.current_line_id.id != expected:
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
