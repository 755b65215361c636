"""JSON Schemas of the front matter, derived from the one declaration (schema.py) and the
vocabularies, so editors complete and check entries the way the validator does.

Published at /donnees/schema/<type>.schema.json; the scaffolds point at them with a
``# yaml-language-server: $schema=…`` line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model import Vocabularies
from .schema import CAMPUS, LIST_MARK, PRACTICE, ContentType, Field, Kind
from .validate import current_year

SCHEMA_DIR = "donnees/schema"
_WITHOUT_MARK = f"^[^{re.escape(LIST_MARK)}]*$"  # a value of a joined field (Field.joined)


def schema_uri(ctype: ContentType) -> str:
    return f"{SCHEMA_DIR}/{ctype.key}.schema.json"


def _property(f: Field, vocabularies: Vocabularies, campus_ids: list[str]) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": f.label, "description": f.rule}
    if f.kind is Kind.TEXT:
        prop.update(type="string", minLength=1)
        if f.joined:  # never the separator of the CSV's cells (a campus's name)
            prop["pattern"] = _WITHOUT_MARK
    elif f.kind is Kind.VOCAB:
        assert f.vocab
        terms = vocabularies.terms[f.vocab]
        prop.update(type="string", enum=list(terms) + list(vocabularies.aliases[f.vocab]))
    elif f.kind is Kind.INTEGER:
        prop.update(type="integer", minimum=f.min_value, maximum=current_year())
    elif f.kind is Kind.BOOLEAN:
        prop.update(type="boolean")
    elif f.kind is Kind.URL:
        prop.update(type="string", format="uri", pattern=r"^https?://[^\s/]+")
    elif f.kind is Kind.EMAIL:
        prop.update(type="string", format="email", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    elif f.kind in (Kind.TEXT_LIST, Kind.TEXTS):
        item: dict[str, Any] = {"type": "string", "minLength": 1}
        if f.max_length:
            item["maxLength"] = f.max_length
        if f.kind is Kind.TEXT_LIST:  # an item of a joined list never holds the separator of the CSV's cells
            prop.update(type="array", items=item | ({"pattern": _WITHOUT_MARK} if f.joined else {}))
        else:  # a text, or a list of them (minLength and maxLength apply to a text only)
            prop.update(item, type=["string", "array"], items=item, minItems=1)
        return prop
    elif f.kind is Kind.CAMPUS_REFS:  # an identifier, or a list of them
        one = {"type": "string", "enum": campus_ids}
        prop["anyOf"] = [one, {"type": "array", "items": one, "minItems": 1, "uniqueItems": True}]
        return prop
    if f.max_length and prop.get("type") == "string":
        prop["maxLength"] = f.max_length
    return prop


def json_schema(ctype: ContentType, vocabularies: Vocabularies, campus_ids: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_uri(ctype),
        "title": f"En-tête d’une fiche {ctype.label} du catalogue des Campus des métiers et des qualifications",
        "type": "object",
        "properties": {f.name: _property(f, vocabularies, campus_ids) for f in ctype.fields},
        "required": [f.name for f in ctype.fields if f.required],
        "additionalProperties": False,
    }
    names = {f.name for f in ctype.fields}
    if {"academie", "region"} <= names:  # an académie belongs to its region
        schema["allOf"] = [
            {"if": {"required": ["academie", "region"], "properties": {"academie": {"const": term.id}}},
             "then": {"properties": {"region": {"const": term.region}}}}
            for term in vocabularies.terms["academies"].values()
        ]
    if ctype.one_of:  # e.g. « campus, or region for an academy- or region-level practice »
        schema["anyOf"] = [{"required": [name]} for name in ctype.one_of]
    return schema


def generate_schemas(vocabularies: Vocabularies, campus_ids: list[str]) -> dict[str, str]:
    """URI → JSON text, for both content types."""
    return {
        schema_uri(ctype): json.dumps(json_schema(ctype, vocabularies, campus_ids), ensure_ascii=False, indent=1)
        + "\n"
        for ctype in (CAMPUS, PRACTICE)
    }

