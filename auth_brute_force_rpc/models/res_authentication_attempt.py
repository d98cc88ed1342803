from datetime import datetime, timedelta

from odoo import _, api, fields, models

WINDOW_KEY = "auth_brute_force_rpc.window_minutes"
GEOLOCATE_KEY = "auth_brute_force_rpc.geolocate"


class ResAuthenticationAttempt(models.Model):
    _inherit = "res.authentication.attempt"

    lifted = fields.Boolean(
        string="Ban Lifted", readonly=True, index=True,
        help="An administrator lifted the ban of this address: this failure "
             "no longer counts.")

    @api.multi
    @api.depends("remote")
    def _compute_metadata(self):
        """OCA's addon asks a public web service where each address is,
        telling it the users' addresses: only when the administrator turns
        it on."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        if get_param(GEOLOCATE_KEY):
            return super()._compute_metadata()
        for attempt in self:
            attempt.remote_metadata = False
        return None

    @api.model
    def _trusted(self, remote, login):
        # The login being checked runs as the user who logs in, who may
        # not read the attempts: the throttle reads them as the system.
        return super(ResAuthenticationAttempt, self.sudo())._trusted(
            remote, login)

    @api.model
    def _hits_limit(self, limit, remote, login=None):
        """Count the failures in the window, not lifted.

        For an address and a login, a success of that login from that
        address clears its failures (OCA's rule). For an address alone, a
        success does not: otherwise whoever has an account of their own
        spreads guesses over every student number and clears the address's
        count by logging in as themselves every few tries."""
        domain = [("remote", "=", remote), ("lifted", "=", False)]
        minutes = self._throttle_window()
        if minutes > 0:
            since = datetime.utcnow() - timedelta(minutes=minutes)
            domain.append(
                ("create_date", ">", fields.Datetime.to_string(since)))
        if login is not None:
            domain.append(("login", "=", login))
            last_ok = self.search(
                domain + [("result", "=", "successful")],
                order="create_date desc, id desc", limit=1)
            if last_ok:
                domain.append(("id", ">", last_ok.id))
        failures = self.search_count(
            domain + [("result", "in", ("failed", "banned"))])
        return failures >= limit

    @api.model
    def _throttle_window(self):
        value = self.env["ir.config_parameter"].sudo().get_param(
            WINDOW_KEY, "60")
        try:
            return int(value)
        except ValueError:
            return 60

    @api.multi
    def action_lift_ban(self):
        """Lift the ban of the addresses of these attempts: their failures
        stop counting. The next wrong passwords count again from zero."""
        self.check_access_rights("write")
        remotes = self.mapped("remote")
        failures = self.search([
            ("remote", "in", remotes), ("lifted", "=", False),
            ("result", "in", ("failed", "banned")),
        ])
        failures.write({"lifted": True})
        return True

    @api.model
    def _throttle_message(self):
        minutes = self._throttle_window()
        if minutes > 0:
            return _(
                "Too many failed logins from your address: logins from it "
                "are refused for now. Try again in %(minutes)s minutes, or "
                "ask an administrator to lift the block."
            ) % {"minutes": minutes}
        return _(
            "Too many failed logins from your address: logins from it are "
            "refused. Ask an administrator to lift the block.")
