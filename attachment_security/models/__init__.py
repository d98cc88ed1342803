from . import ir_attachment
