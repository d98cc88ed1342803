"""A template's fields are compiled once, and render what they say now."""
from unittest import mock

from jinja2 import Environment

from odoo.tests.common import TransactionCase, at_install, post_install

from ..models.mail_template import MAX_SOURCE


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestCompiledOnce(TransactionCase):

    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({
            "name": "Sara <Ahmadi>", "email": "sara@example.com"})
        self.template = self.env["mail.template"].create({
            "name": "Compiled once",
            "model_id": self.env.ref("base.model_res_partner").id,
            "subject": "Hello ${object.name}",
            "body_html": "<p>Dear ${object.name}</p>",
            "email_to": "${object.email}"})
        self.compile = mock.patch.object(
            Environment, "compile", autospec=True,
            side_effect=Environment.compile)

    def render(self, template=None):
        return (template or self.template).generate_email(
            self.partner.id, ["subject", "body_html", "email_to"])

    def test_a_second_mail_compiles_nothing(self):
        first = self.render()
        with self.compile as compile_spy:
            second = self.render()
        self.assertEqual(compile_spy.call_count, 0)
        self.assertEqual(second, first)
        self.assertEqual(second["subject"], "Hello Sara <Ahmadi>")
        self.assertEqual(second["email_to"], "sara@example.com")

    def test_a_changed_template_renders_its_new_text(self):
        self.render()
        self.template.write({"subject": "Goodbye ${object.name}"})
        with self.compile as compile_spy:
            mail = self.render()
        self.assertEqual(mail["subject"], "Goodbye Sara <Ahmadi>")
        # only the changed field is compiled again
        self.assertEqual(compile_spy.call_count, 1)

    def test_each_environment_keeps_its_own_escaping(self):
        Template = self.env["mail.template"]
        source = "${object.name}"
        escaped = Template.render_template(source, "res.partner", self.partner.id)
        safe = Template.with_context(safe=True).render_template(
            source, "res.partner", self.partner.id)
        self.assertEqual(escaped, "Sara &lt;Ahmadi&gt;")
        self.assertEqual(safe, "Sara <Ahmadi>")
        # asked again in the other order, from the kept templates
        self.assertEqual(Template.with_context(safe=True).render_template(
            source, "res.partner", self.partner.id), "Sara <Ahmadi>")
        self.assertEqual(Template.render_template(
            source, "res.partner", self.partner.id), "Sara &lt;Ahmadi&gt;")

    def test_a_template_that_does_not_compile_is_refused_as_before(self):
        # Odoo logs it and renders nothing; nothing broken is kept
        self.assertEqual(self.env["mail.template"].render_template(
            "${object.name", "res.partner", self.partner.id), "")
        self.assertEqual(self.env["mail.template"].render_template(
            "${object.name}", "res.partner", self.partner.id),
            "Sara &lt;Ahmadi&gt;")

    def test_a_long_text_is_compiled_each_time_and_not_kept(self):
        # render_template is callable by any user over RPC: a long text of
        # theirs must not stay in the server's memory
        source = "${object.name}" + " " * MAX_SOURCE
        Template = self.env["mail.template"]
        with self.compile as compile_spy:
            for _attempt in range(2):
                self.assertEqual(Template.render_template(
                    source, "res.partner", self.partner.id).strip(),
                    "Sara &lt;Ahmadi&gt;")
        self.assertEqual(compile_spy.call_count, 2)
