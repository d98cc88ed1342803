from . import ir_http
from . import ir_qweb_fields
