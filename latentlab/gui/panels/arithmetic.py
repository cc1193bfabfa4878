"""Latent arithmetic, a section of the Interpolation dock: an attribute vector between two selections (the
difference of their mean codes), a slider moving the decoded focus along it, and the current selection moved
by the vector, decoded as a gallery (Latent Space Cartography's "add this vector")."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout

from latentlab.gui.binding import bind
from latentlab.gui.exports import name_plot
from latentlab.gui.widgets.gallery import ScrollingGallery
from latentlab.gui.widgets.reflow import flow_row
from latentlab.state.arithmetic import ArithmeticState
from latentlab.state.session import Session

STEPS = 100  # slider steps per unit of the vector


class ArithmeticSection(QGroupBox):
    def __init__(self, session: Session, state: ArithmeticState | None = None, parent=None):
        # A short title: a group box is at least as wide as its title (presentation mode's font made the dock scroll).
        super().__init__("Latent arithmetic: from A towards B", parent)
        self.session = session
        self.state = state or ArithmeticState()
        self.setToolTip("Select examples in the scatter (box or lasso) and take them as group A, then others as "
                        "group B: the vector from A's mean code to B's. The slider decodes A's mean + t × the vector")
        self.take_a, self.take_b = QPushButton("Selection → A"), QPushButton("Selection → B")
        self.take_a.clicked.connect(lambda: self.state.take("a", session.selection))
        self.take_b.clicked.connect(lambda: self.state.take("b", session.selection))
        self.apply = QPushButton("Add vector to selection")
        self.apply.setToolTip("Decode each selected example's code + t × the vector (at most 64), below")
        self.apply.clicked.connect(self.add_to_selection)
        self.groups = QLabel("")
        self.groups.setWordWrap(True)
        self.slider = QSlider(Qt.Horizontal)
        setting_ = self.state
        self.slider.setRange(int(-2 * STEPS), int(3 * STEPS))
        bind(self.slider, setting_, "amount", "arithmetic",
             to_widget=lambda v: round(v * STEPS), from_widget=lambda v: v / STEPS)
        self.t_label = QLabel("")
        self.gallery = ScrollingGallery(48)
        name_plot(self.gallery.grid, "selection moved by the vector")  # File > Export any plot lists it by this
        self.gallery.setMinimumHeight(120)
        self.gallery_label = QLabel("")
        self.gallery_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("t"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.t_label)
        layout = QVBoxLayout(self)
        layout.addWidget(flow_row([self.take_a, self.take_b, self.apply]))
        layout.addWidget(self.groups)
        layout.addLayout(row)
        layout.addWidget(self.gallery_label)
        layout.addWidget(self.gallery, 1)
        for event in (self.state.events.a, self.state.events.b):
            event.connect(lambda *_: self.refresh())
        self.state.events.amount.connect(lambda *_: self.move_focus())
        session.selection_changed.connect(self.refresh)
        session.model_changed.connect(self.refresh)
        session.dataset_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        s = self.state
        n = len(self.session.selection)
        can = self.session.snapshot is not None and self.session.snapshot.can("encode")
        self.take_a.setEnabled(bool(n) and can)
        self.take_b.setEnabled(bool(n) and can)
        self.apply.setEnabled(bool(n) and s.ready)
        self.slider.setEnabled(s.ready)
        a = f"A: {len(s.a)} examples" if s.a else "A: not set"
        b = f"B: {len(s.b)} examples" if s.b else "B: not set"
        hint = "" if s.ready else " — select points in the scatter, then take them as A and as B"
        self.groups.setText(f"{a}; {b}{hint}")
        self.t_label.setText(f"{s.amount:+.2f}")
        if not s.ready:
            self.gallery.clear()
            self.gallery_label.setText("")

    def move_focus(self) -> None:
        """The slider moved: decode A's mean + t × the vector (live)."""
        self.t_label.setText(f"{self.state.amount:+.2f}")
        point = self.state.point(self.session)
        if point is not None:
            self.session.set_focus(point)

    @torch.no_grad()
    def add_to_selection(self) -> None:
        sel = self.session.selection
        decoded = self.state.moved(self.session, sel)
        if decoded is None:
            return
        shown = min(len(sel), 64)
        t = self.state.amount
        if decoded.dim() == 4:
            self.gallery.set_images(decoded)
            self.gallery_label.setText(f"{shown} selected example(s), code + {t:.2f} × the vector, decoded:")
        else:
            points = ", ".join("(" + ", ".join(f"{v:.2f}" for v in p[:3]) + ")" for p in decoded[:6].tolist())
            self.gallery_label.setText(f"{shown} selected point(s) + {t:.2f} × the vector decode to {points}"
                                       + (" …" if shown > 6 else ""))
