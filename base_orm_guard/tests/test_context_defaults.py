"""Item 2: a caller's default_* context keys reach only the model the call
names, and only fields the caller could set."""
from .common import RpcCase, make_user


class TestContextDefaults(RpcCase):

    def setUp(self):
        super().setUp()
        self.manager = make_user(self.env, "t.guard.cd.manager",
                                 "base.group_partner_manager")
        self.manager.groups_id |= self.env.ref("base.group_user")
        self.partner = self.env["res.partner"].create({"name": "Posted on"})
        # a private channel the manager is not a member of
        self.channel = self.env["mail.channel"].create({
            "name": "board", "public": "private"})

    def test_defaults_do_not_reach_the_messages_a_call_creates(self):
        self.login(self.manager)
        result, error = self.call_kw(
            "res.partner", "message_post", [[self.partner.id]], {
                "body": "Hello", "message_type": "comment",
                "subtype": "mail.mt_comment",
                "context": {"default_channel_ids": [
                    [6, 0, [self.channel.id]]]}})
        self.assertFalse(error, error)
        message = self.env["mail.message"].browse(result)
        self.assertEqual(message.model, "res.partner")
        self.assertFalse(message.channel_ids)
        self.assertFalse(self.channel.channel_message_ids)

    def test_web_client_defaults_keep_working(self):
        """The chatter's "Schedule activity" creates the to-do with the
        document in the context's defaults (a readonly related field)."""
        self.login(self.manager)
        result, error = self.call_kw("mail.activity", "create", [{
            "activity_type_id": self.env.ref(
                "mail.mail_activity_data_todo").id,
            "summary": "Call back", "user_id": self.manager.id}], {
                "context": {"default_res_model": "res.partner",
                            "default_res_id": self.partner.id}})
        self.assertFalse(error, error)
        activity = self.env["mail.activity"].browse(result)
        self.assertEqual((activity.res_model, activity.res_id),
                         ("res.partner", self.partner.id))
