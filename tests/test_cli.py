"""`make check` / `python -m generator check`: output format and exit codes."""

from __future__ import annotations

import subprocess
import sys

from conftest import CATALOGUE, REFERENTIELS, ROOT

from generator.__main__ import main


def test_valid_catalogue_exits_0(capsys):
    assert main(["check", "--content", str(CATALOGUE), "--referentiels", str(REFERENTIELS)]) == 0
    assert capsys.readouterr().out == "0 erreur, 0 avertissement — 3 campus, 4 bonnes pratiques\n"


def test_errors_exit_1_with_every_message_and_a_summary(tree, capsys):
    tree.campus("c1", excellence="oui", region="aquitaine", academie="bordeaux")
    tree.practice("p1", campus="inconnu")
    assert main(["check", "--content", str(tree.root)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "content/bonnes-pratiques/p1.md:4: campus: aucun campus « inconnu » (fichier "
        "content/campuses/inconnu.md introuvable).",
        "content/campuses/c1.md:4: region: avertissement : « aquitaine » est un ancien nom ; "
        "utilisez l’identifiant actuel « nouvelle-aquitaine ».",
        "content/campuses/c1.md:7: excellence: doit valoir true ou false (reçu : « oui »).",
        "2 erreurs, 1 avertissement",
    ]


def test_warnings_alone_exit_0(tree, capsys):
    tree.campus("c1", region="aquitaine", academie="bordeaux")
    assert main(["check", "--content", str(tree.root)]) == 0
    assert capsys.readouterr().out.endswith("0 erreur, 1 avertissement — 1 campus, 0 bonne pratique\n")


def test_github_annotations(tree, capsys):
    tree.campus("c1", excellence="oui", region="aquitaine", academie="bordeaux")
    assert main(["check", "--content", str(tree.root), "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::warning file=content/campuses/c1.md,line=4,title=region::« aquitaine » est un ancien nom ; "
        "utilisez l’identifiant actuel « nouvelle-aquitaine ».",
        "::error file=content/campuses/c1.md,line=7,title=excellence::doit valoir true ou false "
        "(reçu : « oui »).",
        "1 erreur, 1 avertissement",
    ]


def test_make_check_runs_on_the_real_content():
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stderr
