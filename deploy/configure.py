"""The university's data on a production database, from its production.conf:
name, logo, currency, time zone, public address (frozen), outgoing mail server,
Persian for the administrator and new users. Run by `bin/clearance prod-setup`
(again at each run: it changes only what differs) as the service user:

    python deploy/configure.py ODOO_CONF DATABASE PRODUCTION_CONF [--new-admin-password]

With --new-admin-password it gives the administrator a long random password
and prints it once on the standard error."""
import base64
import configparser
import secrets
import string
import sys

import odoo
from odoo import SUPERUSER_ID, api

ENCRYPTION = {"none": "none", "starttls": "starttls", "ssl": "ssl", "": "none"}


def read_settings(path):
    parser = configparser.ConfigParser(interpolation=None)
    with open(path, encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser


def configure_company(env, university):
    company = env.ref("base.main_company")
    currency = env["res.currency"].with_context(active_test=False).search(
        [("name", "=", university.get("currency", "IRR").strip())], limit=1)
    if not currency:
        raise SystemExit("unknown currency: %s" % university.get("currency"))
    currency.active = True
    vals = {
        "name": university.get("name", "").strip() or company.name,
        "email": university.get("email", "").strip() or False,
        "phone": university.get("phone", "").strip() or False,
        "website": university.get("website", "").strip() or False,
        "currency_id": currency.id,
    }
    logo = university.get("logo", "").strip()
    if logo:
        with open(logo, "rb") as handle:
            vals["logo"] = base64.b64encode(handle.read())
    company.write({key: value for key, value in vals.items()
                   if company[key] != value and key != "currency_id"
                   or key == "currency_id" and company.currency_id != currency})
    tz = university.get("timezone", "Asia/Tehran").strip()
    company.partner_id.write({"tz": tz, "lang": "fa_IR"})
    if "resource_calendar_id" in company._fields and company.resource_calendar_id:
        company.resource_calendar_id.tz = tz
    admin = env.ref("base.user_root")
    admin.write({"tz": tz, "lang": "fa_IR"})
    # People created afterwards (students, officers) read Persian.
    env["ir.default"].set("res.partner", "lang", "fa_IR")
    env["ir.default"].set("res.partner", "tz", tz)


def configure_url(env, server):
    url = server.get("public_url", "").strip().rstrip("/")
    if not url.startswith("https://"):
        raise SystemExit("public_url must be the https:// address: %r" % url)
    params = env["ir.config_parameter"]
    params.set_param("web.base.url", url)
    # Odoo 11 rewrites web.base.url at each administrator's login unless frozen.
    params.set_param("web.base.url.freeze", "True")


def configure_mail(env, mail, university):
    host = mail.get("smtp_host", "").strip()
    servers = env["ir.mail_server"].with_context(active_test=False).search(
        [("name", "=", "University")])
    if not host:
        servers.write({"active": False})
        return
    encryption = mail.get("smtp_encryption", "starttls").strip()
    if encryption not in ENCRYPTION:
        raise SystemExit("smtp_encryption must be none, starttls or ssl")
    vals = {
        "name": "University", "active": True, "sequence": 1,
        "smtp_host": host,
        "smtp_port": int(mail.get("smtp_port", "587") or 587),
        "smtp_encryption": ENCRYPTION[encryption],
        "smtp_user": mail.get("smtp_user", "").strip() or False,
        "smtp_pass": mail.get("smtp_password", "").strip() or False,
    }
    if servers:
        servers[:1].write(vals)
    else:
        servers = env["ir.mail_server"].create(vals)
    # The university's server is the only one mails leave by (Odoo's own
    # data may carry one on localhost).
    env["ir.mail_server"].search([("id", "!=", servers[:1].id)]).write(
        {"active": False})
    email = university.get("email", "").strip()
    if "@" in email:
        env["ir.config_parameter"].set_param(
            "mail.catchall.domain", email.split("@", 1)[1])


def main(argv):
    odoo_conf, dbname, production_conf = argv[1:4]
    new_password = "--new-admin-password" in argv[4:]
    settings = read_settings(production_conf)
    odoo.tools.config.parse_config(["-c", odoo_conf])
    with odoo.api.Environment.manage():
        registry = odoo.registry(dbname)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            configure_company(env, settings["university"])
            configure_url(env, settings["server"])
            configure_mail(env, settings["mail"], settings["university"])
            if new_password:
                # long and random, with every class a staff password policy
                # asks for (auth_account_policy: lower, capital, digit,
                # symbol)
                password = "%s-%s%s%d" % (
                    secrets.token_urlsafe(18),
                    secrets.choice(string.ascii_uppercase),
                    secrets.choice(string.ascii_lowercase),
                    secrets.randbelow(10))
                env.ref("base.user_root").password = password
                sys.stderr.write(
                    "\033[1m[clearance]\033[0m administrator 'admin', password "
                    "(shown only now, keep it): %s\n" % password)


if __name__ == "__main__":
    main(sys.argv)
