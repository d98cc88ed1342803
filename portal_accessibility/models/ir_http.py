from odoo import SUPERUSER_ID, api, models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls):
        """A visitor who has not logged in reads every page (the login page
        too, which is no portal route) in the language Odoo's portal routes
        choose: the one of the `frontend_lang` cookie, else the browser's
        when the database has it, else the database's default language.
        Odoo 11 gives the routes that are not the portal's the browser's
        language even when the database does not have it."""
        if request.db and not request.session.uid:
            lang = cls._visitor_lang()
            if lang and lang != request.context.get("lang"):
                request.context = dict(request.context, lang=lang)
                request.lang = lang
        return super()._dispatch()

    @classmethod
    def _visitor_lang(cls):
        """The language code of an anonymous visitor's pages, as
        http_routing's `_add_dispatch_parameters` chooses it."""
        # the superuser's: no user is authenticated yet, and the languages
        # and the default one are public facts of the database
        env = api.Environment(request.cr, SUPERUSER_ID, {})
        installed = [code for code, _name in env["res.lang"].get_installed()]
        if not installed:
            return None
        cookie = request.httprequest.cookies.get("frontend_lang")
        if cookie in installed:
            return cookie
        browser = request.lang
        short = browser.partition("_")[0]
        if browser in installed:
            return browser
        for code in installed:
            if code.startswith(short):
                return code
        default = env["ir.default"].get("res.partner", "lang")
        return default if default in installed else installed[0]
