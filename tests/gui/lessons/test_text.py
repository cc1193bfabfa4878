from pathlib import Path

import pytest

from latentlab.gui.lessons.actions import unknown_keys
from latentlab.gui.lessons.text import LessonError, load_lessons, parse_lesson

TOPICS = ["autoencoder", "denoising", "densit", "distances", "mmd", "variational", "penalties"]


def test_the_seven_shipped_lessons_follow_the_lecture_and_use_only_known_setup_keys():
    lessons = load_lessons()
    assert len(lessons) == 7
    for lesson, topic in zip(lessons, TOPICS):
        assert topic in lesson.title.lower()
        assert len(lesson.steps) >= 3
        assert lesson.steps[0].setup, f"{lesson.path.name}: its first step sets the application up"
        for step in lesson.steps:
            assert unknown_keys(step) == []
            assert any(kind == "markdown" for kind, _ in step.parts)
        assert any(kind == "formula" for step in lesson.steps for kind, _ in step.parts)


def test_a_lesson_file_parses_into_steps_setup_and_formulas():
    text = ("# My lesson\nintro is ignored\n## First\n```setup\npanel: mmd\n# a comment\nkde_width: 2\n```\n"
            "Some *text*.\n```formula\na_{i} = b^2\n```\nMore.\n```python\nx = 1\n```\n## Second\nOnly words.\n")
    lesson = parse_lesson(text, Path("x.md"))
    assert lesson.title == "My lesson"
    first, second = lesson.steps
    assert [(s.key, s.value, s.line) for s in first.setup] == [("panel", "mmd", 5), ("kde_width", "2", 7)]
    assert first.value("panel") == "mmd" and first.value("focus") is None
    assert first.parts == [("markdown", "Some *text*."), ("formula", "a_{i} = b^2"),
                           ("markdown", "More.\n```python\nx = 1\n```")]
    assert second.parts == [("markdown", "Only words.")] and second.setup == []


@pytest.mark.parametrize("text, message", [
    ("# T\n## S\n```setup\nno colon here\n```\n", "x.md:4: a setup line is 'key: value'"),
    ("# T\n## S\n```formula\nx\n", "is not closed"),
    ("# T\n```setup\na: b\n```\n", "before the first '## ' step"),
    ("just words\n", "needs a '# title'"),
])
def test_broken_lesson_files_are_refused_with_file_and_line(text, message):
    with pytest.raises(LessonError, match=message):
        parse_lesson(text, Path("x.md"))


def test_a_missing_lessons_folder_is_a_clear_error(tmp_path):
    with pytest.raises(LessonError, match="no lessons folder"):
        load_lessons(tmp_path / "nowhere")
