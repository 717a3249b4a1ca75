// ---- Quiz widget (tokenlab.widgets.QuizWidget) ---------------------------------------------
// Multiple-choice questions graded entirely in the browser: the questions, the right answers
// and an explanation per choice are in the widget state (model "questions"), so the quiz works
// on the static site with no kernel. In a live kernel the reader's answers are also synced back
// to Python (model "answers").
//
// Model state:
//   questions  [{prompt: str, choices: [str], answer: int, explanations: [str]}]  (read)
//   title      str                                                                 (read)
//   answers    {"<q>": {choice: int, correct: bool}}  the last checked choice per question
//              (read on render to restore; written on every Check and every change of choice)
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-quiz                                  root element
//   .tl-quiz-title                            the quiz title
//   .tl-quiz-score                            "N / M correct" (N: questions whose last check
//                                             was right; M: number of questions); aria-live
//   form.tl-quiz-q[data-q="<q>"]              one per question, q = 0, 1, ... in order
//     fieldset > legend.tl-quiz-prompt        "<q+1>. <prompt>"
//     label.tl-quiz-choice[data-choice="<i>"] one per choice i, wrapping its radio button:
//       input[type=radio][value="<i>"]        (all radios of one question share one name)
//       span.tl-quiz-choice-text              the choice's text
//     button.tl-quiz-check                    "Check" (type=button)
//     .tl-quiz-feedback                       role=status, aria-live=polite; empty until a check.
//                                             After Check: data-correct="true" or "false" and
//                                             the text "✓ Correct. <explanation>" or
//                                             "✗ Not quite. <explanation>" (the explanation of
//                                             the CHOSEN choice, verbatim). With no choice made:
//                                             no data-correct, data-state="empty", a prompt to
//                                             choose. Changing the choice clears the feedback
//                                             (data-correct removed) and that question's score.
//   After a check the chosen label also gets class tl-quiz-choice-right or tl-quiz-choice-wrong.
// All text is set with textContent, never parsed as HTML. Enter on a radio button checks too.

let tlQuizInstances = 0;

function tlQuizEl(tag, className, attrs) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

function tlQuizGrade(question, choice) {
  return Number.isInteger(choice) && choice === question.answer;
}

function render({ model, el }) {
  tlQuizInstances += 1;
  const uid = `tl-quiz-${tlQuizInstances}-${Math.random().toString(36).slice(2, 8)}`;
  const root = tlQuizEl("div", "tl-quiz");
  el.appendChild(root);
  let views = [];
  let answers = {};

  function readAnswers() {
    const raw = model.get("answers");
    const out = {};
    if (raw && typeof raw === "object") {
      for (const [key, value] of Object.entries(raw)) {
        if (value && Number.isInteger(value.choice)) out[key] = { choice: value.choice };
      }
    }
    return out;
  }

  function sync() {
    const questions = model.get("questions") || [];
    const out = {};
    for (const [key, value] of Object.entries(answers)) {
      const q = questions[Number(key)];
      if (q) out[key] = { choice: value.choice, correct: tlQuizGrade(q, value.choice) };
    }
    try {
      model.set("answers", out);
      model.save_changes(); // a no-op on the static site (no kernel)
    } catch (err) {
      // No kernel and no comm: the quiz still grades in the page.
    }
  }

  function updateScore(scoreEl, questions) {
    let right = 0;
    questions.forEach((q, qi) => {
      const a = answers[String(qi)];
      if (a && tlQuizGrade(q, a.choice)) right += 1;
    });
    scoreEl.textContent = `${right} / ${questions.length} correct`;
    scoreEl.setAttribute("data-score", String(right));
    scoreEl.setAttribute("data-total", String(questions.length));
  }

  function clearFeedback(view) {
    view.feedback.textContent = "";
    view.feedback.removeAttribute("data-correct");
    view.feedback.removeAttribute("data-state");
    for (const label of view.labels) {
      label.classList.remove("tl-quiz-choice-right", "tl-quiz-choice-wrong");
    }
  }

  function showFeedback(view, question, choice) {
    clearFeedback(view);
    const correct = tlQuizGrade(question, choice);
    const explanation = (question.explanations || [])[choice] || "";
    view.feedback.setAttribute("data-correct", correct ? "true" : "false");
    view.feedback.setAttribute("data-state", "checked");
    const mark = tlQuizEl("span", "tl-quiz-mark", { "aria-hidden": "true" });
    mark.textContent = correct ? "✓" : "✗";
    const verdict = tlQuizEl("strong", "tl-quiz-verdict");
    verdict.textContent = correct ? "Correct." : "Not quite.";
    const text = tlQuizEl("span", "tl-quiz-explanation");
    text.textContent = explanation;
    view.feedback.append(mark, " ", verdict, " ", text);
    const label = view.labels[choice];
    if (label) label.classList.add(correct ? "tl-quiz-choice-right" : "tl-quiz-choice-wrong");
  }

  function build() {
    root.textContent = "";
    views = [];
    answers = readAnswers();
    const questions = model.get("questions") || [];
    const title = model.get("title");
    if (title) {
      const titleEl = tlQuizEl("div", "tl-quiz-title");
      titleEl.textContent = title;
      root.appendChild(titleEl);
    }
    const scoreEl = tlQuizEl("div", "tl-quiz-score", { "aria-live": "polite" });
    if (!questions.length) {
      const empty = tlQuizEl("p", "tl-quiz-empty");
      empty.textContent = "This quiz has no questions.";
      root.appendChild(empty);
    }

    questions.forEach((q, qi) => {
      const form = tlQuizEl("form", "tl-quiz-q", { "data-q": String(qi), novalidate: "" });
      const fieldset = tlQuizEl("fieldset", "tl-quiz-fieldset");
      const legend = tlQuizEl("legend", "tl-quiz-prompt");
      legend.textContent = `${qi + 1}. ${q.prompt}`;
      fieldset.appendChild(legend);
      const list = tlQuizEl("div", "tl-quiz-choices");
      const view = { form, labels: [], radios: [], feedback: null };
      (q.choices || []).forEach((choice, ci) => {
        const label = tlQuizEl("label", "tl-quiz-choice", { "data-choice": String(ci) });
        const radio = tlQuizEl("input", "tl-quiz-radio", {
          type: "radio",
          name: `${uid}-q${qi}`,
          value: String(ci),
        });
        const span = tlQuizEl("span", "tl-quiz-choice-text");
        span.textContent = choice;
        label.append(radio, span);
        list.appendChild(label);
        view.labels.push(label);
        view.radios.push(radio);
        radio.addEventListener("change", () => {
          clearFeedback(view);
          if (String(qi) in answers) {
            delete answers[String(qi)];
            updateScore(scoreEl, questions);
            sync();
          }
        });
      });
      fieldset.appendChild(list);
      const button = tlQuizEl("button", "tl-quiz-check", { type: "button" });
      button.textContent = "Check";
      const feedback = tlQuizEl("div", "tl-quiz-feedback", {
        role: "status",
        "aria-live": "polite",
      });
      view.feedback = feedback;
      fieldset.append(button, feedback);
      form.appendChild(fieldset);
      root.appendChild(form);
      views.push(view);

      const checkAnswer = () => {
        const chosen = view.radios.findIndex((r) => r.checked);
        if (chosen < 0) {
          clearFeedback(view);
          feedback.setAttribute("data-state", "empty");
          feedback.textContent = "Choose an answer first.";
          return;
        }
        answers[String(qi)] = { choice: chosen };
        showFeedback(view, q, chosen);
        updateScore(scoreEl, questions);
        sync();
      };
      button.addEventListener("click", checkAnswer);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        checkAnswer();
      });
      form.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && event.target && event.target.type === "radio") {
          event.preventDefault();
          checkAnswer();
        }
      });

      const saved = answers[String(qi)];
      if (saved && view.radios[saved.choice]) {
        view.radios[saved.choice].checked = true;
        showFeedback(view, q, saved.choice);
      } else {
        delete answers[String(qi)];
      }
    });
    root.appendChild(scoreEl);
    updateScore(scoreEl, questions);
  }

  function onAnswers() {
    // Another view (or Python) changed the answers: show them, unless they are ours already.
    const incoming = readAnswers();
    const same =
      JSON.stringify(Object.keys(incoming).sort().map((k) => [k, incoming[k].choice])) ===
      JSON.stringify(Object.keys(answers).sort().map((k) => [k, answers[k].choice]));
    if (!same) build();
  }

  build();
  model.on("change:questions", build);
  model.on("change:title", build);
  model.on("change:answers", onAnswers);
  return () => {
    model.off("change:questions", build);
    model.off("change:title", build);
    model.off("change:answers", onAnswers);
  };
}

export default { render };
