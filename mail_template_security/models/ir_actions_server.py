import functools

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError

from .. import guard


def check_administrator(env, records):
    """Server actions, scheduled actions and automated actions run Python
    expressions and write as their user or the superuser: whoever writes
    them is an administrator."""
    if not guard.is_administrator(env):
        raise AccessError(_(
            "Only administrators may create, change or delete "
            "%(model)s records.") % {"model": records._description})


def server_call(env):
    """A call of the server's own machinery: the superuser, a scheduled
    action, an automated action or an onchange's (whose context holds a
    record, which no client can send)."""
    return env.uid == SUPERUSER_ID or guard.SERVER_RUN.get() or \
        isinstance(env.context.get("onchange_self"), models.BaseModel)


def guarded_run_action(method):
    """`method` (a ``run_action_*``) runs only inside run(), which checked
    the caller's right to the action, or for the server's own calls."""

    @functools.wraps(method)
    def run_action(self, action, *args, **kwargs):
        if not server_call(self.env) and not (
                isinstance(action, models.BaseModel) and
                action._name == "ir.actions.server" and
                set(action.ids) <= guard.RUNNING.get()):
            raise AccessError(_(
                "You may not run this action."))
        return method(self, action, *args, **kwargs)

    run_action.mail_template_security_guarded = True
    return run_action


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    # As Odoo 12 has it (same table): who may run the action, and see it
    # in the Action menu of its model (ir.actions.actions.get_bindings).
    groups_id = fields.Many2many(
        "res.groups", "ir_act_server_group_rel", "act_id", "gid",
        string="Groups",
        help="Only users of one of these groups may run this action. "
             "Without groups, those who may change the records of its "
             "model.")

    @api.model
    def create(self, vals):
        check_administrator(self.env, self)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        check_administrator(self.env, self)
        return super().write(vals)

    @api.multi
    def unlink(self):
        check_administrator(self.env, self)
        return super().unlink()

    @api.multi
    def _check_run_right(self):
        """The caller may read each action, belongs to one of its groups
        (or, when it has none, may write the records of its model), and
        the action is one that users run: scheduled and automated actions
        are run by the server only."""
        self.check_access_rights("read")
        self.check_access_rule("read")
        user = self.env.user
        for action in self.sudo():
            refused = action.usage != "ir_actions_server"
            if not refused and action.groups_id:
                refused = not (action.groups_id & user.groups_id)
            elif not refused:
                model = action.model_id.model
                refused = model not in self.env or not self.env[
                    model].check_access_rights("write", raise_exception=False)
            if refused:
                raise AccessError(_(
                    "You may not run the action %(action)s.") % {
                        "action": action.name})

    @api.multi
    def run(self):
        if server_call(self.env):
            return super().run()
        self._check_run_right()
        with guard.Flag(guard.RUNNING,
                        guard.RUNNING.get() | frozenset(self.ids)):
            return super().run()

    @api.model_cr
    def _register_hook(self):
        """Every public run_action_* of the registry's model, from Odoo or
        any addon, is callable over RPC: it runs only inside run()."""
        cls = type(self)
        for name in dir(cls):
            if not name.startswith("run_action_"):
                continue
            method = getattr(cls, name)
            if callable(method) and not getattr(
                    method, "mail_template_security_guarded", False):
                setattr(cls, name, guarded_run_action(method))
        return super()._register_hook()
