import logging

from ldap.filter import escape_filter_chars, filter_format

from odoo import api, fields, models, tools

_logger = logging.getLogger(__name__)

# The fields this addon adds to a directory's configuration (conf).
CONF_FIELDS = ["student_number_attribute", "refuse_strangers",
               "group_filter"]


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class ResCompanyLdap(models.Model):
    """The university's directory signs students in on their imported
    account, found by student number, and officers in their offices, found
    by directory group; anyone else is refused."""

    _inherit = "res.company.ldap"

    student_number_attribute = fields.Char(
        default="employeeNumber",
        help="The attribute of a student's directory entry that carries "
             "the student number. A student signs in on the account of the "
             "student with that number; the student number is also a "
             "directory login.")
    refuse_strangers = fields.Boolean(
        string="Refuse unknown directory users", default=True,
        help="A directory user who is neither a known student nor in a "
             "directory group of an office gets no account. Off: Odoo's "
             "own behaviour (an account made from the template user, if "
             "'Create user' is on).")
    group_filter = fields.Char(
        string="Directory group filter",
        default="(|(member=%(dn)s)(uniqueMember=%(dn)s)(memberUid=%(uid)s))",
        help="How to find the directory groups of a user, searched under "
             "the LDAP base; %(dn)s is the user's DN, %(uid)s their uid. "
             "The user's memberOf values count too.")
    office_mapping_ids = fields.One2many(
        "clearance.ldap.office", "ldap_id", string="Offices",
        help="The members of these directory groups work in these offices.")

    @api.multi
    def get_ldap_dicts(self):
        confs = super().get_ldap_dicts()
        # sudo: as auth_ldap reads the configuration, at sign-in
        extra = {values["id"]: values for values in self.sudo().browse(
            [conf["id"] for conf in confs]).read(CONF_FIELDS)}
        for conf in confs:
            conf.update(extra[conf["id"]])
        return confs

    def authenticate(self, conf, login, password):
        """The student number is a directory login too: it is the student's
        login in Odoo, with which their later requests are checked."""
        attribute = conf.get("student_number_attribute")
        if attribute and login:
            try:
                by_login = filter_format(conf["ldap_filter"], (login,))
            except TypeError:
                by_login = None  # auth_ldap logs the misconfiguration
            if by_login:
                # auth_ldap formats the filter with the login once more
                conf = dict(conf, ldap_filter="(|%s(%s=%%s))" % (
                    by_login.replace("%", "%%"), attribute))
        return super().authenticate(conf, login, password)

    @api.model
    def get_or_create_user(self, conf, login, ldap_entry):
        number = self._directory_student_number(conf, ldap_entry)
        if number:
            partner = self.env["res.partner"].with_context(
                active_test=False).search([("student_number", "=", number)])
            if partner:
                return self._student_user(partner, number)
        offices = self._directory_offices(conf, login, ldap_entry)
        if offices:
            # no invitation to set a password: theirs is the directory's
            user_id = super(ResCompanyLdap, self.with_context(
                no_reset_password=True)).get_or_create_user(
                    dict(conf, create_user=True), login, ldap_entry)
            user = self.env["res.users"].browse(user_id)
            if user and user.share:
                _logger.warning(
                    "directory user %s is a portal user: not made an "
                    "officer", login)
                return False
            if user:
                # (write: they land on My queue, clearance_request)
                user.write({"groups_id": [(4, office.id)
                                          for office in offices]})
            return user_id
        if conf.get("refuse_strangers"):
            _logger.info("directory user %s refused: neither a known "
                         "student nor in an office's directory group", login)
            return False
        return super().get_or_create_user(conf, login, ldap_entry)

    def map_ldap_attributes(self, conf, login, ldap_entry):
        values = super().map_ldap_attributes(conf, login, ldap_entry)
        values["name"] = _text(values["name"])
        mail = ldap_entry[1].get("mail")
        if mail:
            values["email"] = _text(mail[0])
        return values

    def _directory_student_number(self, conf, ldap_entry):
        attribute = conf.get("student_number_attribute")
        values = attribute and ldap_entry[1].get(attribute)
        return values and tools.ustr(_text(values[0])).strip()

    def _student_user(self, partner, number):
        """The user of the student with this number: the one they have, or
        a new portal user of that student (login: the student number)."""
        users = partner.with_context(active_test=False).user_ids
        if users:
            user = users[0]
            if not user.active:
                _logger.info("student %s signs in through the directory but "
                             "their account is archived", number)
                return False
            return user.id
        taken = self.env["res.users"].with_context(active_test=False).search(
            [("login", "=ilike", number)])
        if taken:
            _logger.warning("student %s: the login %s belongs to another "
                            "partner", partner.id, number)
            return False
        return self.env["res.users"].with_context(
            no_reset_password=True).create({
                "login": number,
                "partner_id": partner.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }).id

    def _directory_offices(self, conf, login, ldap_entry):
        """The offices whose directory groups this user belongs to."""
        mappings = self.browse(conf["id"]).office_mapping_ids
        if not mappings:
            return self.env["res.groups"]
        dn, attributes = ldap_entry
        names = {_text(value).lower()
                 for value in attributes.get("memberOf", [])}
        uid = _text((attributes.get("uid") or [login.encode()])[0])
        if conf.get("group_filter"):
            query = conf["group_filter"] % {
                "dn": escape_filter_chars(dn), "uid": escape_filter_chars(uid)}
            for group_dn, group in self.query(conf, query, ["cn"]):
                if not group_dn:
                    continue  # a referral
                names.add(group_dn.lower())
                names.update(_text(cn).lower() for cn in group.get("cn", []))
        return mappings.filtered(
            lambda mapping: mapping.directory_group.strip().lower() in names
        ).mapped("group_id")
