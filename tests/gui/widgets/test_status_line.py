"""StatusLine: text that changes ten times a second must not relayout the window around it."""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QVBoxLayout, QWidget

from latentlab.gui.widgets.status_line import StatusLine


class LayoutRequests(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.LayoutRequest:
            self.count += 1
        return False


def window_with(qtbot, widget):
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = QDockWidget("d", window)
    body = QWidget()
    QVBoxLayout(body).addWidget(widget)
    dock.setWidget(body)
    window.addDockWidget(Qt.LeftDockWidgetArea, dock)
    window.show()
    qtbot.waitExposed(window)
    return window


def layout_requests_while_counting(qtbot, widget):
    window = window_with(qtbot, widget)
    qtbot.wait(200)  # the first layouts, from showing it
    requests = LayoutRequests()
    window.installEventFilter(requests)
    for step in range(10):
        widget.setText(f"epoch {step}   step {step * 1234}   {step * 999:,} samples/s")
        qtbot.wait(5)
    return requests.count, window


def test_new_text_repaints_the_line_and_nothing_else(qtbot):
    line = StatusLine()
    requests, window = layout_requests_while_counting(qtbot, line)
    assert requests == 0 and line.isVisible()
    assert line.text() == "epoch 9   step 11106   8,991 samples/s" and line.toolTip() == line.text()


def test_a_wrapped_label_would_relayout_the_window(qtbot):  # why StatusLine exists
    label = QLabel()
    label.setWordWrap(True)
    requests, window = layout_requests_while_counting(qtbot, label)
    assert requests > 0


def test_a_status_bar_line_has_room_for_its_longest_text(qtbot):
    line = StatusLine(lines=1, room_for="epoch 99999 · step 99,999,999")
    assert line.width() >= line.fontMetrics().horizontalAdvance("epoch 99999 · step 99,999,999")


def test_a_larger_font_makes_room_for_the_text_again(qtbot):  # presentation mode's 14 pt
    line = StatusLine(lines=1, room_for="epoch 99999 · step 99,999,999")
    qtbot.addWidget(line)
    font = line.font()
    font.setPointSize(font.pointSize() * 2)
    line.setFont(font)
    assert line.width() >= line.fontMetrics().horizontalAdvance("epoch 99999 · step 99,999,999")
    assert line.height() >= line.fontMetrics().lineSpacing()
