from . import rpc_allowlist
from . import ir_http
