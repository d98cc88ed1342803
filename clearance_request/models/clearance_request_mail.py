from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError


class ClearanceRequest(models.Model):
    """Who may follow, and write in, a request's thread.

    Following, subscribing and posting need the right to read the request
    (Odoo 11 lets a follower post on a document they cannot read, and lets a
    user follow any document: see mail_followers.py). A student (a portal
    user) follows only as themself and addresses only the office the request
    waits for; what they post is checked in mail_message.py."""

    _inherit = "clearance.request"

    # mail_message.py: posting on a request needs the right to read it, for
    # employees too (Odoo 11 also accepts the posts of followers).
    _mail_post_requires_read = True

    @api.multi
    @api.returns("self", lambda value: value.id)
    def message_post(self, body="", subject=None, message_type="notification",
                     subtype=None, parent_id=False, attachments=None,
                     content_subtype="html", **kwargs):
        self._check_thread_access(_(
            "You cannot write on a clearance request you may not read."))
        return super().message_post(
            body=body, subject=subject, message_type=message_type,
            subtype=subtype, parent_id=parent_id, attachments=attachments,
            content_subtype=content_subtype, **kwargs)

    @api.multi
    def message_subscribe(self, partner_ids=None, channel_ids=None,
                          subtype_ids=None, force=True):
        if partner_ids or channel_ids:
            self._check_thread_access(_(
                "You cannot follow a clearance request you may not read."))
            self._check_share_followers(partner_ids, channel_ids)
        return super().message_subscribe(
            partner_ids=partner_ids, channel_ids=channel_ids,
            subtype_ids=subtype_ids, force=force)

    @api.multi
    def message_unsubscribe(self, partner_ids=None, channel_ids=None):
        if partner_ids or channel_ids:
            self._check_share_followers(partner_ids, channel_ids)
        return super().message_unsubscribe(
            partner_ids=partner_ids, channel_ids=channel_ids)

    def _check_thread_access(self, message):
        if self._uid == SUPERUSER_ID or not self.ids:
            return
        try:
            self.check_access_rights("read")
            self.check_access_rule("read")
        except AccessError:
            raise AccessError(message)

    def _check_share_followers(self, partner_ids, channel_ids):
        """A student changes only their own following."""
        user = self.env.user
        if self._uid == SUPERUSER_ID or not user.share:
            return
        if channel_ids or set(partner_ids or []) - set(user.partner_id.ids):
            raise AccessError(_(
                "You can follow or stop following a clearance request only "
                "for yourself."))

    def _share_user_recipients(self):
        """The partners a student may address on this request: the
        officers of the office it waits for (the portal chatter addresses
        them, see message_post in clearance_request.py)."""
        self.ensure_one()
        if self.sudo().state in ("progress", "hold"):
            return self.sudo()._office_users().mapped("partner_id").sudo(
                self.env.uid)
        return self.env["res.partner"]

    @api.model
    def _remove_unreadable_followers(self):
        """Remove the follower entries of users who may not read the request
        they follow: made before following needed that right (an update from
        11.0.1.1.0). Returns how many were removed."""
        # sudo: the migration reads every request's followers.
        followers = self.env["mail.followers"].sudo().search(
            [("res_model", "=", self._name), ("partner_id.user_ids", "!=", False)])
        stale = self._unreadable(followers)
        stale.unlink()
        return len(stale)

    def _drop_unreadable_followers(self):
        """The employees following the request who may no longer read it (a
        substitute after their range, an officer who left the office) stop
        following it, before its next message would reach them."""
        # sudo: the request's followers, whoever's action posts on it
        followers = self.env["mail.followers"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("partner_id.user_ids.share", "=", False)])
        self._unreadable(followers).unlink()

    def _unreadable(self, followers):
        """The entries of `followers` (of requests) whose request is gone or
        none of whose partner's users may read it."""
        def unreadable(follower):
            request = self.browse(follower.res_id).exists()
            return not request or not any(
                request._readable_by(user)
                for user in follower.partner_id.user_ids)
        return followers.filtered(unreadable)

    def _readable_by(self, user):
        try:
            self.sudo(user).check_access_rule("read")
            return self.sudo(user).check_access_rights("read", raise_exception=False)
        except AccessError:
            return False
