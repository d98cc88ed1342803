import werkzeug.exceptions

from odoo import _, http
from odoo.addons.web.controllers import main
from odoo.exceptions import AccessError
from odoo.http import request

from ..patches import database_manager_enabled

# The largest side, in pixels, an image route draws.
MAX_IMAGE_SIZE = 1024


def image_size(value):
    """A side asked of an image route, as an integer within
    0..MAX_IMAGE_SIZE (0, as Odoo reads it, when nothing is asked)."""
    if value in (None, "", False):
        return 0
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise werkzeug.exceptions.BadRequest(_("The image size must be a "
                                               "whole number of pixels."))
    return max(0, min(size, MAX_IMAGE_SIZE))


def is_admin():
    return bool(getattr(request, "web_security_is_admin", False))


class Session(main.Session):

    @http.route("/web/session/logout", type="http", auth="none",
                methods=["GET", "POST"])
    def logout(self, redirect="/web", **kwargs):
        """A GET (a link, an image, another site's page) ends nothing: it
        shows a button that posts the form with the session's CSRF token,
        which Odoo checks for every POST before this method runs."""
        if request.httprequest.method == "POST" or not request.session.uid:
            return super().logout(redirect=redirect)
        request.uid = request.session.uid
        response = request.render(
            "web_security_hardening.logout_confirm", {"redirect": redirect})
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @http.route()
    def modules(self):
        # AccessError, not AccessDenied: a refusal, which Odoo does not log
        # as a server error (log alerts)
        if not is_admin():
            raise AccessError(_("Only administrators see the modules."))
        return super().modules()


class WebClient(main.WebClient):

    @http.route()
    def version_info(self):
        """The web client calls it only to know the server answers; only
        administrators learn the version."""
        if is_admin():
            return super().version_info()
        return {"protocol_version": 1}


class Database(main.Database):
    """The database manager answers "not found" unless the server's
    configuration turns it on (database_manager = True); then its master
    password attempts are throttled (patches.check_super)."""

    @staticmethod
    def _check_enabled():
        if not database_manager_enabled():
            raise werkzeug.exceptions.NotFound()

    @http.route()
    def selector(self, **kw):
        self._check_enabled()
        return super().selector(**kw)

    @http.route()
    def manager(self, **kw):
        self._check_enabled()
        return super().manager(**kw)

    @http.route()
    def create(self, master_pwd=None, name=None, lang=None, password=None,
               **post):
        self._check_enabled()
        return super().create(master_pwd, name, lang, password, **post)

    @http.route()
    def duplicate(self, master_pwd=None, name=None, new_name=None, **kw):
        self._check_enabled()
        return super().duplicate(master_pwd, name, new_name)

    @http.route()
    def drop(self, master_pwd=None, name=None, **kw):
        self._check_enabled()
        return super().drop(master_pwd, name)

    @http.route()
    def backup(self, master_pwd=None, name=None, backup_format="zip", **kw):
        self._check_enabled()
        return super().backup(master_pwd, name, backup_format=backup_format)

    @http.route()
    def restore(self, master_pwd=None, backup_file=None, name=None,
                copy=False, **kw):
        self._check_enabled()
        return super().restore(master_pwd, backup_file, name, copy=copy)

    @http.route()
    def change_password(self, master_pwd=None, master_pwd_new=None, **kw):
        self._check_enabled()
        return super().change_password(master_pwd, master_pwd_new)

    @http.route()
    def list(self, **kw):
        self._check_enabled()
        return super().list()


class Binary(main.Binary):

    @http.route()
    def content_image(self, xmlid=None, model="ir.attachment", id=None,
                      field="datas", filename_field="datas_fname",
                      unique=None, filename=None, mimetype=None,
                      download=None, width=0, height=0, crop=False,
                      access_token=None):
        return super().content_image(
            xmlid=xmlid, model=model, id=id, field=field,
            filename_field=filename_field, unique=unique, filename=filename,
            mimetype=mimetype, download=download, width=image_size(width),
            height=image_size(height), crop=crop, access_token=access_token)
