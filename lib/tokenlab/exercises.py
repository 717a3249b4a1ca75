"""Self-graded exercises and quizzes, the same mechanism in every chapter.

A chapter registers a *checker* per coding exercise with the :func:`exercise` decorator (the
checkers live in :mod:`tokenlab.exercise_bank`, one module per chapter). A reader writes a
function and calls :func:`check`, which runs the checker's hidden cases against it and answers
with a :class:`CheckResult`: how many cases passed, the first input that failed and what the
reader's function did with it, and a hint, never the expected output::

    >>> from tokenlab.exercises import check
    >>> def bigrams(tokens):
    ...     return [a + b for a, b in zip(tokens, tokens[1:])]
    >>> result = check("ch01-bigrams", bigrams)
    >>> bool(result)
    False
    >>> print(result.message)  # doctest: +ELLIPSIS
    2 of 6 hidden cases passed. For input ['new', 'york', 'is', 'big'] your function ...

Quizzes are data (``tokenlab/data/quiz_<chapter>.json``), read and validated by
:func:`load_quiz`; :class:`tokenlab.widgets.QuizWidget` shows one and grades it in the browser.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = [
    "AnswerTypeError",
    "Case",
    "CheckResult",
    "Exercise",
    "Question",
    "Quiz",
    "check",
    "exercise",
    "exercises",
    "get_exercise",
    "load_quiz",
    "quizzes",
    "run_cases",
    "short_repr",
]

#: A checker takes the reader's answer and returns one entry per hidden case: ``None`` when
#: the case passed, else one sentence saying what went wrong (without the expected output).
Checker = Callable[[Any], Sequence[str | None]]

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_REGISTRY: dict[str, Exercise] = {}


class AnswerTypeError(TypeError):
    """Raised by a checker when the answer is not even the right kind of thing (no function)."""


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its id, title, hint and checker."""

    id: str
    title: str
    hint: str
    checker: Checker = field(repr=False)


def exercise(exercise_id: str, *, title: str, hint: str) -> Callable[[Checker], Checker]:
    """Register the decorated function as the checker of exercise ``exercise_id``.

    Parameters
    ----------
    exercise_id : str
        Lower-case id, ``"<chapter>-<name>"`` by convention (``"ch01-bigrams"``).
    title : str
        A short title shown with every result.
    hint : str
        Shown when a case fails. It must help without giving the solution away.

    Returns
    -------
    callable
        A decorator that registers the checker and returns it unchanged. The checker takes
        the reader's answer and returns one entry per hidden case (``None`` for a pass, else
        a sentence); :func:`run_cases` builds that list for a function answer. It may raise
        :class:`AnswerTypeError` when the answer is the wrong kind of thing.

    Raises
    ------
    TypeError
        If an argument is not a str.
    ValueError
        If ``exercise_id`` is malformed, or already registered by another checker.

    Examples
    --------
    >>> @exercise("demo-answer", title="The answer", hint="Six times seven.")
    ... def _check_answer(answer):
    ...     return [None if answer == 42 else f"You answered {short_repr(answer)}"]
    >>> check("demo-answer", 41).message
    '0 of 1 hidden cases passed. You answered 41; hint: Six times seven.'
    >>> _ = _REGISTRY.pop("demo-answer")
    """
    for name, value in (("exercise_id", exercise_id), ("title", title), ("hint", hint)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not _ID.fullmatch(exercise_id):
        raise ValueError(
            f"exercise_id must be lower-case letters, digits, '-' and '_', got {exercise_id!r}"
        )

    def register(checker: Checker) -> Checker:
        if not callable(checker):
            raise TypeError(f"the checker must be callable, got {type(checker).__name__}")
        old = _REGISTRY.get(exercise_id)
        if old is not None and _origin(old.checker) != _origin(checker):
            raise ValueError(f"exercise_id {exercise_id!r} is already registered by "
                             f"{'.'.join(_origin(old.checker))}")
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker)
        return checker

    return register


def _origin(func: Callable[..., Any]) -> tuple[str, str]:
    return (getattr(func, "__module__", "?"), getattr(func, "__qualname__", repr(func)))


def _load_bank() -> None:
    """Register every chapter's checkers by importing :mod:`tokenlab.exercise_bank` (cached)."""
    importlib.import_module("tokenlab.exercise_bank")


def exercises() -> list[str]:
    """The ids of every registered exercise, sorted.

    Examples
    --------
    >>> [e for e in exercises() if e.startswith("ch01-")]
    ['ch01-bigrams', 'ch01-jamo', 'ch01-vocab-size']
    """
    _load_bank()
    return sorted(_REGISTRY)


def get_exercise(exercise_id: str) -> Exercise:
    """The registered :class:`Exercise` called ``exercise_id``.

    Raises
    ------
    TypeError
        If ``exercise_id`` is not a str.
    ValueError
        If no exercise has that id (the message lists the known ids).

    Examples
    --------
    >>> get_exercise("ch01-jamo").title
    'Hangul syllable to jamo'
    """
    if not isinstance(exercise_id, str):
        raise TypeError(f"exercise_id must be a str, got {type(exercise_id).__name__}")
    _load_bank()
    try:
        return _REGISTRY[exercise_id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(f"exercise_id must be a known exercise ({known}), "
                         f"got {exercise_id!r}") from None


def short_repr(value: Any, limit: int = 100) -> str:
    """``repr(value)``, cut to about ``limit`` characters with ``...`` (never raises).

    Examples
    --------
    >>> short_repr(["new", "york"])
    "['new', 'york']"
    >>> short_repr("x" * 200, limit=10)
    "'xxxxxx..."
    """
    try:
        text = repr(value)
    except Exception as exc:  # a reader's object whose __repr__ fails
        text = f"<{type(value).__name__} object; repr raised {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Case:
    """One hidden case: the arguments, the expected result, and how to name the input.

    Parameters
    ----------
    args : tuple
        Positional arguments for the reader's function (each call gets a deep copy).
    expected : Any
        The right result. Never shown to the reader.
    label : str, optional
        How a failure names the input (``"texts=[...] and level='word'"``); default
        ``"input <repr of the arguments>"``.
    """

    args: tuple
    expected: Any = field(repr=False)
    label: str | None = None

    def describe(self) -> str:
        if self.label is not None:
            return self.label
        return "input " + ", ".join(short_repr(a) for a in self.args)


def _equal(got: Any, expected: Any) -> bool:
    return type(got) is type(expected) and got == expected


def run_cases(
    answer: Any,
    cases: Iterable[Case],
    *,
    compare: Callable[[Any, Any], bool] = _equal,
    show: Callable[[Any], str] = short_repr,
    diagnose: Callable[[Any, Any], str | None] | None = None,
) -> list[str | None]:
    """Call the reader's function on every case; the per-case list a checker returns.

    Parameters
    ----------
    answer : callable
        The reader's function.
    cases : iterable of Case
        The hidden cases.
    compare : callable
        ``compare(got, expected) -> bool``; by default same type and ``==``. An exception in
        it counts as a failed case.
    show : callable
        How a failure shows what the function returned (default :func:`short_repr`).
    diagnose : callable, optional
        ``diagnose(got, expected) -> str or None``: a remark about a typical mistake added to
        the failure (it must not reveal ``expected``).

    Returns
    -------
    list of (str or None)
        ``None`` for a passed case, else ``"For <input> your function returned <value>"``
        or ``"For <input> your function raised <Type>: <message>"``.

    Raises
    ------
    AnswerTypeError
        If ``answer`` is not callable.

    Examples
    --------
    >>> run_cases(len, [Case(("abc",), 3), Case(([],), 1)])
    [None, 'For input [] your function returned 0']
    >>> run_cases(int, [Case(("x",), 0)])
    ["For input 'x' your function raised ValueError: invalid literal for int() with base 10: 'x'"]
    """
    if not callable(answer):
        raise AnswerTypeError(
            f"check expects your function itself (its name, without calling it), "
            f"got {short_repr(answer, 60)} of type {type(answer).__name__}"
        )
    results: list[str | None] = []
    for case in cases:
        where = case.describe()
        try:
            got = answer(*copy.deepcopy(case.args))
        except Exception as exc:
            results.append(f"For {where} your function raised {type(exc).__name__}: {exc}")
            continue
        try:
            ok = bool(compare(got, case.expected))
        except Exception:
            ok = False
        if ok:
            results.append(None)
            continue
        message = f"For {where} your function returned {show(got)}"
        if diagnose is not None:
            try:
                remark = diagnose(got, case.expected)
            except Exception:
                remark = None
            if remark:
                message += f" - {remark}"
        results.append(message)
    return results


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` answers: passed or not, and a message with a hint.

    ``bool(result)`` is ``result.passed``. In Jupyter it shows as a green (✓) or red (✗) box.

    Examples
    --------
    >>> r = CheckResult("ch01-bigrams", "Word bigrams", True, "All 6 hidden cases passed.", 6, 6)
    >>> bool(r), str(r)
    (True, '✓ Word bigrams: All 6 hidden cases passed.')
    >>> "&lt;" in CheckResult("x", "<b>", False, "a < b", 0, 1)._repr_html_()
    True
    """

    exercise_id: str
    title: str
    passed: bool
    message: str
    n_passed: int = 0
    n_cases: int = 0

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.title}: {self.message}"

    def _repr_html_(self) -> str:
        color = "#2da44e" if self.passed else "#e5534b"
        tint = "rgba(45,164,78,0.12)" if self.passed else "rgba(229,83,75,0.12)"
        mark = "✓ Passed" if self.passed else "✗ Not yet"
        return (
            f'<div class="tl-check" data-passed="{str(self.passed).lower()}" role="status" '
            f'style="border:1px solid {color};border-left:6px solid {color};background:{tint};'
            'color:inherit;border-radius:6px;padding:0.5em 0.8em;margin:0.3em 0;'
            'line-height:1.45">'
            f'<strong style="color:{color}">{mark}</strong> '
            f"<span>{html.escape(self.title)} ({html.escape(self.exercise_id)})</span><br>"
            f"<span>{html.escape(self.message)}</span></div>"
        )

    def _repr_markdown_(self) -> str:
        mark = "✓ Passed" if self.passed else "✗ Not yet"
        return (f"**{mark}**: {_md_escape(self.title)} (`{self.exercise_id}`)\n\n"
                f"{_md_escape(self.message)}")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Grade ``answer`` on the hidden cases of exercise ``exercise_id``.

    A wrong answer never raises: a function that raises, returns the wrong type or is not a
    function at all gives a failed :class:`CheckResult` whose message names what happened
    (the exception's type and message) on the first failing input, with the exercise's hint.

    Parameters
    ----------
    exercise_id : str
        One of :func:`exercises`.
    answer : Any
        The reader's answer: usually a function, for some exercises a value.

    Returns
    -------
    CheckResult
        ``passed`` is True when every hidden case passed.

    Raises
    ------
    TypeError
        If ``exercise_id`` is not a str.
    ValueError
        If ``exercise_id`` is unknown; the message lists the known ids.

    Examples
    --------
    >>> def bigrams(tokens):
    ...     return [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    >>> check("ch01-bigrams", bigrams).message
    'All 6 hidden cases passed.'
    >>> print(check("ch01-bigrams", "new york").message)  # doctest: +ELLIPSIS
    check expects your function itself ..., got 'new york' of type str; hint: ...
    """
    ex = get_exercise(exercise_id)
    try:
        outcomes = list(ex.checker(answer))
    except AnswerTypeError as exc:
        return CheckResult(ex.id, ex.title, False, f"{exc}; hint: {ex.hint}", 0, 0)
    except Exception as exc:  # the answer broke the checker itself: still not the reader's crash
        return CheckResult(ex.id, ex.title, False,
                           f"Your answer could not be graded ({type(exc).__name__}: {exc}); "
                           f"hint: {ex.hint}", 0, 0)
    if not outcomes:
        raise RuntimeError(f"the checker of {ex.id!r} ran no cases")
    failures = [f for f in outcomes if f is not None]
    n, n_passed = len(outcomes), len(outcomes) - len(failures)
    if not failures:
        return CheckResult(ex.id, ex.title, True, f"All {n} hidden cases passed.", n, n)
    message = f"{n_passed} of {n} hidden cases passed. {failures[0]}; hint: {ex.hint}"
    return CheckResult(ex.id, ex.title, False, message, n_passed, n)


# ---- quizzes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: exactly one right choice, an explanation for each."""

    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (lists, not tuples)."""
        return {"prompt": self.prompt, "choices": list(self.choices), "answer": self.answer,
                "explanations": list(self.explanations)}


@dataclass(frozen=True)
class Quiz:
    """A chapter's quiz, as validated by :meth:`from_dict`.

    Examples
    --------
    >>> quiz = Quiz.from_dict({"chapter": "demo", "title": "Demo", "questions": [
    ...     {"prompt": "1 + 1?", "choices": ["1", "2"], "answer": 1,
    ...      "explanations": ["Count again.", "Yes."]}]})
    >>> quiz.questions[0].choices[quiz.questions[0].answer]
    '2'
    >>> Quiz.from_dict({"chapter": "demo", "title": "Demo", "questions": []})
    Traceback (most recent call last):
    ...
    ValueError: quiz 'demo': questions must be a non-empty list
    """

    chapter: str
    title: str
    questions: tuple[Question, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as in ``tokenlab/data/quiz_<chapter>.json``."""
        return {"chapter": self.chapter, "title": self.title,
                "questions": [q.to_dict() for q in self.questions]}

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Quiz:
        """Validate quiz data (parsed JSON) and build a :class:`Quiz`.

        Raises
        ------
        ValueError
            Naming the offending field (``questions[2].answer``) and what is wrong.
        """
        where = source or (repr(data.get("chapter")) if isinstance(data, dict) else "data")

        def fail(what: str) -> ValueError:
            return ValueError(f"quiz {where}: {what}")

        def text(value: Any, name: str) -> str:
            if not isinstance(value, str) or not value.strip():
                raise fail(f"{name} must be a non-empty string, got {short_repr(value, 40)}")
            return value

        def keys(obj: dict, name: str, required: tuple[str, ...]) -> None:
            missing = [k for k in required if k not in obj]
            extra = sorted(set(obj) - set(required))
            if missing:
                raise fail(f"{name} is missing {', '.join(missing)}")
            if extra:
                raise fail(f"{name} has unknown keys {', '.join(extra)}")

        if not isinstance(data, dict):
            raise fail(f"the quiz must be a JSON object, got {type(data).__name__}")
        keys(data, "the quiz", ("chapter", "title", "questions"))
        chapter = text(data["chapter"], "chapter")
        title = text(data["title"], "title")
        raw_questions = data["questions"]
        if not isinstance(raw_questions, list) or not raw_questions:
            raise fail("questions must be a non-empty list")
        questions = []
        for i, q in enumerate(raw_questions):
            name = f"questions[{i}]"
            if not isinstance(q, dict):
                raise fail(f"{name} must be an object, got {type(q).__name__}")
            keys(q, name, ("prompt", "choices", "answer", "explanations"))
            prompt = text(q["prompt"], f"{name}.prompt")
            choices, explanations = q["choices"], q["explanations"]
            if not isinstance(choices, list) or len(choices) < 2:
                raise fail(f"{name}.choices must be a list of at least 2 strings")
            choices = [text(c, f"{name}.choices[{j}]") for j, c in enumerate(choices)]
            if len(set(choices)) != len(choices):
                raise fail(f"{name}.choices must be distinct")
            answer = q["answer"]
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise fail(f"{name}.answer must be an integer index, got {short_repr(answer)}")
            if not 0 <= answer < len(choices):
                raise fail(f"{name}.answer must be between 0 and {len(choices) - 1}, "
                           f"got {answer}")
            if not isinstance(explanations, list) or len(explanations) != len(choices):
                raise fail(f"{name}.explanations must be a list with one string per choice "
                           f"({len(choices)})")
            explanations = [text(e, f"{name}.explanations[{j}]")
                            for j, e in enumerate(explanations)]
            questions.append(Question(prompt, tuple(choices), answer, tuple(explanations)))
        return cls(chapter, title, tuple(questions))


_QUIZ_FILE = re.compile(r"quiz_([A-Za-z0-9_-]+)\.json")


def _quiz_dir() -> Any:
    """The folder (a Traversable) holding ``quiz_<chapter>.json``: ``tokenlab/data``."""
    return resources.files("tokenlab").joinpath("data")


def quizzes() -> list[str]:
    """The chapter ids that have a quiz in ``tokenlab/data``.

    Examples
    --------
    >>> "ch01" in quizzes()
    True
    """
    folder = _quiz_dir()
    if not folder.is_dir():
        return []
    found = (_QUIZ_FILE.fullmatch(p.name) for p in folder.iterdir())
    return sorted(m.group(1) for m in found if m)


def load_quiz(chapter_id: str) -> Quiz:
    """Read and validate the quiz of a chapter (``tokenlab/data/quiz_<chapter_id>.json``).

    Parameters
    ----------
    chapter_id : str
        ``"ch01"`` and so on; see :func:`quizzes`.

    Returns
    -------
    Quiz
        The validated quiz.

    Raises
    ------
    TypeError
        If ``chapter_id`` is not a str.
    ValueError
        If there is no quiz for ``chapter_id`` (the message lists the chapters that have
        one), or its file is not valid JSON or not a valid quiz.

    Examples
    --------
    >>> quiz = load_quiz("ch01")
    >>> quiz.chapter, len(quiz.questions) >= 5
    ('ch01', True)
    """
    if not isinstance(chapter_id, str):
        raise TypeError(f"chapter_id must be a str, got {type(chapter_id).__name__}")
    available = quizzes()
    if chapter_id not in available:
        raise ValueError(f"chapter_id must be a chapter with a quiz "
                         f"({', '.join(available) or 'none'}), got {chapter_id!r}")
    name = f"quiz_{chapter_id}.json"
    raw = _quiz_dir().joinpath(name).read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"quiz {name} is not valid JSON: {exc}") from None
    quiz = Quiz.from_dict(data, source=name)
    if quiz.chapter != chapter_id:
        raise ValueError(f"quiz {name}: chapter must be {chapter_id!r}, got {quiz.chapter!r}")
    return quiz
