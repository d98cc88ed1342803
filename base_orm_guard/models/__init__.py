from . import base
from . import ir_http
from . import mail_activity
from . import mail_followers
from . import mail_message
