from . import test_render_rpc
from . import test_sandbox
from . import test_server_actions
from . import test_write_rights
