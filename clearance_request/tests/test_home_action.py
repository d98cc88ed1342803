from .common import ClearanceCase, make_officer

MY_QUEUE = "clearance_request.clearance_request_action_my_queue"


class TestOfficerHomeAction(ClearanceCase):
    """An internal user who joins an office lands on My queue, whichever
    way they joined it; a home action an administrator chose stays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue = cls.env.ref(MY_QUEUE)
        cls.office = cls.env.ref("clearance_request.group_office_welfare")
        cls.admin = cls.env.ref("base.user_root")
        cls.Users = cls.env["res.users"].sudo(cls.admin).with_context(
            no_reset_password=True)

    def form_fields(self, group):
        """The user form's field that holds `group`, and its value when the
        group is ticked (or chosen), as the web client sends it."""
        for name in self.Users.fields_get():
            if name.startswith("in_group_") and \
                    int(name[len("in_group_"):]) == group.id:
                return name, True
            if name.startswith("sel_groups_") and group.id in [
                    int(i) for i in name[len("sel_groups_"):].split("_")]:
                return name, group.id
        raise AssertionError("no user form field for %s" % group.name)

    def test_created_in_settings_users_with_the_form_fields(self):
        kind, internal = self.form_fields(self.env.ref("base.group_user"))
        field, ticked = self.form_fields(self.office)
        self.assertNotEqual(kind, field)
        user = self.Users.create({
            "name": "Form Officer", "login": "t.form.officer",
            kind: internal, field: ticked})
        self.assertIn(self.office, user.groups_id)
        self.assertEqual(user.action_id.id, self.queue.id)

    def test_ticked_later_on_the_user_form(self):
        user = self.Users.browse(self.employee.id)
        self.assertFalse(user.action_id)
        field, ticked = self.form_fields(self.office)
        user.write({field: ticked})
        self.assertIn(self.office, user.groups_id)
        self.assertEqual(user.action_id.id, self.queue.id)

    def test_created_with_groups(self):
        user = make_officer(self.env, "t.groups.officer",
                            "clearance_request.group_office_welfare")
        self.assertEqual(user.action_id.id, self.queue.id)
        other = make_officer(self.env, "t.no.office")
        self.assertFalse(other.action_id,
                         "an employee of no office keeps Odoo's home")

    def test_added_through_the_group(self):
        self.office.sudo(self.admin).write({"users": [(4, self.employee.id)]})
        self.assertEqual(self.employee.action_id.id, self.queue.id)

    def test_added_through_the_staffing_dialog(self):
        wizard = self.env["clearance.office.staff"].sudo(self.manager).create(
            {"office_id": self.office.id,
             "user_ids": [(6, 0, (self.office.users | self.employee).ids)]})
        wizard.action_apply()
        self.assertIn(self.employee, self.office.users)
        self.assertEqual(self.employee.action_id.id, self.queue.id)

    def test_a_chosen_home_action_stays(self):
        chosen = self.env.ref("base.action_res_users")
        self.employee.sudo(self.admin).write({"action_id": chosen.id})
        field, ticked = self.form_fields(self.office)
        self.Users.browse(self.employee.id).write({field: ticked})
        self.assertIn(self.office, self.employee.groups_id)
        self.assertEqual(self.employee.action_id.id, chosen.id)
        self.office.sudo(self.admin).write({"users": [(4, self.employee.id)]})
        self.assertEqual(self.employee.action_id.id, chosen.id)
