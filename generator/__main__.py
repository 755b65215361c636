"""Command line: ``python -m generator check [--format github] [--content DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import contribute, load, pipeline, validate
from .diagnostics import summary
from .schema import CAMPUS, PRACTICE, Kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description="Catalogue CMQ")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="valide tout le contenu et affiche chaque problème")
    check.add_argument("--content", type=Path, default=Path("content"), help="dossier du contenu")
    check.add_argument("--referentiels", type=Path, default=None,
                       help="dossier des référentiels (par défaut : <contenu>/referentiels)")
    check.add_argument("--format", choices=("texte", "github"), default="texte",
                       help="« github » : annotations pour GitHub Actions")
    links = commands.add_parser("liens", help="vérifie les liens externes (site_web) ; ne bloque jamais")
    links.add_argument("--content", type=Path, default=Path("content"), help="dossier du contenu")
    links.add_argument("--delai", type=float, default=10.0, help="délai d’attente par lien, en secondes")
    for name, ctype in (("nouvelle-pratique", PRACTICE), ("nouveau-campus", CAMPUS)):
        command = commands.add_parser(name, help=f"écrit une nouvelle fiche {ctype.label} puis la vérifie")
        for f in ctype.fields:
            if f.kind.several:  # several documents or campuses: the option given once for each
                what = "campus" if f.kind is Kind.CAMPUS_REFS else "documents"
                command.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, action="append",
                                     help=f"{f.single_rule} ; répétez l’option pour plusieurs {what}.")
            else:
                command.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, help=f.rule)
        command.add_argument("--id", help="identifiant (nom du fichier) ; par défaut tiré du titre")
        command.add_argument("--non-interactif", action="store_true", help="ne pose aucune question")
        command.set_defaults(ctype=ctype)
    ticket = commands.add_parser("depuis-ticket", help="transforme un ticket « Nouvelle bonne pratique » en fiche")
    ticket.add_argument("corps", type=Path, help="fichier contenant le texte du ticket (- pour l’entrée standard)")
    ticket.add_argument("--numero", type=int, help="numéro du ticket, cité comme source à défaut d’autre")
    commands.add_parser("formulaire", help="affiche le formulaire de ticket GitHub généré depuis la déclaration")
    preview = commands.add_parser("apercu", help="résumé Markdown des fiches modifiées par une branche")
    preview.add_argument("--base", default="origin/main", help="branche de comparaison")
    args = parser.parse_args(argv)
    if args.command == "liens":
        return check_links(args.content, args.delai)
    if args.command in ("nouvelle-pratique", "nouveau-campus"):
        return new_entry(args)
    if args.command == "depuis-ticket":
        text = sys.stdin.read() if str(args.corps) == "-" else args.corps.read_text(encoding="utf-8")
        path, report = contribute.practice_from_issue(text, Path.cwd(), args.numero)
        print("\n".join(report) or f"Fiche écrite : {path}")
        if path and report:
            print(f"Fiche écrite : {path}")
        return 0 if path else 1
    if args.command == "formulaire":
        loaded = load.load(Path("content"))
        vocab, _ = validate.build_vocabularies(loaded.vocabularies)
        sys.stdout.write(contribute.issue_form(vocab))
        return 0
    if args.command == "apercu":
        sys.stdout.write(contribute.preview(Path.cwd(), contribute.changed_entries(Path.cwd(), args.base)))
        return 0

    result = pipeline.run(args.content, getattr(args, "referentiels", None))
    for diagnostic in result.diagnostics:
        print(diagnostic.format_github() if args.format == "github" else diagnostic.format())
    line = summary(result.diagnostics)
    if result.catalog is not None:
        practices = len(result.catalog.practices)
        line += (f" — {len(result.catalog.campuses)} campus, {practices} "
                 f"{'bonnes pratiques' if practices > 1 else 'bonne pratique'}")
    print(line)
    return 1 if result.errors else 0


def new_entry(args: argparse.Namespace) -> int:
    ctype = args.ctype
    answers = {f.name: getattr(args, f.name) for f in ctype.fields if getattr(args, f.name)}
    if args.id:
        answers["id"] = args.id
    interactive = not args.non_interactif and sys.stdin.isatty()
    try:
        path, diagnostics = contribute.scaffold(ctype, Path.cwd(), answers, interactive)
    except (FileExistsError, ValueError) as exc:
        print(exc)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nAbandon : aucune fiche écrite.")
        return 1
    print(f"Fiche écrite : {path}")
    for diagnostic in diagnostics:
        print(diagnostic.format())
    print(f"Vérification : {summary(diagnostics)}. Complétez le texte, puis lancez « make check ».")
    return 1 if any(d.is_error for d in diagnostics) else 0


def check_links(content: Path, timeout: float) -> int:
    from . import links

    result = pipeline.run(content)
    if result.catalog is None:
        print("Contenu invalide : lancez d’abord « make check ».")
        return 1
    for line in links.report(links.check(links.external_links(result.catalog), timeout=timeout)):
        print(line)
    return 0  # dead links are reported, never blocking


if __name__ == "__main__":
    sys.exit(main())
