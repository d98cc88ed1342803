"""Item 5: a caller's write may not move a record out of what they may
write, nor a message, a to-do or a follower entry to a document they may
not use."""
from .common import RpcCase, make_user


class TestRulesAfterWrite(RpcCase):

    def setUp(self):
        super().setUp()
        self.employee.groups_id |= self.env.ref("base.group_partner_manager")
        self.partner = self.env["res.partner"].create({"name": "Followed"})
        self.channel = self.env["mail.channel"].create({
            "name": "board", "public": "private"})
        self.other = make_user(self.env, "t.guard.rw.other",
                               "base.group_user")

    def test_employee_cannot_move_own_message_to_a_private_channel(self):
        self.login(self.employee)
        message_id, error = self.call_kw("mail.message", "create", [{
            "body": "my own note", "message_type": "comment"}])
        self.assertFalse(error, error)
        self.assert_refused(self.call_kw(
            "mail.message", "write", [[message_id], {
                "model": "mail.channel", "res_id": self.channel.id}]))
        message = self.env["mail.message"].browse(message_id)
        self.assertFalse(message.model)
        self.assertFalse(message.res_id)
        # writing the body of one's own message still works
        result, error = self.call_kw("mail.message", "write", [
            [message_id], {"body": "edited"}])
        self.assertEqual((result, error), (True, None))

    def test_employee_cannot_move_own_activity_to_a_document_they_cannot_change(
            self):
        activity = self.env["mail.activity"].create({
            "res_model_id": self.env["ir.model"]._get("res.partner").id,
            "res_id": self.partner.id, "summary": "Call",
            "activity_type_id": self.env.ref(
                "mail.mail_activity_data_todo").id,
            "user_id": self.employee.id})
        admin = self.env.ref("base.user_root")
        self.login(self.employee)
        self.assert_refused(self.call_kw("mail.activity", "write", [
            [activity.id], {
                "res_model_id": self.env["ir.model"]._get("res.users").id,
                "res_id": admin.id}]))
        activity.invalidate_cache()
        self.assertEqual((activity.res_model, activity.res_id),
                         ("res.partner", self.partner.id))
        result, error = self.call_kw("mail.activity", "write", [
            [activity.id], {"summary": "Call back"}])
        self.assertEqual((result, error), (True, None))

    def test_employee_cannot_hand_own_follower_entry_to_someone_else(self):
        self.partner.message_subscribe(
            partner_ids=self.employee.partner_id.ids)
        follower = self.env["mail.followers"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.partner.id),
            ("partner_id", "=", self.employee.partner_id.id)])
        self.assertTrue(follower)
        self.login(self.employee)
        self.assert_refused(self.call_kw("mail.followers", "write", [
            follower.ids, {"partner_id": self.other.partner_id.id}]))
        follower.invalidate_cache()
        self.assertEqual(follower.partner_id, self.employee.partner_id)
