"""The quiz widget: multiple-choice questions that grade themselves in the browser.

Every number the reader sees is computed by ``quiz.js`` from the widget state, which holds the
questions, the index of each right choice and an explanation per choice; Jupyter Book embeds
that state in the page, so the quiz works on the static site with no kernel. In a live kernel
the reader's checked answers come back to Python in :attr:`QuizWidget.answers`.
The DOM the JavaScript builds (class names and data attributes that tests rely on) is
documented at the top of ``quiz.js``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from tokenlab.exercises import Quiz, load_quiz

__all__ = ["QuizWidget", "show_quiz"]

HERE = Path(__file__).resolve().parent


class QuizWidget(anywidget.AnyWidget):
    """A chapter's quiz: radio buttons, a Check button per question, feedback and a score.

    Parameters
    ----------
    quiz : Quiz, str or dict
        A :class:`~tokenlab.exercises.Quiz`, a chapter id (``"ch01"``) to load with
        :func:`~tokenlab.exercises.load_quiz`, or quiz data in the JSON form (validated).

    Attributes
    ----------
    questions : list of dict
        ``{"prompt", "choices", "answer", "explanations"}`` per question (synced to the page).
    title, chapter : str
        The quiz's title and chapter id.
    answers : dict
        The reader's last checked choice per question, ``{"0": {"choice": 1, "correct":
        True}}``, written by the browser.

    Examples
    --------
    >>> w = QuizWidget("ch01")
    >>> len(w.questions) == len(load_quiz("ch01").questions), w.score
    (True, (0, 6))
    >>> w.answers = {"0": {"choice": w.questions[0]["answer"], "correct": True}}
    >>> w.score
    (1, 6)
    """

    _esm = (HERE / "quiz.js").read_text(encoding="utf-8")
    _css = (HERE / "quiz.css").read_text(encoding="utf-8")

    questions = traitlets.List(traitlets.Dict()).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    chapter = traitlets.Unicode("").tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)

    def __init__(self, quiz: Quiz | str | dict, **kwargs: Any) -> None:
        if isinstance(quiz, str):
            quiz = load_quiz(quiz)
        elif isinstance(quiz, dict):
            quiz = Quiz.from_dict(quiz)
        elif not isinstance(quiz, Quiz):
            raise TypeError(f"quiz must be a Quiz, a chapter id or quiz data (dict), "
                            f"got {type(quiz).__name__}")
        data = quiz.to_dict()
        super().__init__(questions=data["questions"], title=quiz.title, chapter=quiz.chapter,
                         **kwargs)
        self.quiz = quiz

    @property
    def score(self) -> tuple[int, int]:
        """``(right, total)``: questions whose checked choice is right, graded here in Python
        from :attr:`answers` (the browser's ``correct`` flag is not trusted)."""
        right = 0
        for key, value in self.answers.items():
            try:
                question = self.quiz.questions[int(key)]
                choice = value["choice"]
            except (ValueError, IndexError, KeyError, TypeError):
                continue
            right += type(choice) is int and choice == question.answer
        return right, len(self.quiz.questions)


def show_quiz(chapter_id: str) -> QuizWidget:
    """The quiz widget of a chapter; the last expression of a cell, it displays itself.

    Parameters
    ----------
    chapter_id : str
        A chapter with a quiz (``"ch01"``); see :func:`tokenlab.exercises.quizzes`.

    Returns
    -------
    QuizWidget

    Raises
    ------
    ValueError
        If the chapter has no quiz (the message lists those that do).

    Examples
    --------
    >>> show_quiz("ch01").chapter
    'ch01'
    """
    return QuizWidget(chapter_id)
