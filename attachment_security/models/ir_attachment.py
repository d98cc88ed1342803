import re
from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, UserError

#: Written by the server alone, from the file it stores: a user naming
#: another attachment's `store_fname` would read that file through their
#: own attachment.
SERVER_FIELDS = ("store_fname", "checksum", "db_datas", "file_size",
                 "index_content")
#: Where a file lives and what it says: read, searched, grouped, sorted and
#: exported by Settings administrators only.
PRIVATE_FIELDS = ("store_fname", "db_datas", "index_content")
MEGABYTE = 1024 * 1024
MAX_SIZE_PARAM = "attachment_security.max_size_mb"
QUOTA_PARAM = "attachment_security.user_quota_mb"
DEFAULT_MAX_SIZE_MB = 10
DEFAULT_QUOTA_MB = 200
FIELD_NAME_RE = re.compile(r"[A-Za-z_][\w.]*")


def decoded_size(datas):
    """The size in bytes of the file whose base64 text is `datas`, without
    decoding it (line breaks are not part of the file)."""
    if not datas:
        return 0
    if isinstance(datas, str):
        datas = datas.encode("ascii", "ignore")
    chars = len(datas) - datas.count(b"\n") - datas.count(b"\r")
    stripped = datas.rstrip(b"\r\n")
    padding = len(stripped) - len(stripped.rstrip(b"="))
    return max(0, chars * 3 // 4 - padding)


def field_names(specs):
    """The first field name of each entry of `specs` (field paths such as
    `index_content:max`, `store_fname desc`, `res_field.store_fname`)."""
    names = set()
    for spec in specs or []:
        if isinstance(spec, str):
            for token in FIELD_NAME_RE.findall(spec)[:1]:
                names.add(token.split(".")[0])
    return names


def domain_field_names(domain):
    return {leaf[0].split(".")[0] for leaf in domain or []
            if isinstance(leaf, (list, tuple)) and len(leaf) == 3
            and isinstance(leaf[0], str)}


class IrAttachment(models.Model):
    """Odoo 11 holes closed for every database that installs this addon:

    - `store_fname`, `db_datas`, `checksum`, `file_size` and
      `index_content` are the server's: a user's create, write or copy
      naming them (in the values or in the context's `default_*` keys) is
      refused;
    - users outside the employees (students) make no link (`url`)
      attachment, which `/web/content` answers with a redirect, and publish
      no file (`public`);
    - `read_group` obeys the same access check as `search` (Odoo 11 checks
      attachments in `_search`/`check`, which `read_group` skips), and users
      outside the employees see no other user's orphan attachment;
    - where a file lives and what it says (`PRIVATE_FIELDS`) is read,
      searched, grouped, sorted and exported by Settings administrators only;
    - uploads are capped in size (`attachment_security.max_size_mb`) and in
      all per user (`attachment_security.user_quota_mb`)."""

    _inherit = "ir.attachment"

    # helpers ---------------------------------------------------------
    def _is_attachment_admin(self):
        return self._uid == SUPERUSER_ID or \
            self.env.user.has_group("base.group_system")

    def _check_private_fields(self, names):
        used = sorted(set(names) & set(PRIVATE_FIELDS))
        if used and not self._is_attachment_admin():
            raise AccessError(_(
                "Only administrators may read, search, group, sort or export "
                "attachments by %(fields)s.") % {"fields": ", ".join(used)})

    @api.model
    def _size_limit_mb(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return float(value) if value not in (None, False, "") \
                else float(default)
        except ValueError:
            return float(default)

    @api.model
    def _check_user_values(self, values):
        """Refuse what a user may not set, in the values that will be
        stored (after the context's defaults)."""
        named = sorted(set(values) & set(SERVER_FIELDS))
        if named:
            raise AccessError(_(
                "These fields of an attachment are set by the server from "
                "its file and cannot be given: %(fields)s.") % {
                    "fields": ", ".join(named)})
        if self.env.user.share:
            if values.get("type") == "url" or values.get("url"):
                raise AccessError(_(
                    "You can attach files, not links to other sites."))
            if values.get("public"):
                raise AccessError(_(
                    "You cannot publish an attachment: only employees "
                    "can."))

    @api.model
    def _check_upload_size(self, sizes, replaced=0):
        """Files of `sizes` bytes, replacing `replaced` bytes of the user's
        own files, fit the size cap and the user's quota."""
        if self._uid == SUPERUSER_ID:
            return
        max_mb = self._size_limit_mb(MAX_SIZE_PARAM, DEFAULT_MAX_SIZE_MB)
        for size in sizes:
            if max_mb > 0 and size > max_mb * MEGABYTE:
                raise UserError(_(
                    "The file is too large: %(size).1f MB; an attachment "
                    "may hold at most %(limit)g MB.") % {
                        "size": size / MEGABYTE, "limit": max_mb})
        total = sum(sizes)
        if not total or self.env.user.has_group("base.group_system"):
            return
        quota_mb = self._size_limit_mb(QUOTA_PARAM, DEFAULT_QUOTA_MB)
        if quota_mb <= 0:
            return
        self.env.cr.execute(
            "SELECT COALESCE(SUM(file_size), 0) FROM ir_attachment "
            "WHERE create_uid = %s", [self._uid])
        used = self.env.cr.fetchone()[0] - replaced
        if used + total > quota_mb * MEGABYTE:
            raise UserError(_(
                "This upload would exceed your quota of attachments: you "
                "have uploaded %(used).1f MB, this upload is %(size).1f MB, "
                "and a user may upload at most %(limit)g MB in all.") % {
                    "used": used / MEGABYTE, "size": total / MEGABYTE,
                    "limit": quota_mb})

    def _drop_foreign_orphans(self, ids):
        """Of `ids`, those `check('read')` lets a user outside the employees
        read: not another user's attachment attached to no document (or to
        a model this database no longer has)."""
        if not ids or self._uid == SUPERUSER_ID or \
                self.env.user.has_group("base.group_user"):
            return ids
        self.env.cr.execute(
            "SELECT id FROM ir_attachment WHERE id IN %s AND "
            "NOT COALESCE(public, false) AND ("
            "  ((res_model IS NULL OR res_id IS NULL OR res_id = 0) "
            "   AND create_uid != %s) "
            "  OR (res_model IS NOT NULL AND res_model != '' "
            "      AND NOT res_model IN %s))",
            [tuple(ids), self._uid, tuple(self.env.registry.models)])
        hidden = {row[0] for row in self.env.cr.fetchall()}
        return [i for i in ids if i not in hidden]

    # access ----------------------------------------------------------
    @api.model
    def _search(self, args, offset=0, limit=None, order=None, count=False,
                access_rights_uid=None):
        if self._uid != SUPERUSER_ID:
            self._check_private_fields(
                domain_field_names(args) | field_names((order or "").split(",")))
        ids = super()._search(args, offset=offset, limit=limit, order=order,
                              count=False, access_rights_uid=access_rights_uid)
        ids = self._drop_foreign_orphans(list(ids))
        return len(ids) if count else ids

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None,
                   orderby=False, lazy=True):
        """Group only the attachments `search` gives the user."""
        if self._uid != SUPERUSER_ID:
            groupby_list = [groupby] if isinstance(groupby, str) \
                else list(groupby or [])
            self._check_private_fields(
                field_names(fields) | field_names(groupby_list)
                | field_names((orderby or "").split(",")))
            domain = [("id", "in", self._search(list(domain or [])))]
        return super().read_group(domain, fields, groupby, offset=offset,
                                  limit=limit, orderby=orderby, lazy=lazy)

    @api.multi
    def read(self, fields=None, load="_classic_read"):
        result = super().read(fields=fields, load=load)
        if not self._is_attachment_admin():
            # Blanked, not refused: the ORM's own prefetch reads these
            # fields through read() (it caches them before this point).
            for values in result:
                for name in PRIVATE_FIELDS:
                    if name in values:
                        values[name] = False
        return result

    @api.multi
    def export_data(self, fields_to_export, raw_data=False):
        self._check_private_fields(
            {path.replace(":", "/").split("/")[0]
             for path in fields_to_export or []})
        return super().export_data(fields_to_export, raw_data=raw_data)

    # writing ---------------------------------------------------------
    @api.model
    def create(self, values):
        if self._uid != SUPERUSER_ID:
            stored = self._add_missing_default_values(dict(values))
            self._check_user_values(stored)
            self._check_upload_size([decoded_size(stored.get("datas"))])
        return super().create(values)

    @api.multi
    def write(self, vals):
        if self._uid != SUPERUSER_ID:
            self._check_user_values(vals)
            if "datas" in vals:
                own = self.filtered(lambda a: a.create_uid.id == self._uid)
                self._check_upload_size(
                    [decoded_size(vals["datas"])] * max(len(own), 1),
                    replaced=sum(own.mapped("file_size")))
        return super().write(vals)

    @api.multi
    @api.returns(None, lambda value: value[0])
    def copy_data(self, default=None):
        """A copy gets its file through `datas`, as an upload does, not by
        naming the original's stored file."""
        default = dict(default or {})
        vals_list = super().copy_data(default)
        for attachment, vals in zip(self, vals_list):
            had_file = vals.get("store_fname") or vals.get("db_datas")
            for name in SERVER_FIELDS:
                if name not in default:
                    vals.pop(name, None)
            if had_file and "datas" not in default:
                vals["datas"] = attachment.with_context(bin_size=False).datas
        return vals_list
