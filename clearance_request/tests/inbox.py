"""A local SMTP server for the tests that follow a mail out of Odoo."""
import asyncore
import email
import email.policy
import smtpd
import threading
import time


class LocalInbox(smtpd.SMTPServer):
    """An SMTP server on a local port (a free one unless given) that keeps
    what it receives: `received` holds (recipients, message) pairs, and
    `arrivals` the moment each arrived. While `refusal` holds an SMTP reply
    (e.g. "451 4.3.0 Try again later"), it refuses every message with it."""

    def __init__(self, port=0):
        self.socket_map = {}
        self.received = []
        self.arrivals = []
        self.refusal = None
        super().__init__(("127.0.0.1", port), None, map=self.socket_map)
        self.port = self.socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            asyncore.loop(timeout=0.05, map=self.socket_map, count=1)

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if self.refusal:
            return self.refusal
        self.received.append(
            (rcpttos, email.message_from_bytes(data, policy=email.policy.default)))
        self.arrivals.append(time.time())

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        asyncore.close_all(map=self.socket_map)
