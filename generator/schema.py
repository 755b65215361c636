"""The one declaration of each content type.

Everything that needs to know what a campus or a practice looks like reads it from
here: the validator, the model, the JSON export, the templates and (later) the JSON
Schema and the contributor documentation. Labels and rules are contributor-facing,
hence in French.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "texte"
    VOCAB = "identifiant de référentiel"
    INTEGER = "nombre entier"
    BOOLEAN = "booléen (true / false)"
    URL = "adresse web"
    EMAIL = "adresse électronique"
    TEXT_LIST = "liste de textes"
    TEXTS = "texte ou liste de textes"  # one or several (sources): always a tuple in the model
    CAMPUS_REFS = "identifiant de campus ou liste d’identifiants"  # one or several: a tuple of campuses

    @property
    def several(self) -> bool:
        """One value, or a list of them: written as a text when there is one."""
        return self in (Kind.TEXTS, Kind.CAMPUS_REFS)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str  # French label shown on pages
    rule: str  # French sentence for contributors
    required: bool = False
    vocab: str | None = None  # name of the vocabulary (file in content/referentiels/)
    max_length: int | None = None
    min_value: int | None = None  # for integers; the maximum is the current year
    # Joined with other values in a cell of the CSV exports (LIST_SEPARATOR): the items of a
    # list of keywords, the name of a campus among a practice's campuses. A value may not hold
    # LIST_MARK, or it would be read back as two (validator, JSON Schema).
    joined: bool = False

    @property
    def single_rule(self) -> str:
        """The rule without its end on how to write a list (Kind.several): for a question, an
        option or a form box, which say in their own way how to give several values."""
        for suffix in (SEVERAL, SEVERAL_CAMPUSES):
            if self.rule.endswith(suffix):
                return self.rule.removesuffix(suffix)
        return self.rule


@dataclass(frozen=True)
class ContentType:
    key: str  # used in code and JSON file names
    directory: str  # folder under content/
    url_prefix: str  # public URL segment: /<url_prefix>/<id>/
    label: str  # French, singular
    label_plural: str
    title_field: str
    fields: tuple[Field, ...]
    body_rule: str
    body_missing: str  # French message when the body is empty
    one_of: tuple[str, ...] = ()  # at least one of these fields is required

    def field(self, name: str) -> Field:
        return self.fields_by_name[name]

    @property
    def fields_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Pickled (to come back from another process, see parallel.py) as its key: the code
        # tells types apart by identity (``ctype is PRACTICE``).
        return content_type, (self.key,)


FIRST_LABEL_YEAR = 2013
TODO_MARKER = "(à compléter"  # left by the scaffold where the contributor must write
TITLE_MAX = 160
# The rule's end for a field of one value or several (Kind.several): how to write several.
SEVERAL = " ; pour plusieurs documents, une liste (un document par ligne, précédé de « - »)."
SEVERAL_CAMPUSES = (" ; pour une pratique portée par plusieurs campus, une liste (un identifiant par ligne, "
                    "précédé de « - »).")
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Vocabularies, in the order they are shown; each is content/referentiels/<name>.yml.
VOCABULARIES = ("domaines", "secteurs", "regions", "academies")
# (singular, plural, « every value » as a filter of the explorer, « no value » in a table)
VOCAB_LABELS = {
    "domaines": ("domaine", "Domaines du Livret", "Tous les domaines", "Domaine non précisé"),
    "secteurs": ("secteur", "Secteurs", "Tous les secteurs", "Secteur non précisé"),
    "regions": ("région", "Régions", "Toutes les régions", "Région non précisée"),
    "academies": ("académie", "Académies", "Toutes les académies", "Académie non précisée"),
}

CAMPUS = ContentType(
    key="campus",
    directory="campuses",
    url_prefix="campus",
    label="campus",
    label_plural="campus",
    title_field="nom",
    body_rule="Description du campus en Markdown, obligatoire et non vide.",
    body_missing="description du campus manquante",
    fields=(
        Field("nom", Kind.TEXT, "Nom", f"Nom du campus, {TITLE_MAX} caractères au plus, sans « ; ».",
              required=True, max_length=TITLE_MAX, joined=True),
        Field("secteur", Kind.VOCAB, "Secteur", "Secteur d’activité de la carte nationale.",
              required=True, vocab="secteurs"),
        # Region, académie and town are not required: the source documents do not give them
        # for every campus (a network spanning two académies, a project named without a town),
        # and facts are left out rather than guessed.
        Field("region", Kind.VOCAB, "Région",
              "Région actuelle ; déduite de l’académie si elle est absente.", vocab="regions"),
        Field("academie", Kind.VOCAB, "Académie",
              "Académie actuelle ; elle doit appartenir à la région (à omettre si le campus "
              "couvre plusieurs académies).", vocab="academies"),
        Field("ville", Kind.TEXT, "Ville", "Ville du site principal ou de l’établissement support.",
              max_length=TITLE_MAX),
        Field("etablissement_support", Kind.TEXT, "Établissement support",
              "Établissement qui porte le campus.", max_length=300),
        Field("annee_labellisation", Kind.INTEGER, "Année de labellisation",
              f"Année entière, de {FIRST_LABEL_YEAR} à l’année en cours.",
              min_value=FIRST_LABEL_YEAR),
        Field("excellence", Kind.BOOLEAN, "Label « Campus d’excellence »",
              "true si le campus a reçu le label « excellence »."),
        Field("site_web", Kind.URL, "Site web", "Adresse absolue commençant par https:// ou http://."),
        Field("source", Kind.TEXTS, "Source", f"Document d’où viennent les informations, avec la page{SEVERAL}",
              max_length=1000),
    ),
)

PRACTICE = ContentType(
    key="bonne-pratique",
    directory="bonnes-pratiques",
    url_prefix="bonnes-pratiques",
    label="bonne pratique",
    label_plural="bonnes pratiques",
    title_field="titre",
    body_rule=(
        "Texte en Markdown, obligatoire et non vide ; par convention deux sections "
        "« ## La pratique » et « ## Pourquoi c’est une bonne pratique »."
    ),
    body_missing="texte de la pratique manquant",
    one_of=("campus", "region"),
    fields=(
        Field("titre", Kind.TEXT, "Titre", f"Titre de la pratique, {TITLE_MAX} caractères au plus.",
              required=True, max_length=TITLE_MAX),
        Field("domaine", Kind.VOCAB, "Domaine du Livret", "Domaine (chapitre) du Livret des bonnes pratiques.",
              required=True, vocab="domaines"),
        Field("campus", Kind.CAMPUS_REFS, "Campus",
              "Identifiant d’un campus existant (nom du fichier dans content/campuses/, sans « .md ») ; "
              "obligatoire sauf pour une pratique académique ou régionale, qui indique « region »"
              f"{SEVERAL_CAMPUSES}"),
        # With several campuses, each of these is the one they share; where they differ, the
        # practice has none unless it gives one of theirs.
        Field("region", Kind.VOCAB, "Région",
              "Obligatoire sans « campus » ; déduite du campus sinon (de plusieurs campus, s’ils sont "
              "de la même région), et doit alors être la sienne (celle de l’un d’eux).", vocab="regions"),
        Field("secteur", Kind.VOCAB, "Secteur",
              "Facultatif ; déduit du campus (de plusieurs campus, s’ils sont du même secteur), et doit "
              "alors être le sien (celui de l’un d’eux).", vocab="secteurs"),
        Field("academie", Kind.VOCAB, "Académie",
              "Facultative ; déduite du campus (de plusieurs campus, s’ils sont de la même académie), et "
              "doit alors être la sienne (celle de l’un d’eux) ; elle doit appartenir à la région.",
              vocab="academies"),
        Field("mots_cles", Kind.TEXT_LIST, "Mots-clés", "Liste de mots-clés (textes courts, sans « ; »).",
              max_length=80, joined=True),
        Field("contact", Kind.EMAIL, "Contact",
              "Adresse électronique fonctionnelle (pas d’adresse personnelle prenom.nom@…)."),
        Field("source", Kind.TEXTS, "Source", f"Par exemple « Livret des bonnes pratiques, p. 31 »{SEVERAL}",
              max_length=1000),
    ),
)

CONTENT_TYPES = (CAMPUS, PRACTICE)
# Between the items of a list in a cell of the CSV exports: a value of a field so joined
# (Field.joined) may not hold its mark, or it would be read back as two (validator, JSON Schema).
LIST_MARK = ";"
LIST_SEPARATOR = f" {LIST_MARK} "
# A practice's fields that its campuses give (the validator, the model, the exports, the scaffold).
DERIVED_FROM_CAMPUS = ("secteur", "region", "academie")


def content_type(key: str) -> ContentType:
    return {t.key: t for t in CONTENT_TYPES}[key]
