from . import clearance_bench_floor
from . import mail_mail
