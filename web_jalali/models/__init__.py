from . import res_users
from . import ir_http
from . import base
from . import ir_sequence
