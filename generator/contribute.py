"""Contributor tools: write a new entry (scaffold), turn a GitHub issue form into a
practice file, and summarise the entries a pull request changes (preview).

Everything is derived from the declaration (schema.py) and checked with the same
pipeline as `make check`.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from slugify import slugify

from . import pipeline
from .diagnostics import Diagnostic, did_you_mean
from .load import load
from .model import Vocabularies
from .schema import CAMPUS, DERIVED_FROM_CAMPUS, PRACTICE, TODO_MARKER, ContentType, Kind
from .schemas import schema_uri
from .validate import build_vocabularies

TODO = TODO_MARKER
PRACTICE_BODY = f"""## La pratique

{TODO} : ce qui a été fait, par qui, où, depuis quand, avec quels résultats chiffrés.)

## Pourquoi c’est une bonne pratique

{TODO} : ce qui la rend efficace et transposable à un autre campus.)
"""
# The documents cited go in the « source » field (asked for), not in the text.
CAMPUS_BODY = f"""{TODO} : le territoire, les axes de formation, les partenaires, les chiffres clés.)
"""


def project_setting(root: Path, key: str) -> str | None:
    """A value of `extra:` in mkdocs.yml (read as plain YAML, tags ignored)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader) or {}
    except (OSError, yaml.YAMLError):
        return None
    return (config.get("extra") or {}).get(key)


def _scalar(value: Any) -> str:
    # A JSON string is a valid YAML double-quoted scalar: every text is quoted and escaped.
    return json.dumps(value, ensure_ascii=False)


def render_entry(ctype: ContentType, values: dict[str, Any], body: str, schema_base: str | None) -> str:
    """Front matter in declaration order, every text double-quoted, then the body."""
    lines = ["---"]
    if schema_base:
        lines.append(f"# yaml-language-server: $schema={schema_base.rstrip('/')}/{schema_uri(ctype)}")
    for f in ctype.fields:
        value = values.get(f.name)
        if value in (None, "", []):
            continue
        if f.kind.several and isinstance(value, list) and len(value) == 1:
            value = value[0]  # one document, one campus: a text, as most entries write it
        if isinstance(value, list):
            lines.append(f"{f.name}:")
            lines.extend(f"  - {_scalar(str(item))}" for item in value)
        else:
            lines.append(f"{f.name}: {_scalar(value)}")
    return "\n".join(lines) + f"\n---\n{body.strip()}\n"


def missing_answers(ctype: ContentType, values: dict[str, Any]) -> list[str]:
    """Required answers (and « one of » groups) that are absent, as command-line options."""
    missing = [f"--{f.name.replace('_', '-')}" for f in ctype.fields if f.required and not values.get(f.name)]
    if ctype.one_of and not any(values.get(name) for name in ctype.one_of):
        missing.append(" ou ".join(f"--{name}" for name in ctype.one_of))
    return missing


def new_id(title: str, existing: set[str]) -> str:
    base = slugify(title, max_length=60, word_boundary=True, replacements=[["’", " "], ["'", " "]]) or "fiche"
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# --------------------------------------------------------------------------- scaffold

@dataclass
class Question:
    field: str
    prompt: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    required: bool = True
    several: bool = False  # several choices may be given, a comma apart: the answer is then a list


def ask(question: Question, reader: Callable[[str], str], writer: Callable[[str], None]) -> str | list[str]:
    """Ask until the answer is acceptable: a number or an id from the choices (several, a comma
    apart, if the question allows it: then a list), or free text."""
    while True:
        if question.choices:
            for n, (choice_id, label) in enumerate(question.choices, start=1):
                writer(f"  {n:>2}. {label} ({choice_id})")
        answer = reader(f"{question.prompt}{'' if question.required else ' (facultatif)'} : ").strip()
        if not answer:
            if not question.required:
                return ""
            writer("  Réponse obligatoire.")
            continue
        if not question.choices:
            return answer
        ids = [c for c, _ in question.choices]
        chosen: list[str] = []
        for part in _parts(answer) if question.several else [answer]:
            if part.isdigit() and 1 <= int(part) <= len(ids):
                part = ids[int(part) - 1]
            if part not in ids:
                writer(f"  « {part} » ne fait pas partie de la liste{did_you_mean(part, ids) or '.'}")
                break
            if part not in chosen:
                chosen.append(part)
        else:
            if chosen:
                return chosen if question.several else chosen[0]
            writer("  Réponse obligatoire.")


def _parts(answer: str) -> list[str]:
    """Several identifiers (or numbers) in one answer, separated by commas, semicolons or line
    breaks; not by spaces: a name given for an identifier (« Campus de Felletin ») stays one
    answer, and gets one message with a suggestion."""
    return [" ".join(part.split()) for part in re.split(r"[,;\n]", answer) if part.strip()]


def questions(ctype: ContentType, vocab: Vocabularies, campus_ids: list[str]) -> list[Question]:
    """One question per declared field, with the allowed values as choices."""
    asked = []
    for f in ctype.fields:
        choices: list[tuple[str, str]] = []
        if f.kind is Kind.VOCAB:
            choices = [(t.id, t.nom) for t in vocab.terms[f.vocab or ""].values()]
        elif f.kind is Kind.CAMPUS_REFS:
            choices = [(c, c) for c in campus_ids]
        hint = {Kind.TEXT_LIST: " (séparés par des virgules)", Kind.BOOLEAN: " (oui / non)",
                Kind.CAMPUS_REFS: " (plusieurs : séparés par des virgules)"}.get(f.kind, "")
        asked.append(Question(f.name, f.label + hint, choices, required=f.required,
                              several=f.kind is Kind.CAMPUS_REFS))
    return asked


def scaffold(ctype: ContentType, root: Path, answers: dict[str, str], interactive: bool,
             reader: Callable[[str], str] = input, writer: Callable[[str], None] = print) -> tuple[Path, list[Diagnostic]]:
    """Write content/<type>/<id>.md from answers (asking what is missing), then check it."""
    content = root / "content"
    loaded = load(content)
    vocab, _ = build_vocabularies(loaded.vocabularies)
    campus_ids = sorted(e.id for e in loaded.entries if e.type is CAMPUS)
    values: dict[str, Any] = {k: v for k, v in answers.items() if v}
    for f in ctype.fields:  # campuses as options: --campus repeated, or « a, b » in one (make CAMPUS="a, b")
        if f.kind is Kind.CAMPUS_REFS and f.name in values:
            given = values[f.name] if isinstance(values[f.name], list) else [values[f.name]]
            values[f.name] = [part for item in given for part in _parts(str(item))]
    wrong: list[str] = []  # answers given as arguments that are not among the choices
    for question in questions(ctype, vocab, campus_ids):
        if ctype is PRACTICE and values.get("campus") and question.field in DERIVED_FROM_CAMPUS:
            continue  # derived from the campus
        if question.field == "academie" and values.get("region"):  # only the académies of the region
            question.choices = [(t.id, t.nom) for t in vocab.terms["academies"].values()
                                if t.region == values["region"]]
        ids = [c for c, _ in question.choices]
        given = values.get(question.field)
        unknown = [str(g) for g in (given if isinstance(given, list) else [given]) if g not in ids]
        if question.field in values and ids and unknown:  # (--campus may be given several times)
            values.pop(question.field)
            wrong.append(f"{question.field} : « {unknown[0]} » ne fait pas partie de la liste"
                         f"{did_you_mean(unknown[0], ids)}")
            if not interactive:
                continue
            writer(f"  {wrong.pop()}")
        if question.field not in values and interactive:
            values[question.field] = ask(question, reader, writer)
    if wrong:
        raise ValueError("Aucune fiche écrite. " + " ; ".join(wrong) + ("" if wrong[-1].endswith("?") else "."))
    for f in ctype.fields:
        if f.kind is Kind.BOOLEAN and isinstance(values.get(f.name), str):
            values[f.name] = values[f.name].strip().lower() in ("oui", "true", "vrai", "o", "1")
        if f.kind is Kind.TEXT_LIST and isinstance(values.get(f.name), str):
            values[f.name] = [item.strip() for item in values[f.name].split(",") if item.strip()]
        if f.kind is Kind.INTEGER and isinstance(values.get(f.name), str) and values[f.name].isdigit():
            values[f.name] = int(values[f.name])
    missing = missing_answers(ctype, values)
    if missing:
        raise ValueError(f"Réponses manquantes : {', '.join(missing)} (ou lancez la commande dans un terminal "
                         "pour répondre aux questions).")
    existing = {e.id for e in loaded.entries if e.type is ctype}
    entry_id = values.pop("id", None) or new_id(str(values.get(ctype.title_field) or ""), existing)
    path = content / ctype.directory / f"{entry_id}.md"
    if path.exists():
        raise FileExistsError(f"{path} existe déjà ; choisissez un autre identifiant.")
    body = PRACTICE_BODY if ctype is PRACTICE else CAMPUS_BODY
    path.write_text(render_entry(ctype, values, body, project_setting(root, "site_public")), encoding="utf-8")
    result = pipeline.run(content)
    mine = [d for d in result.diagnostics if Path(d.path).resolve() == path.resolve()]
    if any(d.is_error for d in mine):  # never leave a file that breaks the next build
        path.unlink()
        raise ValueError("Aucune fiche écrite :\n" + "\n".join(d.format() for d in mine))
    return path, mine


# --------------------------------------------------------------------------- issue forms

# The issue form: one question per field of the practice, in declaration order, then the body.
BODY_FIELDS = (("pratique", "La pratique"), ("pourquoi", "Pourquoi c’est une bonne pratique"))
NO_RESPONSE = "_No response_"


def issue_form(vocab: Vocabularies) -> str:
    """.github/ISSUE_TEMPLATE/nouvelle-pratique.yml, generated from the declaration."""
    body: list[dict[str, Any]] = [{
        "type": "markdown",
        "attributes": {"value": "Merci de proposer une bonne pratique ! Chaque champ correspond à un champ de la "
                                "fiche ; un robot transforme ce ticket en proposition de fiche, vérifiée "
                                "automatiquement. N’indiquez pas d’adresse électronique personnelle."},
    }]
    for f in PRACTICE.fields:
        item: dict[str, Any] = {"id": f.name, "attributes": {"label": f.label, "description": f.rule}}
        if f.kind is Kind.VOCAB:
            terms = vocab.terms[f.vocab or ""].values()
            item["type"] = "dropdown"
            item["attributes"]["options"] = [f"{t.nom} ({t.id})" for t in terms]
        elif f.kind is Kind.TEXTS:  # several documents: one per line (convert_issue)
            item["type"] = "textarea"
            item["attributes"]["description"] = (f.single_rule + ". S’il y a plusieurs documents, "
                                                 "écrivez-en un par ligne.")
        elif f.kind is Kind.CAMPUS_REFS:  # several campuses: a comma apart (convert_issue)
            item["type"] = "input"
            item["attributes"]["description"] = (f.single_rule + ". Pour une pratique portée par plusieurs "
                                                 "campus, séparez les identifiants par des virgules.")
        else:
            item["type"] = "input"
            if f.kind is Kind.TEXT_LIST:
                item["attributes"]["description"] += " Séparez-les par des virgules."
        item["validations"] = {"required": f.required}
        body.append(item)
    for key, label in BODY_FIELDS:
        body.append({"type": "textarea", "id": key,
                     "attributes": {"label": label, "description": "En Markdown, sans HTML."},
                     "validations": {"required": True}})
    form = {
        "name": "Nouvelle bonne pratique",
        "description": "Proposer une bonne pratique d’un Campus des métiers et des qualifications.",
        "title": "Bonne pratique : ",
        "labels": ["nouvelle-pratique"],
        "body": body,
    }
    header = ("# Generated by `python -m generator formulaire` from generator/schema.py and the\n"
              "# vocabularies; do not edit by hand (a test checks it is up to date).\n")
    return header + yaml.safe_dump(form, allow_unicode=True, sort_keys=False, width=1000)


@dataclass
class IssueConversion:
    values: dict[str, Any]
    body: str
    missing: list[str]  # French labels of required answers that are absent


def parse_issue(text: str) -> dict[str, str]:
    """GitHub renders an issue form as « ### Label » sections; return label → answer."""
    sections: dict[str, str] = {}
    current = None
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        heading = re.match(r"^###\s+(.+?)\s*$", line)
        if heading:
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = heading.group(1), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return {k: ("" if v == NO_RESPONSE else v) for k, v in sections.items()}


def convert_issue(text: str) -> IssueConversion:
    sections = parse_issue(text)
    values: dict[str, Any] = {}
    missing: list[str] = []
    for f in PRACTICE.fields:
        answer = sections.get(f.label, "").strip()
        if f.kind is Kind.VOCAB:
            match = re.search(r"\(([a-z0-9-]+)\)\s*$", answer)
            answer = match.group(1) if match else answer
        if f.kind is Kind.TEXT_LIST:
            values[f.name] = [item.strip() for item in answer.split(",") if item.strip()]
        elif f.kind is Kind.TEXTS and answer:  # a document per line, a list marker dropped
            lines = (" ".join(re.sub(r"^\s*[-*•]\s+", "", line).split()) for line in answer.split("\n"))
            values[f.name] = [line for line in lines if line]
        elif f.kind is Kind.CAMPUS_REFS and answer:
            values[f.name] = _parts(answer)
        elif answer:
            values[f.name] = " ".join(answer.split())
        if f.required and not answer:
            missing.append(f.label)
    parts = []
    for key, label in BODY_FIELDS:
        answer = sections.get(label, "").strip()
        if not answer:
            missing.append(label)
        parts.append(f"## {label}\n\n{answer}\n")
    if not any(values.get(name) for name in PRACTICE.one_of):
        missing.append(" ou ".join(PRACTICE.field(name).label for name in PRACTICE.one_of))
    return IssueConversion(values, "\n".join(parts), missing)


def practice_from_issue(text: str, root: Path, number: int | None = None) -> tuple[Path | None, list[str]]:
    """Write the practice of an issue body; return (path or None, French report lines)."""
    conversion = convert_issue(text)
    if conversion.missing:
        return None, [f"Réponse manquante : {label}." for label in conversion.missing]
    content = root / "content"
    existing = {p.stem for p in (content / PRACTICE.directory).glob("*.md")}
    entry_id = new_id(str(conversion.values.get("titre", "")), existing)
    path = content / PRACTICE.directory / f"{entry_id}.md"
    source = conversion.values.get("source") or (f"Proposition du ticket n° {number}" if number else None)
    if source:
        conversion.values["source"] = source
    path.write_text(render_entry(PRACTICE, conversion.values, conversion.body, project_setting(root, "site_public")),
                    encoding="utf-8")
    result = pipeline.run(content)
    mine = [d for d in result.diagnostics if Path(d.path).resolve() == path.resolve()]
    if any(d.is_error for d in mine):
        path.unlink()
        return None, [d.format() for d in mine]
    return path, [d.format() for d in mine]


# --------------------------------------------------------------------------- preview

def changed_entries(root: Path, base: str) -> list[Path]:
    """Content files a branch adds or modifies since ``base`` (git merge base)."""
    output = subprocess.run(["git", "diff", "--name-only", "--diff-filter=AMR", f"{base}...HEAD", "--", "content"],
                            cwd=root, capture_output=True, text=True, check=True).stdout
    return [root / line for line in output.splitlines() if line.endswith(".md")]


def _md_cell(value: Any, kind: Kind) -> str:
    from .generate import md_escape

    if isinstance(value, list):  # documents may hold commas (« Livret, p. 31 »): numbered
        value = (" ".join(f"({n}) {v}" for n, v in enumerate(value, 1)) if kind is Kind.TEXTS
                 else ", ".join(map(str, value)))
    return md_escape(value)


def preview(root: Path, files: list[Path]) -> str:
    """A Markdown summary of the changed entries: their card and what the check says of them."""
    result = pipeline.run(root / "content")
    by_file: dict[Path, list[Diagnostic]] = {}
    for d in result.diagnostics:
        by_file.setdefault((root / d.path).resolve() if not Path(d.path).is_absolute() else Path(d.path), []).append(d)
    lines = ["## Aperçu des fiches modifiées", ""]
    if not files:
        return "\n".join(lines + ["Cette proposition ne modifie aucune fiche du dossier `content/`.", ""])
    for file in files:
        ctype = CAMPUS if file.parent.name == CAMPUS.directory else PRACTICE
        rel = file.relative_to(root).as_posix()
        entry_diags = by_file.get(file.resolve(), [])
        errors = [d for d in entry_diags if d.is_error]
        status = "❌ à corriger" if errors else ("⚠️ à vérifier" if entry_diags else "✅ valide")
        lines += [f"### `{rel}` — {status}", ""]
        data: dict[str, Any] = {}
        if file.exists():
            from .load import read_entry

            data = read_entry(file, ctype)[0].data
        lines += ["| Champ | Valeur |", "| --- | --- |"]
        for f in ctype.fields:
            if data.get(f.name) not in (None, "", []):
                lines.append(f"| {f.label} | {_md_cell(data[f.name], f.kind)} |")
        lines.append("")
        if entry_diags:
            lines += ["```text", *(d.format() for d in entry_diags), "```", ""]
    errors = len(result.errors)
    lines.append(f"Vérification de tout le catalogue : {errors} erreur{'s' if errors > 1 else ''}.")
    return "\n".join(lines) + "\n"
