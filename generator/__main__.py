"""Command line: ``python -m generator check [--format github] [--content DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import pipeline
from .diagnostics import summary


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
    args = parser.parse_args(argv)
    if args.command == "liens":
        return check_links(args.content, args.delai)

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
