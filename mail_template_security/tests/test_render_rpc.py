"""Rendering template expressions over JSON-RPC is for template editors:
``mail.template.render_template``, the composer's ``render_template`` and,
in mass-mail mode, its ``render_message``. The composer's fixed templates
and plain texts stay open to employees."""
from .common import ESCAPES, RpcCase


class TestRenderOverRpc(RpcCase):

    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({
            "name": "Rpc Partner", "email": "rpc.partner@example.test"})
        self.admin_hash = self.env["res.users"].browse(1).password_crypt
        self.template = self.env["mail.template"].create({
            "name": "Fixed template",
            "model_id": self.env.ref("base.model_res_partner").id,
            "subject": "Hello ${object.name}",
            "body_html": "<p>Dear ${object.name}</p>",
            "email_from": "office@example.test",
        })

    def assert_nothing_leaked(self, result, error):
        text = repr(result) + repr(error)
        if self.admin_hash:
            self.assertNotIn(self.admin_hash, text)
        self.assertNotIn(self.cr.dbname + "'", repr(result))

    def test_portal_and_employee_cannot_render_template_expressions(self):
        names = self.env["res.users"].search([]).mapped("name")
        self.allow_portal_rpc("mail.template", "render_template")
        self.allow_portal_rpc("mail.compose.message", "render_template")
        for user in (self.portal, self.employee):
            self.login(user)
            own = user.partner_id.id
            for source in ESCAPES + ["${object.name}"]:
                for model in ("mail.template", "mail.compose.message"):
                    result, error = self.call_kw(
                        model, "render_template", source, "res.partner",
                        [own])
                    self.assert_access_error((result, error))
                    self.assert_nothing_leaked(result, error)
            # one record id, the other form render_template accepts
            self.assert_access_error(self.call_kw(
                "mail.template", "render_template", ESCAPES[0],
                "res.partner", own))
        self.assertEqual(
            self.env["res.users"].search([]).mapped("name"), names)

    def test_plain_text_still_renders_for_an_employee(self):
        self.login(self.employee)
        result, error = self.call_kw(
            "mail.template", "render_template", "Plain 100% text",
            "res.partner", [self.partner.id])
        self.assertFalse(error)
        self.assertEqual(result, {str(self.partner.id): "Plain 100% text"})

    def test_template_editor_renders_a_safe_template(self):
        self.login(self.editor)
        result, error = self.call_kw(
            "mail.template", "render_template", "Hi ${object.name}",
            "res.partner", [self.partner.id])
        self.assertFalse(error)
        self.assertEqual(result, {str(self.partner.id): "Hi Rpc Partner"})
        # the sandbox holds for editors too
        result, error = self.call_kw(
            "mail.template", "render_template", ESCAPES[0], "res.partner",
            [self.partner.id])
        self.assertIsNone(result)
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assert_nothing_leaked(result, error)

    def mass_composer(self, subject, body, template=None):
        values = {
            "composition_mode": "mass_mail", "model": "res.partner",
            "subject": subject, "body": body}
        if template:
            values["template_id"] = template.id
        result, error = self.call_kw("mail.compose.message", "create", values)
        self.assertFalse(error, error and error.get("message"))
        return result

    def test_composer_mass_mail_does_not_render_a_users_text(self):
        self.allow_portal_rpc("mail.compose.message", "create",
                              "render_message", "send_mail")
        for user in (self.portal, self.employee):
            self.login(user)
            own = user.partner_id.id
            mails = self.env["mail.mail"].search_count([])
            for source in (ESCAPES[0], ESCAPES[-1], "${object.name}"):
                composer = self.mass_composer(source, "<p>%s</p>" % source)
                result, error = self.call_kw(
                    "mail.compose.message", "render_message", [composer],
                    [own])
                self.assert_access_error((result, error))
                self.assert_nothing_leaked(result, error)
                # nor through its send button, which renders as well
                self.assert_access_error(self.call_kw(
                    "mail.compose.message", "send_mail", [composer]))
            self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # a template's values the user changed are the user's text
        self.login(self.employee)
        composer = self.mass_composer(
            "Hello ${object.sudo().name}", self.template.body_html,
            self.template)
        self.assert_access_error(self.call_kw(
            "mail.compose.message", "render_message", [composer],
            [self.partner.id]))

    def test_employee_sends_with_a_fixed_template(self):
        self.login(self.employee)
        # comment mode: the web client's onchange renders the template
        result, error = self.call_kw(
            "mail.compose.message", "onchange_template_id", [],
            self.template.id, "comment", "res.partner", self.partner.id)
        self.assertFalse(error, error and error.get("message"))
        self.assertEqual(result["value"]["subject"], "Hello Rpc Partner")
        self.assertIn("Dear Rpc Partner", result["value"]["body"])
        # mass-mail mode: the template's own texts, as the onchange gave
        values, error = self.call_kw(
            "mail.compose.message", "onchange_template_id", [],
            self.template.id, "mass_mail", "res.partner", False)
        self.assertFalse(error)
        composer = self.mass_composer(
            values["value"]["subject"], values["value"]["body"],
            self.template)
        result, error = self.call_kw(
            "mail.compose.message", "render_message", [composer],
            [self.partner.id])
        self.assertFalse(error, error and error.get("message"))
        self.assertEqual(result[str(self.partner.id)]["subject"],
                         "Hello Rpc Partner")
        # and plain text posted through the composer
        result, error = self.call_kw(
            "mail.compose.message", "create", {
                "composition_mode": "comment", "model": "res.partner",
                "res_id": self.partner.id, "body": "<p>Plain ${note}</p>"})
        self.assertFalse(error)
        result, error = self.call_kw(
            "mail.compose.message", "send_mail", [result])
        self.assertFalse(error, error and error.get("message"))
        message = self.env["mail.message"].search([
            ("model", "=", "res.partner"), ("res_id", "=", self.partner.id)],
            limit=1)
        self.assertIn("Plain ${note}", message.body)

    def test_employee_cannot_change_a_template_over_rpc(self):
        self.login(self.employee)
        before = self.template.read(["email_to", "body_html"])
        self.assert_access_error(self.call_kw(
            "mail.template", "write", [self.template.id], {
                "email_to": "officer@example.test",
                "body_html": "${object.sudo().env.user.password_crypt}"}))
        self.assertEqual(self.template.read(["email_to", "body_html"]),
                         before)
        self.assert_access_error(self.call_kw(
            "mail.template", "create", {
                "name": "Mine", "subject": "${object.sudo().name}"}))
        self.assertFalse(self.env["mail.template"].search(
            [("name", "=", "Mine")]))
