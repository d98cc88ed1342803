"""The sandbox refuses the ways out for everyone, the superuser included,
and in the templates compiled once (mail_template_compiled's cache)."""
from jinja2.exceptions import SecurityError

from odoo.addons.mail.models import mail_template as odoo_mail_template
from odoo.exceptions import UserError
from odoo.tests.common import SavepointCase, at_install, post_install
from odoo.tools import mute_logger

from .common import ESCAPES

MAIL_LOGGER = "odoo.addons.mail.models.mail_template"


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestSandbox(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({
            "name": "Sandbox Partner", "email": "sandbox@example.test"})
        cls.Template = cls.env["mail.template"]
        cls.admin = cls.env.ref("base.user_root")

    @mute_logger(MAIL_LOGGER)
    def test_the_administrators_rendering_refuses_the_ways_out(self):
        names = self.env["res.users"].search([]).mapped("name")
        for source in ESCAPES:
            for safe in (False, True):
                with self.assertRaises(UserError, msg=source):
                    self.Template.sudo(self.admin).with_context(
                        safe=safe).render_template(
                            source, "res.partner", [self.partner.id])
        self.assertEqual(self.env["res.users"].search([]).mapped("name"),
                         names)
        self.assertFalse(self.env["res.partner"].search(
            [("name", "=", "Escaped")]))

    @mute_logger(MAIL_LOGGER)
    def test_a_stored_template_with_sudo_is_refused(self):
        template = self.Template.create({
            "name": "Sudo template",
            "model_id": self.env.ref("base.model_res_partner").id,
            "subject": "${object.name}",
            "body_html": "<p>${object.sudo().env['res.users']"
                         ".browse(1).password_crypt}</p>",
        })
        with self.assertRaises(UserError):
            template.generate_email(self.partner.id)
        with self.assertRaises(UserError):
            template.send_mail(self.partner.id)

    def test_compiled_templates_are_sandboxed(self):
        """A template compiled once and kept (mail_template_compiled) is
        checked at each rendering, by the environment it was made in."""
        for environment in (odoo_mail_template.mako_template_env,
                            odoo_mail_template.mako_safe_template_env):
            source = "${object.sudo().name}"
            compiled = environment.from_string(source)
            again = environment.from_string(source)
            with self.assertRaises(SecurityError):
                again.render(object=self.partner)
            with self.assertRaises(SecurityError):
                compiled.render(object=self.partner)

    def test_templates_still_render(self):
        partner = self.partner
        source = (
            "${object.name}|${object.with_context(tz='UTC').name}|"
            "${object.mapped('name')[0]}|${object.ids|join(',')}|"
            "${len(object.filtered('email'))}|${ctx.get('missing', 'none')}|"
            "${format_date('2026-01-02')}|${object.exists().email}|"
            "${user.company_id.name}|${object.name_get()[0][1]}|"
            "${datetime.date(2026, 1, 2).isoformat()}\n"
            "% for p in object.sorted('name')\n-${p.name}\n% endfor\n")
        result = self.Template.render_template(
            source, "res.partner", [partner.id])[partner.id]
        self.assertEqual(result.split("|")[:6], [
            "Sandbox Partner", "Sandbox Partner", "Sandbox Partner",
            str(partner.id), "1", "none"])
        self.assertIn("2026-01-02", result)
        self.assertIn("-Sandbox Partner", result)
        # Odoo's own notification layout renders
        hello = "<p>Hello</p>"
        message = partner.message_post(body=hello)
        layout = self.env.ref("mail.mail_template_data_notification_email_default")
        values = layout.with_context(
            company=self.env.user.company_id, record=partner,
            model_name="Contact", actions=[], is_discussion=True,
            has_button_access=False, has_button_follow=False,
            has_button_unfollow=False, tracking=[], signature="",
            website_url="", subtype=message.subtype_id,
        ).generate_email(message.id, ["subject", "body_html"])
        self.assertIn("Hello", values["body_html"])
