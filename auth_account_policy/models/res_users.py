import logging
import os
from time import time

from odoo import SUPERUSER_ID, _, api, http, models
from odoo.exceptions import AccessError
from odoo.http import SessionExpiredException

from odoo.addons.password_security.exceptions import PassError

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    # Passwords -------------------------------------------------------------
    @api.multi
    def _check_password(self, password):
        # Module data (demo users, data files) set the passwords they ship
        # while the registry loads: the policy is for people.
        if not self.pool.ready:
            return True
        return super()._check_password(password)

    @api.multi
    def _check_password_rules(self, password):
        """Portal users (students) need a length only: they sign in a few
        times a semester, often from a phone, where a mandatory symbol and
        capital means switching keyboards from Persian; length resists
        guessing as well, and the login throttle bounds the guesses."""
        self.ensure_one()
        if not self.share:
            return super()._check_password_rules(password)
        if not password:
            return True
        if len(password) < self.company_id.password_portal_length:
            raise PassError(self.password_match_message())
        return True

    @api.multi
    def password_match_message(self):
        self.ensure_one()
        if not self.share:
            return super().password_match_message()
        return _("The password must have at least %(length)s characters.") % {
            "length": self.company_id.password_portal_length}

    @api.multi
    def action_expire_password(self):
        """OCA's method is public: any employee could expire anyone's
        password over RPC (a new reset token replacing the user's pending
        one, a reset forced at their next login). A user expires their own
        password (OCA's login does, when it is too old); an administrator
        anyone's."""
        if self.env.uid != SUPERUSER_ID and self != self.env.user \
                and not self.env.user.has_group("base.group_erp_manager"):
            raise AccessError(_(
                "Only an administrator can expire another user's password."))
        # sudo: the right was checked above; the new reset token is the
        # system's (only administrators read or search tokens).
        return super(ResUsers, self.sudo()).action_expire_password()

    @api.multi
    def _password_has_expired(self):
        """A student's password does not expire: expiring an account used a
        few times a semester turns most logins into reset mails."""
        self.ensure_one()
        if self.share:
            return False
        return super()._password_has_expired()

    # Idle sessions ---------------------------------------------------------
    @api.model_cr_context
    def _auth_timeout_check(self):
        """Only a logged-in session can be idle. OCA's check also runs for
        the public user of an anonymous visitor, whose new session has no
        file yet: it logged an error and answered "session expired" to the
        first public page a visitor opened."""
        request = http.request
        if not request or not request.session.uid:
            return None
        store = http.root.session_store
        path = store.get_session_filename(request.session.sid)
        if not os.path.exists(path):
            # Logged in within this request: saved at its end.
            return None
        deadline = self._auth_timeout_deadline_calculate()
        if deadline is not False and os.path.getmtime(path) < deadline:
            if self._auth_timeout_session_terminate(request.session):
                raise SessionExpiredException("Session expired")
        if request.httprequest.path not in self._auth_timeout_get_ignored_urls():
            try:
                os.utime(path, None)
            except OSError:
                _logger.warning("Could not touch the session file %s", path)
        return None

    @api.model_cr_context
    def _auth_timeout_deadline_calculate(self):
        delay = self.env["ir.config_parameter"]._auth_timeout_get_parameter_delay()
        if delay <= 0:
            return False
        return time() - delay
