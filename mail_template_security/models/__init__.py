from . import mail_template
from . import mail_compose_message
from . import ir_actions_server
from . import ir_cron
from . import base_automation
from . import ir_translation
