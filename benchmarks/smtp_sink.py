"""The benchmark's SMTP sink: `python -m benchmarks.smtp_sink PORT COUNT_FILE`
accepts every mail on 127.0.0.1:PORT and keeps their count in COUNT_FILE.
It imports nothing but the standard library, so that it listens at once."""
import os
import sys


def smtp_sink(port, count_file):
    """Accept mails on 127.0.0.1:port until SIGTERM; keep their count in
    count_file."""
    import asyncore
    import signal
    import smtpd
    import socket

    class Sink(smtpd.SMTPServer):
        received = 0

        def handle_accepted(self, conn, addr):
            # smtpd writes a reply of several lines a line at a time: with
            # Nagle's algorithm, the client's delayed acknowledgement holds
            # each such reply (EHLO's) for up to 40 ms, which a mail server
            # writing its reply at once never does.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle_accepted(conn, addr)

        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
            Sink.received += 1
            with open(count_file + ".tmp", "w") as handle:
                handle.write(str(Sink.received))
            os.replace(count_file + ".tmp", count_file)

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # smtpd looks its host name up for every connection, which the client
    # would wait for: a mail server knows its name.
    smtpd.socket.getfqdn = lambda *_args: "localhost"
    Sink(("127.0.0.1", port), None, enable_SMTPUTF8=True)
    asyncore.loop(timeout=1)


if __name__ == "__main__":
    smtp_sink(int(sys.argv[1]), sys.argv[2])
