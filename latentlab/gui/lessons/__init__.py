"""Guided lessons: Markdown steps (text.py) and what their setup lines do (actions.py)."""
