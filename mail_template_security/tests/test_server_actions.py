"""ir.actions.server.run (and its run_action_* helpers, and /web/action/run)
runs an action for a caller who may read it and belongs to its groups;
scheduled and automated actions are run by the server, which still sends
their mails."""
from odoo.tests.common import SavepointCase, at_install, post_install

from .common import RpcCase, make_user

PARAM = "mail_template_security.test_ran"


class TestServerActionRun(RpcCase):

    def setUp(self):
        super().setUp()
        env = self.env
        self.admin = make_user(env, "t.mts.admin", "base.group_user",
                               "base.group_system")
        self.partner_model = env.ref("base.model_res_partner")
        code = ("env['ir.config_parameter'].sudo().set_param(%r, "
                "env.user.login)" % PARAM)
        self.restricted = env["ir.actions.server"].create({
            "name": "Administrators' job", "model_id": self.partner_model.id,
            "state": "code", "code": code,
            "groups_id": [(6, 0, [env.ref("base.group_system").id])]})
        self.open_action = env["ir.actions.server"].create({
            "name": "Employees' action", "model_id": self.partner_model.id,
            "state": "code", "code": code,
            "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
        self.cron = env["ir.cron"].create({
            "name": "Daily job", "model_id": self.partner_model.id,
            "state": "code", "code": code,
            "user_id": env.ref("base.user_root").id,
            "interval_number": 1, "interval_type": "days",
            "numbercall": -1, "active": False})

    def ran(self):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM)

    def test_employee_and_portal_cannot_run_restricted_actions(self):
        # /web/action/run amounts to ir.actions.server's run
        self.allow_portal_rpc("ir.actions.server", "run",
                              "run_action_code_multi", "run_action_multi")
        for user in (self.employee, self.portal):
            self.login(user)
            for action in (self.restricted, self.cron.ir_actions_server_id):
                self.assert_access_error(self.call_kw(
                    "ir.actions.server", "run", [action.id]))
                result, error = self.json("/web/action/run",
                                          {"action_id": action.id})
                self.assertIsNone(result)
                self.assertEqual(error["name"], "odoo.exceptions.AccessError")
            # the helpers run() calls are no way around it
            self.assert_access_error(self.call_kw(
                "ir.actions.server", "run_action_code_multi",
                self.restricted.id, {}))
            self.assert_access_error(self.call_kw(
                "ir.actions.server", "run_action_multi",
                self.restricted.id, {}))
        self.assertFalse(self.ran())

    def test_allowed_callers_still_run_actions(self):
        self.login(self.employee)
        _result, error = self.call_kw(
            "ir.actions.server", "run", [self.open_action.id])
        self.assertFalse(error, error and error.get("message"))
        self.assertEqual(self.ran(), self.employee.login)
        self.login(self.admin)
        _result, error = self.json(
            "/web/action/run", {"action_id": self.restricted.id})
        self.assertFalse(error, error and error.get("message"))
        self.assertEqual(self.ran(), self.admin.login)

    def test_scheduled_action_runs_as_its_user(self):
        """The scheduler runs a job as its user, also when the user is no
        administrator, and an administrator's "Run Manually" too."""
        self.cron.user_id = self.employee
        self.env["ir.cron"].sudo(self.employee)._callback(
            self.cron.cron_name, self.cron.ir_actions_server_id.id,
            self.cron.id)
        self.assertEqual(self.ran(), self.employee.login)
        # Odoo 11 reads the job as its user: an administrator's job
        self.cron.user_id = self.admin
        self.cron.sudo(self.admin).method_direct_trigger()
        self.assertEqual(self.ran(), self.admin.login)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestAutomatedActions(SavepointCase):

    def test_automated_actions_still_send_mail(self):
        """An automated action triggered by an employee renders its
        template and queues its mail: its server action is run by the
        server, for a user who may not run it."""
        env = self.env
        employee = make_user(env, "t.mts.auto.employee", "base.group_user",
                             "base.group_partner_manager")
        partner_model = env.ref("base.model_res_partner")
        template = env["mail.template"].create({
            "name": "Welcome",
            "model_id": partner_model.id,
            "subject": "Welcome ${object.name}",
            "email_from": "office@example.test",
            "email_to": "${object.email}",
            "body_html": "<p>Dear ${object.name}</p>",
            "auto_delete": False})
        # import_file: the registry is not patched again in the test
        automation = env["base.automation"].with_context(
            import_file=True).create({
                "name": "Welcome new contacts",
                "model_id": partner_model.id,
                "trigger": "on_create", "state": "email",
                "template_id": template.id})
        partner = env["res.partner"].sudo(employee).create({
            "name": "New Contact", "email": "new@welcome.test"})
        automation.sudo(employee).with_context(__action_done={})._process(
            partner)
        mail = env["mail.mail"].search([
            ("model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual(mail.subject, "Welcome New Contact")
        self.assertEqual(mail.email_to, "new@welcome.test")
