"""Public eval-file formats: recognised, parsed and audited. Structural problems (bad JSON, a
missing field, a wrong type) are errors at file:line; label audits are warnings with counts,
because public files do carry questionable labels and a user may still want to use them.

Formats (shared/DESIGN.md, "Public formats the real-data path must read"):
- persona         Anthropic persona/*.jsonl: `question`, `statement`, answers " Yes" / " No"
- advanced-ai-risk  Anthropic JSONL, answers " (A)" among the question's "(A) ..." choices
- sycophancy      Anthropic sycophancy/*.jsonl: as above, `answer_not_matching_behavior` a
                  string or a list (philpapers)
- caa             CAA's A/B JSON *list*, answers "(A)" (no leading space)
- messages        chat JSONL, {"messages": [{"role": ..., "content": ...}, ...]}
- sycophancy-eval SycophancyEval JSONL: `prompt` [{type: human|ai, content}], `base` {...}

Audits: answers among the choices, duplicate questions, and for Yes/No items a label-flip
heuristic (a negated statement should take the other answer than an affirmative one; items
against the file's majority pairing are counted).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("persona", "advanced-ai-risk", "sycophancy", "caa", "messages", "sycophancy-eval")
CHOICE_EVALS = ("persona", "advanced-ai-risk", "sycophancy", "caa")  # scored by answer probability
AB_JSONL = ("advanced-ai-risk", "sycophancy")
ANSWERS = ("answer_matching_behavior", "answer_not_matching_behavior")
YES_NO = {"Yes", "No"}
ROLES = {"system", "user", "assistant"}
CHOICE = re.compile(r"\(([A-Z])\)\s*([^\n]*)")
NEGATION = re.compile(r"\b(not|never|no|none|nobody|nothing|cannot)\b|n't\b", re.IGNORECASE)
SHOWN = 5  # line numbers listed per warning


@dataclass
class FileReport:
    """One file: its format, its records as (line, object), errors and warnings."""
    path: Path
    format: str | None = None
    records: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def warn(self, what: str, lines: list[int]) -> None:
        if lines:
            shown = ", ".join(map(str, lines[:SHOWN])) + (", ..." if len(lines) > SHOWN else "")
            self.warnings.append(f"{self.path}: warning: {len(lines)} {what} (line {shown})")


def _json_list(path: Path, text: str, report: FileReport) -> list[tuple[int, object]]:
    """The items of a JSON list with the line each starts on (json.loads gives no positions)."""
    decoder, at, items = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text) or text[at] == "]":
            return items
        line = text.count("\n", 0, at) + 1
        try:
            item, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as e:
            report.error(text.count("\n", 0, e.pos) + 1, f"not valid JSON ({e.msg})")
            return items
        items.append((line, item))


def _records(path: Path, report: FileReport) -> list[tuple[int, object]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        report.problems.append(f"{path}: cannot read ({e})")
        return []
    if text.lstrip().startswith("["):
        return _json_list(path, text, report)
    records = []
    for line, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            try:
                records.append((line, json.loads(raw)))
            except json.JSONDecodeError as e:
                report.error(line, f"not valid JSON ({e.msg})")
    return records


def detect(records: list[tuple[int, object]], is_list: bool) -> str | None:
    """The format of a file from its first object (fields are distinctive enough)."""
    first = next((obj for _, obj in records if isinstance(obj, dict)), None)
    if first is None:
        return None
    if "messages" in first:
        return "messages"
    if "prompt" in first and "base" in first:
        return "sycophancy-eval"
    if is_list:
        return "caa"
    if "statement" in first:
        return "persona"
    lists = any(isinstance(o, dict) and isinstance(o.get(ANSWERS[1]), list) for _, o in records)
    if lists or str(first.get("question", "")).startswith("Hello, my name is"):
        return "sycophancy"
    return "advanced-ai-risk"


def _answers(obj: dict) -> tuple[str, list[str]] | None:
    """(matching, not-matching answers) if both are strings (a list allowed for the second)."""
    match, other = obj.get(ANSWERS[0]), obj.get(ANSWERS[1])
    others = other if isinstance(other, list) else [other]
    if isinstance(match, str) and others and all(isinstance(o, str) for o in others):
        return match, others
    return None


def _check_choice_item(report: FileReport, line: int, obj: dict, audit: dict) -> None:
    fields = ("question", "statement", *ANSWERS) if report.format == "persona" else \
        ("question", *ANSWERS)
    missing = [f for f in fields if f not in obj]
    if missing:
        return report.error(line, f"missing {', '.join(missing)}")
    answers = _answers(obj)
    if answers is None or not isinstance(obj["question"], str):
        allowed = "a string or a list of strings" if report.format == "sycophancy" else "a string"
        return report.error(line, f"question and {ANSWERS[0]} must be strings, {ANSWERS[1]} "
                                  f"{allowed}")
    if isinstance(obj[ANSWERS[1]], list) and report.format != "sycophancy":
        return report.error(line, f"{ANSWERS[1]} is a list; only sycophancy files have lists")
    match, others = answers
    audit["questions"].setdefault(obj["question"], []).append(line)
    choices = dict(CHOICE.findall(obj["question"]))
    labels = [a.strip() for a in (match, *others)]
    if report.format == "persona":
        ok = {match.strip(), *map(str.strip, others)} == YES_NO and len(others) == 1
    elif all(a in YES_NO for a in labels) and not choices:
        ok = len(set(labels)) == len(labels)
    else:
        ok = all((m := CHOICE.fullmatch(a)) and m.group(1) in choices for a in labels) \
             and len(set(labels)) == len(labels)
    if not ok:
        audit["not_choices"].append(line)
        return
    said = labels[0] if labels[0] in YES_NO else choices.get(labels[0][1:2], "").strip()
    if said in YES_NO and report.format != "persona":
        text = obj.get("statement") or obj["question"].split("Choices:")[0]
        audit["yes_no"].append((line, bool(NEGATION.search(text)) != (said == "Yes")))


def _check_messages(report: FileReport, line: int, obj: dict, audit: dict) -> None:
    turns = obj.get("messages")
    if not isinstance(turns, list) or not turns:
        return report.error(line, "`messages` must be a non-empty list of turns")
    for i, turn in enumerate(turns):
        if not (isinstance(turn, dict) and turn.get("role") in ROLES
                and isinstance(turn.get("content"), str)):
            return report.error(line, f"messages[{i}] must be {{role: system|user|assistant, "
                                      "content: string}}")
    if turns[-1]["role"] != "assistant" or not any(t["role"] == "user" for t in turns):
        return report.error(line, "a dialogue needs a user turn and must end with the "
                                  "assistant's turn")
    prompt = json.dumps(turns[:-1])
    audit["questions"].setdefault(prompt, []).append(line)


def _check_sycophancy_eval(report: FileReport, line: int, obj: dict, audit: dict) -> None:
    prompt, base = obj.get("prompt"), obj.get("base")
    if not (isinstance(prompt, list) and prompt and all(
            isinstance(t, dict) and t.get("type") in ("human", "ai")
            and isinstance(t.get("content"), str) for t in prompt)):
        return report.error(line, "`prompt` must be a non-empty list of {type: human|ai, "
                                  "content: string}")
    if not isinstance(base, dict):
        return report.error(line, "`base` must be an object")
    template = obj.get("metadata", {}).get("prompt_template") if isinstance(
        obj.get("metadata"), dict) else None
    if "metadata" in obj and not isinstance(template, str):
        report.error(line, "`metadata.prompt_template` must be a string")
    if base.get("correct_answer") is not None and \
            base.get("correct_answer") == base.get("incorrect_answer"):
        audit["not_choices"].append(line)
    audit["questions"].setdefault(json.dumps(prompt), []).append(line)


CHECKS = {"messages": _check_messages, "sycophancy-eval": _check_sycophancy_eval}


def _flips(yes_no: list[tuple[int, bool]]) -> list[int]:
    """Lines against the majority pairing of statement polarity and answer (the heuristic)."""
    agree = [line for line, pairs in yes_no if pairs]
    disagree = [line for line, pairs in yes_no if not pairs]
    return sorted(min(agree, disagree, key=len)) if len(yes_no) >= 4 else []


def check_file(path: str | Path, expect: str | None = None) -> FileReport:
    """Parse and audit one file; `expect` names the format it must be (else it is detected)."""
    path = Path(path)
    report = FileReport(path)
    records = _records(path, report)
    if report.problems:
        return report
    is_list = path.read_text(encoding="utf-8").lstrip().startswith("[")
    report.format = detect(records, is_list)
    if expect is not None and report.format != expect:
        if {report.format, expect} != set(AB_JSONL):  # those two differ only by list answers
            report.problems.append(f"{path}: expected the {expect} format, found "
                                   f"{report.format or 'no JSON objects'}")
            return report
        report.format = expect
    if report.format is None:
        report.problems.append(f"{path}: no JSON objects in it")
        return report
    audit = {"questions": {}, "not_choices": [], "yes_no": []}
    check = CHECKS.get(report.format, _check_choice_item)
    for line, obj in records:
        if not isinstance(obj, dict):
            report.error(line, f"expected a JSON object, got {type(obj).__name__}")
        else:
            check(report, line, obj, audit)
            report.records.append((line, obj))
    report.warn("item(s) whose answers are not among the question's choices (or repeat one)"
                if report.format != "sycophancy-eval" else
                "item(s) whose correct and incorrect answers are the same", audit["not_choices"])
    report.warn("duplicate question(s)", sorted(
        line for lines in audit["questions"].values() for line in lines[1:]))
    report.warn("Yes/No item(s) whose label goes against the file's pairing of statement "
                "polarity and answer: possibly inverted labels (a heuristic)",
                _flips(audit["yes_no"]))
    return report
