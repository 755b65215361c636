"""A synthetic catalogue for benchmarks and scaling tests: N practices and N/10 campuses,
valid, using every vocabulary value, with French text of realistic length. Deterministic
for a given N (seeded), so runs can be compared."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENTIELS = ROOT / "content" / "referentiels"

SUBJECTS = ["Le campus", "Le lycée professionnel", "Le CFA académique", "L’IUT partenaire", "L’équipe pédagogique",
            "Le réseau des établissements", "La direction opérationnelle", "Le pôle de compétitivité",
            "L’université", "Le groupement d’entreprises"]
VERBS = ["a mis en place", "organise chaque année", "anime", "a conçu avec ses partenaires", "propose",
         "finance en partie", "pilote", "a ouvert", "coordonne", "évalue"]
OBJECTS = ["un plateau technique partagé", "des stages croisés entre lycéens et étudiants",
           "une formation continue pour les salariés", "un concours inter-établissements",
           "une plateforme de fabrication additive", "des visites d’entreprises pour les collégiens",
           "un parcours du CAP au BTS", "un module de réalité virtuelle", "un chantier-école",
           "une semaine de l’industrie", "un diplôme d’université", "un tiers-lieu d’innovation"]
TAILS = ["avec le soutien de la région", "pour cent vingt élèves par an", "dans trois lycées du bassin",
         "en lien avec les entreprises de la filière", "depuis la rentrée 2016", "pour les adultes en reconversion",
         "avec un laboratoire de recherche", "sur le modèle d’un système qualité industriel"]
WHY = ["Les élèves se forment sur des équipements réels.", "Les entreprises trouvent les compétences qu’elles cherchent.",
       "La pratique se transpose facilement à d’autres campus.", "Les parcours gagnent en lisibilité pour les familles.",
       "Les enseignants actualisent leurs savoir-faire.", "Le territoire retient ses jeunes diplômés."]
KEYWORDS = ["apprentissage", "formation continue", "orientation", "numérique", "industrie du futur", "mixité",
            "international", "recherche", "plateau technique", "attractivité", "insertion", "innovation"]


def _sentences(rng: random.Random, count: int) -> str:
    return " ".join(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
                    for _ in range(count))


def _front(values: dict) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" if not isinstance(v, list) else
                             f"{k}:\n" + "".join(f"  - {json.dumps(i, ensure_ascii=False)}\n" for i in v)
                             for k, v in values.items()) + "---\n"


def write_catalogue(folder: Path, practices: int, seed: int = 1) -> Path:
    """Write content/{campuses,bonnes-pratiques,referentiels} under ``folder``; return content/."""
    rng = random.Random(seed + practices)
    content = folder / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "campuses").mkdir(parents=True)
    (content / "bonnes-pratiques").mkdir()
    shutil.copytree(REFERENTIELS, content / "referentiels")
    vocab = {name: yaml.safe_load((REFERENTIELS / f"{name}.yml").read_text(encoding="utf-8"))
             for name in ("domaines", "secteurs", "regions", "academies")}
    academies = vocab["academies"]
    campuses = max(1, practices // 10)
    ids = []
    for n in range(campuses):
        academie = academies[n % len(academies)]
        secteur = vocab["secteurs"][n % len(vocab["secteurs"])]
        campus_id = f"campus-{n:05d}"
        ids.append(campus_id)
        values = {"nom": f"Campus des métiers et des qualifications {secteur['nom'].split(',')[0]} n° {n}",
                  "secteur": secteur["id"], "region": academie["region"], "academie": academie["id"],
                  "ville": f"{academie['nom']}", "annee_labellisation": 2013 + n % 10,
                  # Several documents, as most real campuses cite (content/campuses/).
                  "source": [f"Catalogue synthétique de mesure, p. {n % 40 + 1}", "Annexe synthétique, § 2"]}
        body = _sentences(rng, 6) + "\n"
        (content / "campuses" / f"{campus_id}.md").write_text(_front(values) + body, encoding="utf-8")
    for n in range(practices):
        values = {"titre": f"{rng.choice(OBJECTS).capitalize()} {rng.choice(TAILS)} (n° {n})",
                  "domaine": vocab["domaines"][n % len(vocab["domaines"])]["id"]}
        if n % 25 == 0:  # some academy- or region-level practices
            academie = academies[n % len(academies)]
            values.update(region=academie["region"], academie=academie["id"])
        elif n % 47 == 1 and campuses > 1:  # some practices carried by two campuses (47: spread over them)
            values["campus"] = [ids[n % campuses], ids[(n + 1) % campuses]]
        else:
            values["campus"] = ids[n % campuses]
        values["mots_cles"] = rng.sample(KEYWORDS, 3)
        values["source"] = f"Livret synthétique, p. {n % 60 + 1}"
        body = (f"## La pratique\n\n{_sentences(rng, 5)}\n\n{_sentences(rng, 4)}\n\n"
                f"## Pourquoi c’est une bonne pratique\n\n{' '.join(rng.sample(WHY, 3))}\n")
        (content / "bonnes-pratiques" / f"pratique-{n:06d}.md").write_text(_front(values) + body, encoding="utf-8")
    return content
