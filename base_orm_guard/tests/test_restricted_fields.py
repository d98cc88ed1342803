"""Item 4: a field restricted with groups= (and res.users' password fields)
cannot be searched, sorted, grouped or exported by users outside its
groups, directly or through a dotted path."""
from odoo.exceptions import AccessError
from odoo.tests.common import SavepointCase, at_install, post_install

from .common import make_user


@at_install(False)
@post_install(True)
class TestRestrictedFields(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_en").active = True
        cls.portal = make_user(cls.env, "t.guard.rf.portal",
                               "base.group_portal")
        cls.employee = make_user(cls.env, "t.guard.rf.employee",
                                 "base.group_user")
        # a partner with a to-do: activity_* fields are for employees only
        cls.partner = cls.env["res.partner"].create({"name": "Guarded"})
        cls.env["mail.activity"].create({
            "res_model_id": cls.env["ir.model"]._get("res.partner").id,
            "res_id": cls.partner.id, "summary": "Secret summary",
            "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
            "user_id": cls.employee.id})

    def assert_refused(self, call):
        with self.assertRaises(AccessError):
            call()

    def test_portal_cannot_search_sort_group_export_restricted_field(self):
        Partner = self.env["res.partner"].sudo(self.portal)
        self.assert_refused(lambda: Partner.search_count(
            [("activity_summary", "=like", "Secret%")]))
        self.assert_refused(lambda: Partner.search(
            ["|", ("id", "=", 0), ("activity_date_deadline", "!=", False)]))
        self.assert_refused(lambda: Partner.search_read(
            [], ["name"], order="activity_date_deadline desc"))
        self.assert_refused(lambda: Partner.name_search(
            "", args=[("activity_summary", "ilike", "Secret")]))
        self.assert_refused(lambda: Partner.read_group(
            [], ["name"], ["activity_date_deadline"]))
        self.assert_refused(lambda: Partner.read_group(
            [], ["activity_date_deadline"], ["name"]))
        self.assert_refused(lambda: Partner.browse(
            self.partner.id).export_data(["activity_date_deadline"]))
        # through a relation: res.users' partner_id, a related field
        Users = self.env["res.users"].sudo(self.portal)
        self.assert_refused(lambda: Users.search_count(
            [("partner_id.activity_summary", "=like", "Secret%")]))
        # the superuser and the employees keep them
        self.assertEqual(self.env["res.partner"].search(
            [("activity_summary", "=like", "Secret%")]), self.partner)
        self.assertEqual(self.env["res.partner"].sudo(self.employee).search(
            [("activity_summary", "=like", "Secret%")]), self.partner)
        # other fields stay searchable by the portal user
        own = self.portal.partner_id
        self.assertEqual(Partner.search([("id", "=", own.id),
                                         ("name", "=", own.name)]), own)

    def test_users_cannot_search_passwords_or_tokens(self):
        Partner = self.env["res.partner"].sudo(self.employee)
        Users = self.env["res.users"].sudo(self.employee)
        self.assertTrue(self.env["res.partner"].search_count(
            [("user_ids.password", "!=", False)]))
        self.assert_refused(lambda: Partner.search_count(
            [("user_ids.password", "!=", False)]))
        self.assert_refused(lambda: Users.read_group(
            [("password", "!=", False)], ["login"], ["login"]))
        self.assert_refused(lambda: Users.search([], order="password"))
        self.assert_refused(lambda: Users.read_group(
            [], ["login"], ["password"]))
        # an attachment's access token is for employees only: a portal
        # user reads the attachments of their own partner, not its token
        attachment = self.env["ir.attachment"].create({
            "name": "card.txt", "datas_fname": "card.txt",
            "res_model": "res.partner", "res_id": self.portal.partner_id.id,
            "access_token": "tok-secret"})
        Attachment = self.env["ir.attachment"].sudo(self.portal)
        self.assertEqual(Attachment.search([("id", "=", attachment.id)]),
                         attachment)
        self.assert_refused(lambda: Attachment.search_count(
            [("access_token", "=like", "tok-%")]))
        self.assert_refused(lambda: Attachment.read_group(
            [], ["name"], ["access_token"]))
        self.assertEqual(Partner.search(
            [("user_ids.login", "=", self.employee.login)]),
            self.employee.partner_id)
