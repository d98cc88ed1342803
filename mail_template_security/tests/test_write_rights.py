"""Mail templates are written by administrators and template editors;
server actions, scheduled actions and automated actions, which run Python
and write as the superuser or their user, by administrators only, even when
another addon's access rights would let an employee."""
from odoo.exceptions import AccessError
from odoo.tests.common import SavepointCase, at_install, post_install

from .common import EDITOR, make_user


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestWriteRights(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.employee = make_user(env, "t.mtw.employee", "base.group_user")
        cls.editor = make_user(env, "t.mtw.editor", "base.group_user",
                               EDITOR)
        cls.admin = make_user(env, "t.mtw.admin", "base.group_user",
                              "base.group_system")
        cls.template = env["mail.template"].create({
            "name": "Guarded template",
            "model_id": env.ref("base.model_res_partner").id,
            "subject": "Hello ${object.name}",
            "email_to": "${object.email}",
            "body_html": "<p>Dear ${object.name}</p>",
        })
        env["res.lang"].load_lang("fr_FR")
        # An addon that gives employees the rights Odoo keeps for the
        # administrators: the Python checks still refuse.
        cls.loose_group = env["res.groups"].create({
            "name": "Loose automation rights",
            "users": [(4, cls.employee.id)]})
        for model in ("ir.actions.server", "ir.cron", "base.automation",
                      "mail.template"):
            env["ir.model.access"].create({
                "name": "loose %s" % model,
                "model_id": env["ir.model"]._get(model).id,
                "group_id": cls.loose_group.id,
                "perm_read": True, "perm_write": True, "perm_create": True,
                "perm_unlink": True})

    def test_administrators_are_template_editors(self):
        self.assertTrue(self.admin.has_group(EDITOR))
        self.assertFalse(self.employee.has_group(EDITOR))

    def test_employee_cannot_write_templates(self):
        Template = self.env["mail.template"].sudo(self.employee)
        template = Template.browse(self.template.id)
        before = self.template.read()
        for values in ({"email_to": "officer@example.test"},
                       {"body_html": "<p>${object.sudo().name}</p>"},
                       {"reply_to": "${object.sudo().name}"}):
            with self.assertRaises(AccessError):
                template.write(values)
        with self.assertRaises(AccessError):
            Template.create({"name": "Mine", "subject": "${user.sudo()}"})
        with self.assertRaises(AccessError):
            template.copy()
        with self.assertRaises(AccessError):
            template.unlink()
        self.template.invalidate_cache()
        self.assertEqual(self.template.read(), before)
        self.assertFalse(self.env["mail.template"].search(
            [("name", "in", ["Mine", "Guarded template (copy)"])]))

    def test_employee_cannot_translate_templates(self):
        Translation = self.env["ir.translation"].sudo(self.employee)
        with self.assertRaises(AccessError), self.cr.savepoint():
            Translation.create({
                "type": "model", "name": "mail.template,body_html",
                "res_id": self.template.id, "lang": "fr_FR",
                "src": self.template.body_html,
                "value": "<p>${object.sudo().name}</p>",
                "state": "translated"})
        with self.assertRaises(AccessError), self.cr.savepoint():
            self.env["mail.template"].sudo(self.employee).browse(
                self.template.id).with_context(lang="fr_FR").write(
                    {"body_html": "<p>${object.sudo().name}</p>"})
        self.assertFalse(self.env["ir.translation"].search([
            ("name", "=", "mail.template,body_html"),
            ("res_id", "=", self.template.id)]).filtered(
                lambda t: "sudo" in (t.value or "")))

    def test_editor_writes_templates(self):
        template = self.env["mail.template"].sudo(self.editor).browse(
            self.template.id)
        template.write({"email_to": "editor@example.test"})
        self.assertEqual(self.template.email_to, "editor@example.test")
        copy = template.copy()
        copy.unlink()

    def test_employee_cannot_write_actions_crons_automations(self):
        env = self.env
        model = env.ref("base.model_res_partner")
        Action = env["ir.actions.server"].sudo(self.employee)
        actions = env["ir.actions.server"].search_count([])
        with self.assertRaises(AccessError):
            Action.create({"name": "Mine", "model_id": model.id,
                           "state": "code", "code": "env.user.sudo()"})
        existing = env["ir.actions.server"].create({
            "name": "Existing", "model_id": model.id, "state": "code",
            "code": "records.write({'comment': 'ok'})"})
        with self.assertRaises(AccessError):
            Action.browse(existing.id).write({"code": "env.cr.rollback()"})
        with self.assertRaises(AccessError):
            Action.browse(existing.id).unlink()
        self.assertEqual(existing.code, "records.write({'comment': 'ok'})")
        with self.assertRaises(AccessError):
            env["ir.cron"].sudo(self.employee).create({
                "name": "Mine", "model_id": model.id, "state": "code",
                "code": "model.search([]).unlink()",
                "user_id": env.ref("base.user_root").id,
                "interval_number": 1, "interval_type": "days",
                "numbercall": -1})
        with self.assertRaises(AccessError):
            env["base.automation"].sudo(self.employee).create({
                "name": "Mine", "model_id": model.id, "trigger": "on_write",
                "state": "email", "template_id": self.template.id})
        self.assertEqual(env["ir.actions.server"].search_count([]),
                         actions + 1)
        # the administrators still may
        admin_action = env["ir.actions.server"].sudo(self.admin).create({
            "name": "Admin's", "model_id": model.id, "state": "code",
            "code": "pass"})
        admin_action.unlink()
