"""`make bench`: how the pipeline and the build scale, compared with plain mkdocs-material.

For N = 100, 1,000 and 10,000 synthetic practices (+ N/10 campuses), each measured in a
fresh process, repeated (median reported, machines are noisy):
  (a) load + validate, (b) generate pages (and its first run alone: templates to compile),
  (c) the full build (check + mkdocs build --strict with our plugin, search index included),
  (d) a plain mkdocs-material build of the same pages written out as ordinary Markdown (the
  reference, with its own search);
then the ratio (c)/(d), peak memory, the largest pages, the size of site/ and what a
browser downloads for a first search; and a fixed Python loop timed at each repetition, to
tell a slow hour of the machine from a slow change. Prints a table and writes build/bench.json.
This is a benchmark, not a test: nothing here asserts a duration.

  python -m tests.bench.run [--sizes 100,1000,10000] [--repetitions 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import yaml

from .synthetic import write_catalogue

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="0")

STAGES = """
import json, resource, sys, time
from pathlib import Path
from generator import load, validate, model, generate
content = Path(sys.argv[1])
t0 = time.perf_counter()
checked = validate.validate(load.load(content))
t1 = time.perf_counter()
catalog = model.build(checked.vocabularies, checked.campuses, checked.practices)
t2 = time.perf_counter()
files = generate.generate(catalog, Path(sys.argv[2]))
t3 = time.perf_counter()
if len(sys.argv) > 3:  # write the pages out as ordinary Markdown, for the reference build
    out = Path(sys.argv[3])
    for f in files:
        (out / f.uri).parent.mkdir(parents=True, exist_ok=True)
        (out / f.uri).write_text(f.content, encoding="utf-8")
print(json.dumps({"load_validate": t1 - t0, "generate": t3 - t1, "errors": len(checked.errors),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def calibration() -> float:
    """Seconds of a fixed pure-Python loop, in a fresh process: how fast the machine was at
    that moment (a shared machine varies by half from one hour to the next), so that runs can
    be compared with each other."""
    code = "import time; t = time.perf_counter(); sum(len(str(i)) for i in range(10_000_000)); " \
           "print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def timed(command: list[str], cwd: Path, env: dict[str, str] = ENV) -> tuple[float, float]:
    """Wall time and peak memory (MB) of a command and its children."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{process.stderr.read().decode()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def project_config(work: Path, content: Path) -> Path:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    config.update(docs_dir=str(content), site_dir=str(work / "site"))
    config["theme"]["custom_dir"] = str(ROOT / "theme" / "overrides")
    config["plugins"] = [{"cmq": {"content_dir": str(content), "templates_dir": str(ROOT / "theme" / "pages")}}]
    config.pop("watch", None)
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def reference_config(work: Path, docs: Path) -> Path:
    """Plain mkdocs-material with its built-in search, the same nav and Markdown extensions."""
    ours = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    config = {
        "site_name": ours["site_name"], "docs_dir": str(docs), "site_dir": str(work / "site-reference"),
        "theme": {"name": "material", "language": "fr", "font": False},
        "plugins": [{"search": {"lang": "fr"}}], "markdown_extensions": ours["markdown_extensions"],
        "nav": ours["nav"], "not_in_nav": ours["not_in_nav"], "validation": ours["validation"],
    }
    path = work / "reference.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!ENV", lambda loader, node: None)


def gz_size(path: Path) -> int:
    """The bytes a server sends for the file, gzip-compressed."""
    return len(gzip.compress(path.read_bytes(), 9))


def first_search_bytes(site: Path, case: str = "largest") -> int:
    """What a first query downloads: recherche.js, the list of shards, the shards of its
    word, and the excerpt files of the 20 results shown. Worst case ("largest"): a word
    being typed whose completions span as many shards as recherche.js reads for one (WIDE),
    the largest such run of neighbours, and the 20 largest excerpt files; typical
    case ("median"): one median shard and 20 median excerpt files."""
    folder = site / "recherche"
    version = folder / json.loads((folder / "index.json").read_text(encoding="utf-8"))["version"]
    script = site / "assets" / "javascripts" / "recherche.js"
    fixed = gz_size(script) + gz_size(folder / "index.json")
    wide = int(re.search(r"const WIDE = (\d+);", script.read_text(encoding="utf-8")).group(1))
    shards = [gz_size(version / "mots" / f"{i}.json") for i in range(len(list((version / "mots").iterdir())))]
    excerpts = sorted(gz_size(p) for p in (version / "pages").iterdir())
    if case == "largest":
        words = max(sum(shards[i : i + wide]) for i in range(len(shards)))
        return fixed + words + sum(excerpts[-20:])
    return int(fixed + statistics.median(shards) + 20 * statistics.median(excerpts))


def explorer_bytes(site: Path) -> tuple[int, int]:
    """What opening the explorer downloads (gzip): (the page, its script and its data), and
    the same with the theme's stylesheets and scripts that every page shares (cold cache)."""
    page = site / "explorer" / "index.html"
    html = page.read_text(encoding="utf-8")
    own = gz_size(page) + gz_size(site / "donnees" / "explorateur.json") + gz_size(
        site / "assets" / "javascripts" / "explorateur.js")
    shared = 0
    for ref in set(re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))', html)):
        target = (page.parent / ref.split("?")[0]).resolve()
        if target.is_file() and target.name != "explorateur.js":
            shared += gz_size(target)
    return own, own + shared


def largest(site: Path, entries_only: bool) -> int:
    pages = [p for p in site.rglob("*.html")
             if not entries_only or (p.parent.parent.name in ("campus", "bonnes-pratiques") and p.name == "index.html")]
    return max(p.stat().st_size for p in pages)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(n: int, repetitions: int, scratch: Path) -> dict:
    work = scratch / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    content = write_catalogue(work, n)
    docs = work / "docs"
    # A temporary folder of this N's own, empty at first: Jinja keeps the compiled templates
    # there (generate._CompiledTemplates), so the first run of (b) compiles them, as a first
    # build does, and the next ones load them, as every later build does.
    env = dict(ENV, TMPDIR=str(work / "tmp"))
    (work / "tmp").mkdir()
    runs: dict[str, list[float]] = {k: [] for k in ("a", "b", "c", "d", "peak_c", "peak_d", "peak_ab", "cal")}
    for repetition in range(repetitions):
        runs["cal"].append(calibration())
        if docs.exists():
            shutil.rmtree(docs)
        docs.mkdir()
        out = subprocess.run([sys.executable, "-c", STAGES, str(content), str(ROOT / "theme" / "pages"), str(docs)],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        stages = json.loads(out.stdout)
        assert stages["errors"] == 0, stages
        runs["a"].append(stages["load_validate"])
        runs["b"].append(stages["generate"])
        runs["peak_ab"].append(stages["peak_mb"])
        config = project_config(work, content)
        # `make build`: the plugin checks the content (the same pipeline as `make check`), then builds.
        t_build, peak = timed([str(BIN / "mkdocs"), "build", "--strict", "-q", "-f", str(config)], ROOT, env)
        runs["c"].append(t_build)
        runs["peak_c"].append(peak)
        t_ref, peak_ref = timed([str(BIN / "mkdocs"), "build", "-q", "-f", str(reference_config(work, docs))], ROOT)
        runs["d"].append(t_ref)
        runs["peak_d"].append(peak_ref)
        print(f"  N={n} run {repetition + 1}/{repetitions}: a={stages['load_validate']:.2f}s "
              f"b={stages['generate']:.2f}s c={t_build:.1f}s d={t_ref:.1f}s", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    site, reference = work / "site", work / "site-reference"
    result = {
        "n_practices": n, "n_campuses": max(1, n // 10), "repetitions": repetitions,
        "load_validate_s": med["a"], "generate_s": med["b"], "generate_first_s": runs["b"][0],
        "build_s": med["c"], "reference_s": med["d"],
        "ratio": med["c"] / med["d"], "peak_build_mb": med["peak_c"], "peak_reference_mb": med["peak_d"],
        "peak_stages_mb": med["peak_ab"], "calibration_s": med["cal"],
        "largest_entry_page_kb": largest(site, True) / 1000, "largest_page_kb": largest(site, False) / 1000,
        "site_mb": folder_size(site) / 1e6, "reference_site_mb": folder_size(reference) / 1e6,
        "first_search_kb_gz": first_search_bytes(site) / 1000,
        "typical_search_kb_gz": first_search_bytes(site, "median") / 1000,
        "reference_search_kb_gz": gz_size(reference / "search" / "search_index.json") / 1000,
        "explorer_kb_gz": explorer_bytes(site)[0] / 1000,
        "explorer_cold_kb_gz": explorer_bytes(site)[1] / 1000,
        "runs": runs,  # each run's values, in order: (c) and (d) of a run ran back to back
    }
    shutil.rmtree(docs)
    return result


def serve_reload(scratch: Path) -> float | None:
    """Seconds from saving a content file to the new page being served, on the real catalogue,
    with `mkdocs serve --dirty` as `make serve` runs it."""
    work = scratch / "serve"
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    config = project_config(work, content)
    port = 8765
    server = subprocess.Popen([str(BIN / "mkdocs"), "serve", "--dirty", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/campus/ferrocampus/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            return None
        time.sleep(2)  # let the watcher settle
        page = content / "campuses" / "ferrocampus.md"
        page.write_text(page.read_text(encoding="utf-8").replace('ville: "Saintes"', 'ville: "Saintes-Mesure"'),
                        encoding="utf-8")
        start = time.perf_counter()
        while time.perf_counter() - start < 30:
            try:
                if "Saintes-Mesure" in urllib.request.urlopen(url, timeout=5).read().decode():
                    return time.perf_counter() - start
            except OSError:  # the server is rebuilding
                pass
            time.sleep(0.1)
        return None
    finally:
        server.terminate()
        server.wait(10)


def table(results: list[dict], reload_s: float | None) -> str:
    rows = [
        ("N pratiques (+ N/10 campus)", "n_practices", "{:.0f}"),
        ("étalon : boucle Python fixe (s)", "calibration_s", "{:.2f}"),
        ("(a) chargement + validation (s)", "load_validate_s", "{:.2f}"),
        ("(b) génération des pages (s)", "generate_s", "{:.2f}"),
        ("(b) 1er passage : gabarits à compiler (s)", "generate_first_s", "{:.2f}"),
        ("(c) make build complet (s)", "build_s", "{:.1f}"),
        ("(d) mkdocs-material seul (s)", "reference_s", "{:.1f}"),
        ("ratio (c)/(d)", "ratio", "{:.2f}"),
        ("mémoire max. build (Mo)", "peak_build_mb", "{:.0f}"),
        ("mémoire max. référence (Mo)", "peak_reference_mb", "{:.0f}"),
        ("plus grande fiche (Ko HTML)", "largest_entry_page_kb", "{:.1f}"),
        ("plus grande page (Ko HTML)", "largest_page_kb", "{:.1f}"),
        ("site/ (Mo)", "site_mb", "{:.1f}"),
        ("1re recherche, pire cas (Ko gzip)", "first_search_kb_gz", "{:.0f}"),
        ("1re recherche, cas médian (Ko gzip)", "typical_search_kb_gz", "{:.0f}"),
        ("index lunr de la référence (Ko gzip)", "reference_search_kb_gz", "{:.0f}"),
        ("explorateur : page, script, données (Ko gzip)", "explorer_kb_gz", "{:.0f}"),
        ("explorateur, avec le thème, cache vide (Ko gzip)", "explorer_cold_kb_gz", "{:.0f}"),
    ]
    width = max(len(label) for label, _, _ in rows)
    lines = [f"{label:<{width}} | " + " | ".join(f"{fmt.format(r[key]):>8}" for r in results)
             for label, key, fmt in rows]
    lines.append(f"{'make serve : rechargement (s)':<{width}} | "
                 + (f"{reload_s:>8.1f}" if reload_s is not None else "   échec"))
    return "\n".join(lines)


def commit() -> str | None:
    """The code measured: the commit, marked « +modifié » when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout
    return head + (" +modifié" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesures de performance du catalogue")
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "100,1000,10000"))
    parser.add_argument("--repetitions", type=int, default=int(os.environ.get("BENCH_REPETITIONS", "3")))
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args()
    code, started = commit(), datetime.now(timezone.utc).isoformat(timespec="seconds")
    print(f"Code mesuré : {code or 'hors dépôt git'} ({started})", flush=True)
    with tempfile.TemporaryDirectory(prefix="cmq-bench-") as scratch:
        results = []
        for n in (int(x) for x in args.sizes.split(",")):
            print(f"N = {n}…", flush=True)
            results.append(measure(n, args.repetitions, Path(scratch)))
        reload_s = serve_reload(Path(scratch))
    print()
    print(table(results, reload_s))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": {"cpus": os.cpu_count()}, "commit": code, "started": started,
                                     "results": results, "serve_reload_s": reload_s}, indent=1), encoding="utf-8")
    print(f"\nRésultats : {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
