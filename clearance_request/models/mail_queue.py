import logging
import smtplib
import threading
from email.utils import formataddr

from odoo import SUPERUSER_ID, api, models, registry, tools

from .clearance_request import in_transition

_logger = logging.getLogger(__name__)


def _partner_ids(commands):
    """The ids a list of x2many commands (4, id) and (6, 0, ids) sets, as
    a template's mail gives its recipients; None for any other command."""
    ids = []
    for command in commands or []:
        if command[0] == 4:
            ids.append(command[1])
        elif command[0] == 6:
            ids = list(command[2])
        else:
            return None
    return ids


class MailMail(models.Model):
    """Odoo's mail queue, made prompt and safe for the clearance steps.

    - A mail a clearance step queues leaves right after the step's
      transaction commits, as Odoo 11 sends its own notifications
      (`res.partner._notify`): not up to an hour later with the scheduler.
      A step that rolls back sends nothing.
    - Odoo 11 marks every mail of a batch as failed for good when the mail
      server cannot be reached; here they stay queued and the scheduler
      (every minute, data/mail_queue_data.xml) sends them once it is back.
    - Each mail is claimed (row lock, still queued) before it is sent, so the
      after-commit sending and the scheduler never send the same mail twice.
    - A mail is handed to the SMTP server once its bookkeeping (sent,
      deleted) is written, and committed right after: a crash between the
      SMTP server's acceptance and the commit, which would send the mail
      again, is a matter of a millisecond, not of the bookkeeping's queries.
    """

    _inherit = "mail.mail"

    @api.model
    def create(self, vals):
        step = in_transition(self) and vals.get("model") == "clearance.request"
        if step:
            # Kept on the request's thread after the mail is sent and
            # deleted: the offices see what the student was told, and whom.
            vals = dict(vals, notification=True)
            recipients = _partner_ids(vals.get("recipient_ids"))
            if recipients is not None:
                vals["partner_ids"] = [(6, 0, recipients)]
        mail = super().create(vals)
        if step:
            if recipients is None:
                mail.write({"partner_ids": [(6, 0, mail.recipient_ids.ids)]})
            mail._send_after_commit()
        return mail

    def _send_after_commit(self):
        if getattr(threading.currentThread(), "testing", False) or \
                self.env.registry.in_test_mode():
            return  # a test's transaction never commits; the mails stay queued
        ids, dbname = self.ids, self.env.cr.dbname

        def send():
            with api.Environment.manage(), registry(dbname).cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["mail.mail"].browse(
                    ids).send(auto_commit=True)

        self.env.cr.after("commit", send)

    @api.multi
    def send(self, auto_commit=False,  # pylint: disable=method-required-super
             raise_exception=False):
        """11.0's send, except that an unreachable mail server leaves the
        batch queued instead of failing every mail of it for good."""
        if raise_exception:
            # Odoo's own: a caller that asks for the error (e.g. a new user's
            # invitation) expects a MailDeliveryException when the server
            # cannot be reached, not the socket's error.
            return super().send(auto_commit=auto_commit, raise_exception=True)
        for server_id, batch_ids in self._split_by_server():
            try:
                session = self.env["ir.mail_server"].connect(
                    mail_server_id=server_id)
            except Exception as err:  # pylint: disable=broad-except
                # Not a failure of these mails: they wait in the queue.
                _logger.warning("mail server unreachable, %d mails stay "
                                "queued: %s", len(batch_ids), err)
                continue
            try:
                self.browse(batch_ids)._send(
                    auto_commit=auto_commit, raise_exception=raise_exception,
                    smtp_session=session)
            finally:
                if session:  # none in test mode, where nothing is sent
                    session.quit()
        return True

    @api.multi
    def _send(self, auto_commit=False, raise_exception=False,
              smtp_session=None):
        for mail in self:
            self.env.cr.execute(
                "SELECT id FROM mail_mail WHERE id = %s AND state = 'outgoing' "
                "FOR UPDATE SKIP LOCKED", [mail.id])
            if not self.env.cr.fetchone():
                continue  # sent, or being sent by another process
            mail.invalidate_cache()
            if not mail.email_from:
                mail._set_university_sender()
            if not smtp_session:  # test mode: nothing is sent
                super(MailMail, mail)._send(
                    auto_commit=auto_commit, raise_exception=raise_exception,
                    smtp_session=smtp_session)
                continue
            outbox = _Outbox(smtp_session)
            try:
                with self.env.cr.savepoint():
                    # 11.0's sending writes the mail's fate; the SMTP
                    # transactions wait for the end of it
                    super(MailMail, mail)._send(
                        raise_exception=raise_exception, smtp_session=outbox)
                    outbox.transmit()
            except _NotTransmitted as failure:
                mail._transmission_failed(failure.error)
                if raise_exception:
                    raise failure.error
            if auto_commit is True:
                # 11.0's contract of auto_commit (the scheduler's), at the
                # moment the SMTP server has accepted the mail
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return True

    def _set_university_sender(self):
        """A mail queued without a sender (its author had no address) goes
        from the university's address, instead of failing for good."""
        company = self.author_id.user_ids[:1].company_id or \
            self.env.user.company_id
        address = self.env["mail.message"]._university_address(company)
        if address:
            self.write({"email_from": formataddr((
                self.author_id.name or company.name, address))})

    def _transmission_failed(self, err):
        """The SMTP server did not take the mail: its bookkeeping was rolled
        back. A refusal for good fails it, as 11.0 does; anything else (the
        server went away, a temporary refusal) leaves it queued for the
        scheduler's next run."""
        permanent = isinstance(err, (
            smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)) or (
                isinstance(err, smtplib.SMTPResponseException)
                and err.smtp_code >= 500)
        if not permanent:
            _logger.warning("mail %s stays queued, the mail server did not "
                            "take it: %s", self.id, err)
            return
        _logger.warning("mail %s refused by the mail server: %s", self.id, err)
        self.write({"state": "exception", "failure_reason": tools.ustr(err)})
        self._postprocess_sent_message(mail_sent=False)


class _NotTransmitted(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error


class _Outbox(object):
    """An SMTP session that keeps what 11.0's sending hands it, to transmit
    it (`transmit`) once the mail's bookkeeping is written."""

    def __init__(self, session):
        self._session = session
        self._pending = []

    def sendmail(self, *args, **kwargs):
        self._pending.append((args, kwargs))
        return {}

    def transmit(self):
        pending, self._pending = self._pending, []
        for args, kwargs in pending:
            try:
                self._session.sendmail(*args, **kwargs)
            except Exception as err:  # pylint: disable=broad-except
                raise _NotTransmitted(err)

    def __getattr__(self, name):
        return getattr(self._session, name)
