"""The Qt application: PySide6 + pyqtgraph over the core. Imports core; core never imports this."""

# torch before any PySide6 import: once PySide6 is loaded, its __feature__ import hook reads the
# source of every module imported after it (inspect.getsource), which for torch's ~900 modules
# added about 0.3 s to every start (measured with cProfile: 1,199 source reads against 336).
import torch  # noqa: F401
