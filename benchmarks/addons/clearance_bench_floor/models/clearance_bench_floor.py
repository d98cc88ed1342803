from odoo import _, api, fields, models


class ClearanceBenchFloor(models.Model):
    """What a forward must cause, with Odoo's mechanisms and nothing more:
    a tracked write (the chatter line, under a subtype), an automated action
    whose template queues the student's mail (sent after the commit), and
    the office's to-dos handed to the next office's members. No check, no
    lock, no record rule, no service level: the cost of the rails alone."""

    _name = "clearance.bench.floor"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Clearance forward on Odoo's mechanisms alone (benchmark)"

    name = fields.Char(required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Student", index=True)
    route = fields.Char(help="The offices' groups, in order, comma-separated")
    office_id = fields.Many2one("res.groups", string="Office",
                                track_visibility="onchange")
    # As on the request: Odoo 11's mixin stores the next deadline, so that
    # each to-do given or closed writes the document, which runs its
    # automated actions again (a second mail).
    activity_date_deadline = fields.Date(store=False)
    state = fields.Selection([
        ("progress", "In progress"),
        ("cleared", "Cleared"),
    ], default="progress", required=True, track_visibility="onchange")

    def _track_subtype(self, init_values):
        if "office_id" in init_values:
            return "clearance_bench_floor.mt_floor_forwarded"
        return super()._track_subtype(init_values)

    @api.multi
    def action_forward(self):
        """Send the document on from its office to the next one."""
        self.ensure_one()
        route = [int(gid) for gid in self.route.split(",")]
        position = route.index(self.office_id.id)
        following = route[position + 1:position + 2]
        self.write({"office_id": following[0] if following else False,
                    "state": "progress" if following else "cleared"})
        self._hand_over_todos()
        return True

    @api.multi
    def message_subscribe(self, partner_ids=None, channel_ids=None,
                          subtype_ids=None, force=True):
        """As on the request, officers do not follow by their to-dos."""
        if self.env.context.get("floor_no_follow"):
            return True
        return super().message_subscribe(
            partner_ids=partner_ids, channel_ids=channel_ids,
            subtype_ids=subtype_ids, force=force)

    def _hand_over_todos(self):
        # sudo: the to-dos belong to the officers of the other office
        floor = self.sudo().with_context(floor_no_follow=True)
        todos = floor.activity_ids
        users = floor.office_id.users
        summary = _("Clearance: %s") % self.office_id.name
        for todo, user in zip(todos, users):
            todo.write({"user_id": user.id, "summary": summary})
        todos[len(users):].unlink()
        for user in users[len(todos):]:
            floor._give_todo(user, summary)

    def _give_todo(self, user, summary):
        self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id, "user_id": user.id, "summary": summary,
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "date_deadline": fields.Date.context_today(self)})
