"""The Qt application: PySide6 + pyqtgraph over the core. Imports core; core never imports this."""
