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
    args = parser.parse_args(argv)

    result = pipeline.run(args.content, args.referentiels)
    for diagnostic in result.diagnostics:
        print(diagnostic.format_github() if args.format == "github" else diagnostic.format())
    line = summary(result.diagnostics)
    if result.catalog is not None:
        practices = len(result.catalog.practices)
        line += (f" — {len(result.catalog.campuses)} campus, {practices} "
                 f"{'bonnes pratiques' if practices > 1 else 'bonne pratique'}")
    print(line)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
