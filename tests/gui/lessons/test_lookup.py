"""A lesson by number or name (--lesson, --set window.lesson): file name or title, any case, a unique start."""

import pytest

from latentlab.gui.lessons.text import LessonError, find_lesson, load_lessons


@pytest.fixture(scope="module")
def lessons():
    return load_lessons()


@pytest.mark.parametrize("text, number", [
    ("6", 6), ("0", 0), ("06-vaes", 6), ("vaes", 6), ("VAE", 6), ("Variational autoencoders", 6),
    ("6. variational autoencoders", 6), ("  variational  ", 6), ("dis", 4), ("mmd", 5), ("maximum", 5),
    ("plain", 1), ("denoising", 2),
])
def test_a_lesson_is_found_by_number_file_name_or_title(lessons, text, number):
    assert find_lesson(text, lessons) == number


@pytest.mark.parametrize("text, said", [
    ("d", "names 3 lessons (2, 3, 4)"), ("de", "names 2 lessons (2, 3)"), ("zzz", "is not a lesson"),
    ("42", "is not a lesson"), ("-1", "is not a lesson"), ("", "is not a lesson"), ("²", "is not a lesson"),
])
def test_none_or_several_is_an_error_listing_the_lessons(lessons, text, said):
    with pytest.raises(LessonError) as e:
        find_lesson(text, lessons)
    message = str(e.value)
    assert said in message and "1 plain-autoencoders" in message and "7 penalties" in message
    assert "\n" not in message
