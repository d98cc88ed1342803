from . import main
from . import report
from . import web_editor
