"""Stage 4 — generated pages: golden files, escaping and data exports.

Run ``UPDATE_GOLDEN=1 make test`` after an intended change of the templates, and
review the diff of tests/golden/.
"""

from __future__ import annotations

import csv
from html import unescape
import io
import pickle
import re
import tempfile
from collections import Counter
import json
import multiprocessing
import os
import threading
import time
import traceback
from types import SimpleNamespace
from xml.etree import ElementTree

import jinja2
import pytest
from markupsafe import Markup
from hypothesis import given, strategies as st
from conftest import CATALOGUE, REFERENTIELS, ROOT, from_the_second_process

import markdown
import yaml
from slugify import slugify

from generator import generate as generate_module, load, model, parallel, pipeline, validate
from generator.generate import (LIST_IN_FULL, LIVRET_PART, PAGE_SIZE, GeneratedFile, Pager, Related, demote_headings,
                                generate, livret_chapters, md_escape)
from generator.schema import CAMPUS, CONTENT_TYPES, LIST_SEPARATOR, PRACTICE, Kind

GOLDEN = ROOT / "tests" / "golden"
TEMPLATES = ROOT / "theme" / "pages"
EDIT_BASE = "https://depot.example/edit/main/content"
# A sample of every page type; the full list is checked by test_every_page_is_generated.
GOLDEN_PAGES = [
    "index.md", "campus/index.md", "campus/aeronautique-exemple.md", "campus/energies-exemple.md",
    "bonnes-pratiques/index.md", "bonnes-pratiques/eolien-exemple.md",
    "bonnes-pratiques/pilotage-regional-exemple.md", "secteurs/index.md",
    "secteurs/mobilite-aeronautique-transports.md", "domaines/innovation-pedagogique.md",
    "academies/index.md", "regions/bretagne.md", "donnees/campus.json", "donnees/bonnes-pratiques.json",
    "contribuer.md", "donnees/schema/bonne-pratique.schema.json",
    "explorer/index.md", "carte/index.md", "statistiques/index.md", "livret/index.md", "donnees/index.md",
    "donnees/campus.csv", "donnees/bonnes-pratiques.csv", "donnees/explorateur.json", "flux.xml",
    "mots-cles/index.md", "accessibilite.md",
]


@pytest.fixture(scope="module")
def generated_files() -> dict[str, GeneratedFile]:
    # Golden files must not depend on when the fixtures were committed: no git dates.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "added_dates", lambda folder: {})
        result = pipeline.run(CATALOGUE, REFERENTIELS)
    files = generate(result.catalog, TEMPLATES, EDIT_BASE, "https://catalogue.example/", 1_700_000_000,
                     "https://depot.example")
    return {f.uri: f for f in files}


@pytest.fixture(scope="module")
def generated(generated_files) -> dict[str, str]:
    return {uri: f.content for uri, f in generated_files.items()}


def check_golden(golden, text: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert text == golden.read_bytes().decode("utf-8")  # bytes: CSV lines end with CRLF


@pytest.mark.parametrize("uri", GOLDEN_PAGES)
def test_golden(generated, uri):
    check_golden(GOLDEN / uri, generated[uri])


@pytest.mark.parametrize("uri", ["carte/index.md", "explorer/index.md", "statistiques/index.md"])
def test_golden_fragments(generated_files, uri):
    """The SVG and form fragments that the site stage puts in place after sanitising."""
    fragments = generated_files[uri].fragments
    assert fragments
    text = "".join(f"<!-- {name} -->\n{html}\n" for name, html in fragments)
    check_golden(GOLDEN / "fragments" / (uri.replace("/", "_") + ".html"), text)


def test_every_page_is_generated(generated):
    expected = {"index.md", "campus/index.md", "bonnes-pratiques/index.md", "contribuer.md",
                "donnees/campus.json", "donnees/bonnes-pratiques.json",
                "donnees/schema/campus.schema.json", "donnees/schema/bonne-pratique.schema.json",
                "explorer/index.md", "carte/index.md", "statistiques/index.md", "livret/index.md",
                "donnees/index.md", "accessibilite.md", "donnees/campus.csv", "donnees/bonnes-pratiques.csv",
                "donnees/explorateur.json", "flux.xml", "mots-cles/index.md"}
    keywords = Counter(slugify(k) for p in (CATALOGUE / "bonnes-pratiques").glob("*.md")
                       for k in yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]).get("mots_cles", []))
    expected |= {f"mots-cles/{k}.md" for k, n in keywords.items() if n >= 2}  # a page from two practices on
    expected |= {f"campus/{p.stem}.md" for p in (CATALOGUE / "campuses").glob("*.md")}
    expected |= {f"bonnes-pratiques/{p.stem}.md" for p in (CATALOGUE / "bonnes-pratiques").glob("*.md")}
    for vocab, count in (("secteurs", 12), ("regions", 18), ("academies", 30), ("domaines", 6)):
        pages = {uri for uri in generated if uri.startswith(f"{vocab}/")}
        assert len(pages) == count + 1 and f"{vocab}/index.md" in pages
        expected |= pages
    assert set(generated) == expected


def test_generation_is_deterministic():
    result = pipeline.run(CATALOGUE, REFERENTIELS)
    first = [(f.uri, f.content) for f in generate(result.catalog, TEMPLATES)]
    assert first == [(f.uri, f.content) for f in generate(result.catalog, TEMPLATES)]


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_two_processes_render_exactly_what_one_does(monkeypatch):
    catalog = pipeline.run(ROOT / "content").catalog
    one = generate(catalog, TEMPLATES)
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", 10)
    from_child = from_the_second_process(monkeypatch)
    two = generate(catalog, TEMPLATES)
    assert from_child and sum(from_child) < len(one)  # both processes rendered pages
    assert two == one  # same pages, same order, same fragments (the map, the explorer's form)


def _pids(items):
    """A work for parallel.shared: each item with the process that did it (slowly enough
    that both processes get some)."""
    out = []
    for item in items:
        sum(range(20_000))
        out.append((item, os.getpid()))
    return out


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_two_processes_share_the_work_and_keep_the_order():
    results, extra = parallel.shared(list(range(2000)), _pids, 10, lambda: ("données", os.getpid()))
    assert [item for item, _ in results] == list(range(2000))
    # The side work (the data files) is the child's, first: the child then renders fewer pages,
    # which are more bytes to send back for their time.
    assert extra[0] == "données" and extra[1] != os.getpid()
    by = Counter(pid for _, pid in results)
    assert len(by) == 2 and min(by.values()) > 200, by  # the child did its share, and so did we
    # The child takes from the start, this process from the end: two runs of items, which
    # keeps the items of a kind (pages of one template, and the cards they share) together.
    pids = [pid for _, pid in results]
    assert pids[0] != os.getpid() and pids[-1] == os.getpid()
    assert sum(a != b for a, b in zip(pids, pids[1:])) == 1


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_the_results_are_back_before_the_child_has_exited():
    """The child says when its last chunk is written: its exit (a large process gives back its
    memory) is not waited for."""
    parent = os.getpid()

    def work(items):
        if os.getpid() != parent and threading.active_count() == 1:  # keeps the child from exiting for 3 s
            threading.Thread(target=time.sleep, args=(3,)).start()
        return _pids(items)
    results, _ = parallel.shared(list(range(500)), work, 10)
    assert [item for item, _ in results] == list(range(500)) and len({pid for _, pid in results}) == 2
    exiting = multiprocessing.active_children()
    assert exiting and all(p.is_alive() for p in exiting)
    for child in exiting:
        child.join()


def test_the_chunks_of_the_child_are_read_as_they_are_written(tmp_path):
    """This process reads the child's chunks between its own, up to what the child said is
    whole; its reads leave the offset of the file (shared with the child) where it was."""
    with open(tmp_path / "spool", "w+b") as spool:
        read = parallel._Reader(spool.fileno())
        pickle.dump((0, ["a", "b"]), spool)
        spool.flush()
        whole = spool.tell()
        spool.write(pickle.dumps((2, ["c"]))[:5])  # a chunk being written
        spool.flush()
        assert list(read.upto(whole)) == [(0, ["a", "b"])] and spool.tell() == whole + 5
        assert list(read.upto(whole)) == []
        spool.write(pickle.dumps((2, ["c"]))[5:])
        spool.flush()
        assert list(read.upto(spool.tell())) == [(2, ["c"])]


def _dies_in_the_child(parent):
    def work(items):
        if os.getpid() != parent:
            os._exit(3)  # killed, out of memory…
        return _pids(items)
    return work


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_the_work_of_a_dead_child_is_done_here(caplog):
    results, _ = parallel.shared(list(range(500)), _dies_in_the_child(os.getpid()), 10)
    assert results == [(item, os.getpid()) for item in range(500)]
    assert "Le second processus s’est arrêté (code 3)" in caplog.text  # said, since the build is then slower


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_the_side_work_of_a_dead_child_is_done_here(caplog):
    parent = os.getpid()

    def side():
        if os.getpid() != parent:
            os._exit(3)
        return "données"
    results, extra = parallel.shared(list(range(500)), _pids, 10, side)
    assert extra == "données" and results == [(item, parent) for item in range(500)]
    assert "Le second processus s’est arrêté (code 3)" in caplog.text


def _hangs_in_the_child(parent):
    def work(items):
        if os.getpid() != parent:
            time.sleep(3600)  # stuck: a lock copied locked at the fork, a network file system…
        return _pids(items)
    return work


@pytest.mark.skipif(not parallel.can_fork(), reason="two processes only on a multi-core Linux machine")
def test_a_stuck_child_is_stopped_and_its_work_done_here(monkeypatch, caplog):
    monkeypatch.setattr(parallel, "JOIN_TIMEOUT", 1)
    started = time.monotonic()
    results, _ = parallel.shared(list(range(500)), _hangs_in_the_child(os.getpid()), 10)
    assert results == [(item, os.getpid()) for item in range(500)] and time.monotonic() - started < 30
    assert "Le second processus ne répondait plus après 1 s" in caplog.text


def test_a_child_dead_with_the_counter_locked_does_not_block_this_process():
    """Killed while it held the lock of the shared counter, the child would leave it locked:
    this process stops taking chunks (and shared() does the rest) instead of waiting forever."""
    taken = multiprocessing.get_context("fork").Array("i", [0, 100])
    locked, done = threading.Event(), threading.Event()

    def hold():  # another thread, as the lock is re-entrant; it stays alive, lest its id be reused
        taken.get_lock().acquire()
        locked.set()
        done.wait()
    threading.Thread(target=hold, daemon=True).start()
    locked.wait()

    class Dead:
        def is_alive(self):
            return False
    taken_here: list = []
    taker = threading.Thread(
        target=lambda: taken_here.extend(parallel._take(_pids, list(range(100)), taken, partner=Dead())), daemon=True)
    taker.start()
    taker.join(10)
    done.set()
    assert not taker.is_alive() and taken_here == []


def test_a_snippet_cannot_hold_a_fragment(tmp_path):
    """A snippet is rendered once for all pages as deep: a fragment (html()) in it would reach
    one page only."""
    (tmp_path / "fragment.html.j2").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "extrait.md.j2").write_text('{{ html("fragment.html.j2", "x") }}', encoding="utf-8")
    (tmp_path / "page.md.j2").write_text('{{ [entry] | snippets("extrait.md.j2") }}', encoding="utf-8")
    catalog = pipeline.run(CATALOGUE, REFERENTIELS).catalog
    practice = next(iter(catalog.practices.values()))
    with pytest.raises(jinja2.TemplateError, match="extrait.md.j2: html"):
        generate_module.Renderer(tmp_path, catalog).render("page.md.j2", practice.src_uri, entry=practice)


def _compiles(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from now on (instead of loading them compiled)."""
    compiled: list[str] = []
    compile_source = jinja2.Environment.compile

    def compile(env, source, name=None, *args, **kwargs):
        compiled.append(name)
        return compile_source(env, source, name, *args, **kwargs)
    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return compiled


def test_templates_are_compiled_once_then_loaded_compiled(tmp_path, monkeypatch):
    """A build reuses the templates the previous one compiled (as long as nothing that shapes
    their code changed): the same pages, without compiling them again."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # a cache of this test's own
    (tmp_path / "tmp").mkdir()
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "page.md.j2").write_text("# {{ entry.titre }}\n{{ html('f.html.j2', 'f', entry=entry) }}", encoding="utf-8")
    (tmp_path / "t" / "f.html.j2").write_text("<p>{{ entry.titre }}</p>", encoding="utf-8")
    catalog = pipeline.run(CATALOGUE, REFERENTIELS).catalog
    practice = next(iter(catalog.practices.values()))
    compiled = _compiles(monkeypatch)

    def build():
        return generate_module.Renderer(tmp_path / "t", catalog).render("page.md.j2", "x/y.md", entry=practice)
    first = build()
    assert sorted(compiled) == ["f.html.j2", "page.md.j2"]
    assert build() == first and len(compiled) == 2  # loaded compiled, same page and fragment
    assert first.content.startswith(f"# {md_escape(practice.titre)}")
    # The HTML environment escapes what the Markdown one does not: never each other's code.
    (tmp_path / "t" / "f.md.j2").write_text("<p>{{ entry.titre }}</p>", encoding="utf-8")
    for env in ("env", "html_env"):
        getattr(generate_module.Renderer(tmp_path / "t", catalog), env).get_template("f.md.j2")
    assert compiled[2:] == ["f.md.j2", "f.md.j2"]
    # A changed template, or a change of this module (options, code generator): compiled again.
    (tmp_path / "t" / "page.md.j2").write_text("## {{ entry.titre }}", encoding="utf-8")
    assert build().content.startswith("## ")
    monkeypatch.setattr(generate_module, "_SOURCE_KEY", "autre version")
    build()
    assert compiled[4:] == ["page.md.j2", "page.md.j2"]
    # A damaged file (a full disk, a crash while writing): compiled again, not a failed build.
    for saved in (tmp_path / "tmp").glob("*/*.cache"):
        saved.write_bytes(saved.read_bytes()[:len(jinja2.bccache.bc_magic)] + b"\x80\x02abime")
    assert build().content.startswith("## ") and compiled[6:] == ["page.md.j2"]


def test_templates_are_compiled_when_no_cache_folder_is_usable(tmp_path, monkeypatch):
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "fichier"))  # not a folder: no cache
    catalog = pipeline.run(CATALOGUE, REFERENTIELS).catalog
    renderer = generate_module.Renderer(TEMPLATES, catalog)
    assert renderer.env.bytecode_cache is None and renderer.html_env.bytecode_cache is None
    assert "# " in renderer.render("accueil.md.j2", "index.md").content
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    renderer = generate_module.Renderer(TEMPLATES, catalog)
    assert renderer.env.bytecode_cache is not None

    def full(**_):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)  # the folder is full (or read-only)
    assert "# " in renderer.render("accueil.md.j2", "index.md").content  # compiled, not saved


@pytest.mark.parametrize("text, expected", [
    ("Aix-Marseille, p. 31", "Aix-Marseille, p. 31"),
    ("[clic](javascript:alert(1))", "\\[clic\\]\\(javascript:alert\\(1\\)\\)"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
    ("a | b", "a &#124; b"),
    ("- pas une liste", "\\- pas une liste"),
    ("2016. Pas une liste", "2016\\. Pas une liste"),
    ("# pas un titre", "\\# pas un titre"),
    ("*gras* _it_ `code`", "\\*gras\\* \\_it\\_ \\`code\\`"),
    ("deux\nlignes", "deux lignes"),
    ("label «\u00a0excellence\u00a0» : oui", "label «\u00a0excellence\u00a0» : oui"),  # French spaces stay
])
def test_md_escape(text, expected):
    assert md_escape(text) == expected


@given(st.text(alphabet="ab 19.-+\\`*_{}[]()#!&<>|\"'=:\n\u00a0é", max_size=16))
def test_md_escape_is_read_back_as_the_same_text(text):
    """Whatever a value holds, Python-Markdown (with the site's extensions) shows it as it is."""
    html = markdown.markdown(md_escape(text), extensions=["attr_list", "def_list", "md_in_html", "tables"])
    shown = html.removeprefix("<p>").removesuffix("</p>")
    # (but for the spaces around a paragraph, which Markdown may drop, non-breaking ones too)
    assert "<" not in shown and unescape(shown).strip() == validate.fold_space(text).strip()


def _with_parents(node, parent=None):
    yield node, parent
    for child in node.iter_child_nodes():
        yield from _with_parents(child, node)


def macro_output_problems(source: str) -> list[str]:
    """Where a template uses a macro's output otherwise than printed as it is, ``{{ m(…) | safe }}``,
    or puts `| safe` on anything else."""
    tree = jinja2.Environment().parse(source)
    macros = {name if isinstance(name, str) else name[1]  # {% from … import a, b as c %}
              for node in tree.find_all(jinja2.nodes.FromImport) for name in node.names}
    macros |= {m.name for m in tree.find_all(jinja2.nodes.Macro)}
    modules = {node.target for node in tree.find_all(jinja2.nodes.Import)}  # {% import … as m %}
    parents = {id(node): parent for node, parent in _with_parents(tree)}

    def is_macro_call(node):
        callee = getattr(node, "node", None)
        return isinstance(node, jinja2.nodes.Call) and (
            (isinstance(callee, jinja2.nodes.Name) and callee.name in macros)
            or (isinstance(callee, jinja2.nodes.Getattr) and getattr(callee.node, "name", None) in modules))

    def printed_safe(call):
        safe = parents[id(call)]
        return (isinstance(safe, jinja2.nodes.Filter) and safe.name == "safe" and safe.node is call
                and isinstance(parents[id(safe)], jinja2.nodes.Output))

    problems = []
    for node, _ in _with_parents(tree):
        if is_macro_call(node) and not printed_safe(node):
            problems.append(f"line {node.lineno}: a macro's output not printed as {{{{ m(…) | safe }}}}")
        if isinstance(node, jinja2.nodes.Filter) and node.name == "safe" and not is_macro_call(node.node):
            problems.append(f"line {node.lineno}: « | safe » on something else than a macro")
    return problems


def test_macro_output_is_printed_as_it_is():
    """Page templates print a macro's output with `| safe`: its values were escaped inside the
    macro, and finalize would escape the whole output again (tables and links shown as text)."""
    for path in sorted(TEMPLATES.glob("*.j2")):
        assert macro_output_problems(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.parametrize("wrong", [
    '{% from "m" import t %}{{ t() }}',
    '{% from "m" import t %}{{ t() if x else "" }}',
    '{% from "m" import t as u %}{{ "a" ~ u() | safe }}',  # safe, then joined to a text: escaped again
    '{% import "m" as m %}{{ m.t() }}',
    '{% from "m" import t %}{% set v = t() %}{{ v }}',
    "{{ value | safe }}",
])
def test_the_macro_check_finds_what_it_must(wrong):
    assert macro_output_problems(wrong), wrong


# Outputs in a macro, a loop, a {% set %} block, a {% filter %} block, an {% autoescape %} block;
# attributes, a Python keyword as an attribute name, keys, filters reading attributes.
_CODEGEN_SAMPLE = """{% macro item(e, n) %}- {{ e.titre }} ({{ n }}) {{ e.lien }}
{% endmacro %}
{% set bloc %}{{ p.titre }} | {{ p.if }}{% endset %}
{% for e in liste %}{{ item(e, loop.index) | safe }}{% endfor %}
{{ bloc }} {{ p.nombre + 1 }} {{ p.vide or "rien" }}
{% filter upper %}{{ p.titre }}{% endfilter %}
{{ d["clé"] }} {{ liste | map(attribute="titre") | join(", ") }}
{% autoescape true %}{{ p.titre }} {{ liste[0].lien }}{% endautoescape %}
"""


def test_page_templates_compile_to_the_same_pages_with_fewer_calls():
    """generate._CodeGenerator prints trusted values (Markup) as they are and reads attributes
    as Python does: the same text as Jinja's own code, without its calls."""
    options = dict(finalize=generate_module._finalize, undefined=jinja2.StrictUndefined, autoescape=False,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    ours, jinjas = generate_module._Environment(**options), jinja2.Environment(**options)
    values = dict(p=SimpleNamespace(titre="a <b> [c] | d", nombre=41, vide="", **{"if": "si"}),
                  liste=[SimpleNamespace(titre="x*y", lien=Markup("[x](x.md)")),
                         SimpleNamespace(titre="2016. z", lien=Markup("[z](z.md)"))],
                  d={"clé": "<v>"})
    page = ours.from_string(_CODEGEN_SAMPLE).render(**values)
    assert page == jinjas.from_string(_CODEGEN_SAMPLE).render(**values)
    assert "- x\\*y (1) [x](x.md)\n- 2016\\. z (2) [z](z.md)\n" in page  # escaped, trusted as it is
    code = ours.compile("{{ p.titre }} {{ p.lien }}", raw=True)
    assert "environment.getattr(" not in code and "str(environment.finalize(" not in code
    with pytest.raises(jinja2.UndefinedError):  # a name the page was not given still stops the build
        ours.from_string("{{ q.titre }}").render()
    plain = dict(options, finalize=None)  # without finalize, Jinja's way
    assert generate_module._Environment(**plain).from_string(_CODEGEN_SAMPLE).render(**values) == \
        jinja2.Environment(**plain).from_string(_CODEGEN_SAMPLE).render(**values)


def test_our_render_means_what_jinjas_does():
    """generate._Template renders without copying the globals: a global, a value passed, a
    {% set %} over either, an imported macro (which sees the globals) read the same as with
    Jinja's render; an error still points at the template's line."""
    templates = {
        "m": "{% macro t(x) %}<{{ x }} {{ g }}>{% endmacro %}",
        "page": "{% from 'm' import t %}{{ g }} {{ v }} {{ t(v) }}\n{% set g = 'local' %}{% set v = 2 %}"
                "{{ g }} {{ v }} {{ t(v) }} {{ w | default('-') }}\n",
        "broken": "a\n{{ v }}\n{{ 1 // v }}\n",
    }
    options = dict(loader=jinja2.DictLoader(templates), keep_trailing_newline=True)
    ours, jinjas = generate_module._Environment(**options), jinja2.Environment(**options)
    for env in (ours, jinjas):
        env.globals["g"] = "global"
    assert isinstance(ours.get_template("page"), generate_module._Template)
    page = ours.get_template("page").render(v=1)
    assert page == jinjas.get_template("page").render(v=1) == "global 1 <1 global>\nlocal 2 <2 global> -\n"
    assert ours.get_template("page").render(v=1) == page  # nothing of a render is left for the next
    with pytest.raises(ZeroDivisionError) as error:
        ours.get_template("broken").render(v=0)
    assert ("<template>", 3) in [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.value.__traceback__)]


def test_the_optimizer_left_out_folds_nothing_in_our_templates(tree):
    """The renderer's environments compile without Jinja's optimizer (an eighth of the compile
    time): each template must compile to the same code with it, or it would cost at each page."""
    tree.campus("c1")
    renderer = generate_module.Renderer(TEMPLATES, pipeline.run(tree.root).catalog)
    assert not renderer.env.optimized and not renderer.html_env.optimized
    for name in renderer.env.list_templates():
        env = renderer.html_env if name.endswith((".html.j2", ".xml.j2")) else renderer.env
        source = env.loader.get_source(env, name)[0]
        env.optimized = True
        folded = env.compile(source, name, raw=True)
        env.optimized = False
        assert env.compile(source, name, raw=True) == folded, name


def test_long_bar_labels_are_wrapped_and_rows_do_not_overlap():
    from generator import charts
    label = "Mobilité, aéronautique, transports terrestres et maritimes"
    chart = charts.bar_chart("c", "Titre", [("Court", 3), (label, 1), (2016, 2)])
    short, long, year = chart.bars
    assert short.lines == ("Court",) and year.lines == ("2016",)
    assert " ".join(long.lines) == label and all(len(line) <= charts.LABEL_CHARS for line in long.lines)
    assert len(long.lines) == 2
    assert long.y >= short.bar_y + 17 and year.y >= long.bar_y + 17 and chart.height >= year.bar_y + 17


def test_values_are_escaped_in_pages(tree):
    tree.campus("c1", nom="Campus <b>gras</b> [lien](javascript:x)", ville="Brest | Quimper")
    result = pipeline.run(tree.root)
    page = {f.uri: f.content for f in generate(result.catalog, TEMPLATES)}["campus/c1.md"]
    assert "# Campus &lt;b&gt;gras&lt;/b&gt; \\[lien\\]\\(javascript:x\\)" in page
    assert "Brest &#124; Quimper" in page
    assert 'title: "Campus <b>gras</b> [lien](javascript:x)"' in page  # YAML string, escaped by the theme


def test_the_json_is_written_as_the_standard_library_writes_it(generated):
    """orjson writes the data files and the search index: the same text as the standard
    library's compact encoder, every character as it is (a new orjson that escaped differently
    would change every file)."""
    def stdlib(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    every_character = "".join(map(chr, range(0x250))) + "\u2028\u2029\u202f’«»😀\ufeff\u200b</script>"
    for value in (every_character, [every_character[i:i + 7] for i in range(0, len(every_character), 7)],
                  {"a": (1, -2, None, True, False), "b": {"c": ""}}, 10**15):
        assert generate_module._json_text(value) == stdlib(value)
    explorer = generated["donnees/explorateur.json"]
    assert explorer == stdlib(json.loads(explorer)) + "\n"
    for name in ("donnees/bonnes-pratiques.json", "donnees/campus.json"):
        records = json.loads(generated[name])
        assert generated[name] == "[\n" + ",\n".join(map(stdlib, records)) + "\n]\n"


def test_json_exports_resolve_derived_fields(generated):
    practices = {p["id"]: p for p in json.loads(generated["donnees/bonnes-pratiques.json"])}
    assert practices["lien-agro-exemple"]["secteur"] == {"id": "alimentaire-agroalimentaire",
                                                         "nom": "Alimentaire et agroalimentaire"}
    assert practices["lien-agro-exemple"]["academie"]["id"] == "rennes"
    assert practices["pilotage-regional-exemple"]["campus"] == []  # an array, even of one campus
    assert [c["id"] for c in practices["eolien-exemple"]["campus"]] == ["aeronautique-exemple",
                                                                     "agroalimentaire-exemple"]
    assert practices["eolien-exemple"]["region"] is None  # its two campuses are in two regions
    campuses = {c["id"]: c for c in json.loads(generated["donnees/campus.json"])}
    assert campuses["aeronautique-exemple"]["bonnes_pratiques"] == ["eolien-exemple",
                                                                     "situations-authentiques-exemple"]
    assert campuses["agroalimentaire-exemple"]["bonnes_pratiques"] == ["eolien-exemple", "lien-agro-exemple"]
    assert campuses["aeronautique-exemple"]["url"] == "campus/aeronautique-exemple/"


# --------------------------------------------------------------------------- exports of issue « explorer »

def read_csv(text: str) -> list[dict[str, str]]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # RFC 4180 line ends
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_exports_match_the_content(generated):
    campuses = json.loads(generated["donnees/campus.json"])
    rows = read_csv(generated["donnees/campus.csv"])
    assert [r["id"] for r in rows] == [c["id"] for c in campuses]
    for row, record in zip(rows, campuses):
        assert row["secteur"] == record["secteur"]["id"] and row["secteur_nom"] == record["secteur"]["nom"]
        assert row["region"] == ((record["region"] or {}).get("id") or "")
        assert row["bonnes_pratiques"] == " ; ".join(record["bonnes_pratiques"])
        assert row["excellence"] == {True: "oui", False: "non", None: ""}[record["excellence"]]
        assert row["source"] == "\r\n".join(record["source"])  # several documents: a line each
    practices = json.loads(generated["donnees/bonnes-pratiques.json"])
    rows = read_csv(generated["donnees/bonnes-pratiques.csv"])
    assert [r["id"] for r in rows] == [p["id"] for p in practices]
    for row, record in zip(rows, practices):
        for field in ("domaine", "region", "secteur", "academie"):  # derived fields resolved alike
            assert row[field] == ((record[field] or {}).get("id") or ""), field
        assert row["campus"] == " ; ".join(c["id"] for c in record["campus"])  # several: « ; » between them
        assert row["campus_nom"] == " ; ".join(c["nom"] for c in record["campus"])
        assert row["mots_cles"] == " ; ".join(record["mots_cles"])
        assert row["source"] == "\r\n".join(record["source"])


def test_csv_columns_are_documented_on_the_data_page(generated):
    page = generated["donnees/index.md"]
    for name in ("campus.csv", "bonnes-pratiques.csv"):
        header = generated[f"donnees/{name}"].split("\r\n", 1)[0].split(",")
        section = page.split(f"## Colonnes de {name}", 1)[1].split("## ", 1)[0]
        assert [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")] == header


def test_csv_cells_never_start_a_formula(tree):
    tree.campus("c1", nom="=HYPERLINK(\"https://x.example\")", ville="+33 Brest", etablissement_support="@SUM(A1)")
    catalog = pipeline.run(tree.root).catalog
    files = {f.uri: f.content for f in generate(catalog, TEMPLATES)}
    row = read_csv(files["donnees/campus.csv"])[0]
    assert row["nom"] == "'=HYPERLINK(\"https://x.example\")"
    assert row["ville"] == "'+33 Brest" and row["etablissement_support"] == "'@SUM(A1)"


def test_a_joined_cell_reads_back_as_its_values(tree):
    """The CSV joins a list's items, and a practice's campuses, with « ; »: every value it joins
    comes from a field that refuses the mark (Field.joined), so that a cell splits back into them."""
    for ctype in CONTENT_TYPES:
        for f in ctype.fields:
            assert f.joined == (f.kind is Kind.TEXT_LIST or (ctype is CAMPUS and f.name == "nom")), f.name
    assert any(f.kind is Kind.CAMPUS_REFS for f in PRACTICE.fields)  # joins campus identifiers and names
    tree.campus("c1", nom="Campus Mer, Littoral")
    tree.campus("c2", nom="Campus Ports (Brest)")
    tree.practice("p1", campus=["c1", "c2"], mots_cles=["mer", "ports, docks"])
    files = {f.uri: f.content for f in generate(pipeline.run(tree.root).catalog, TEMPLATES)}
    row = read_csv(files["donnees/bonnes-pratiques.csv"])[0]
    assert row["campus_nom"].split(LIST_SEPARATOR) == ["Campus Mer, Littoral", "Campus Ports (Brest)"]
    assert row["campus"].split(LIST_SEPARATOR) == ["c1", "c2"]
    assert row["mots_cles"].split(LIST_SEPARATOR) == ["mer", "ports, docks"]


def test_explorer_index_holds_every_entry_with_its_facets(generated):
    data = json.loads(generated["donnees/explorateur.json"])
    assert [c[0] for c in data["campus"]] == ["aeronautique-exemple", "agroalimentaire-exemple", "energies-exemple"]
    by_id = {p[0]: p for p in data["pratiques"]}
    pilotage = by_id["pilotage-regional-exemple"]
    assert data["domaines"][pilotage[2]][0] == "partenariat-academies-regions"
    assert pilotage[3] == -1 and data["regions"][pilotage[5]][0] == "bretagne"
    situations = by_id["situations-authentiques-exemple"]
    assert data["campus"][situations[3]][0] == "aeronautique-exemple"
    # A practice of several campuses: a list of them.
    assert [data["campus"][i][0] for i in by_id["eolien-exemple"][3]] == ["aeronautique-exemple",
                                                                          "agroalimentaire-exemple"]
    assert data["academies"][situations[6]][0] == "bordeaux"
    assert sorted(data["mots_cles"][k] for k in situations[7]) == ["maintenance", "situation authentique"]


def test_explorer_offers_entries_without_a_term_only_when_there_are_some(tree):
    """« Académie non précisée » is a choice of the explorer's académie filter when an entry has
    no académie, so that its counts add up to the catalogue; not otherwise."""
    def options() -> dict[str, list[str]]:
        catalog = pipeline.run(tree.root).catalog
        explorer = next(f for f in generate(catalog, TEMPLATES) if f.uri == "explorer/index.md")
        form = dict(explorer.fragments)["explorateur"]
        return {name: re.findall(r'<option value="_aucun" data-aucun>([^<]*)</option>', options)
                for name, options in re.findall(r'<select id="filtre-\w+" name="(\w+)">(.*?)</select>', form, re.S)}
    tree.campus("c1")
    tree.practice("p1")
    assert options() == {"secteur": [], "region": [], "academie": [], "domaine": []}
    tree.campus("c2", academie=None, region=None)
    tree.practice("p2", campus=None, region="bretagne")  # no sector, no académie
    assert options() == {"secteur": ["Secteur non précisé"], "region": ["Région non précisée"],
                         "academie": ["Académie non précisée"], "domaine": []}


def test_feed_lists_the_latest_practices_first(tree):
    tree.campus("c1")
    for n in range(35):
        tree.practice(f"p{n:02d}", titre=f"Pratique numéro {n}")
    result = validate.validate(load.load(tree.root))
    dates = {f"content/bonnes-pratiques/p{n:02d}.md": 1_600_000_000 + n * 86_400 for n in range(34)}
    catalog = model.build(result.vocabularies, result.campuses, result.practices, dates)
    files = {f.uri: f.content for f in generate(catalog, TEMPLATES, site_url="https://cat.example/x/",
                                                build_time=1_900_000_000)}
    feed = ElementTree.fromstring(files["flux.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 30
    ids = [e.find("a:id", ns).text for e in entries]
    # p34 is not committed yet: it takes the build's date, hence comes first.
    assert ids[:3] == [f"https://cat.example/x/bonnes-pratiques/p{n}/" for n in ("34", "33", "32")]
    assert entries[1].find("a:updated", ns).text == "2020-10-16T12:26:40+00:00"
    assert feed.find("a:updated", ns).text == "2030-03-17T17:46:40+00:00"


def test_feed_escapes_titles(tree):
    tree.campus("c1")
    tree.practice("p1", titre="Titre </title><script>alert(1)</script> & co")
    files = {f.uri: f.content for f in generate(pipeline.run(tree.root).catalog, TEMPLATES)}
    feed = ElementTree.fromstring(files["flux.xml"])  # well-formed
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
    assert title == "Titre </title><script>alert(1)</script> & co"


def test_fragments_are_escaped_html(tree):
    tree.campus("c1", region="bretagne")
    tree.write("referentiels", "regions.yml", (REFERENTIELS / "regions.yml").read_text(encoding="utf-8").replace(
        'nom: "Bretagne"', 'nom: "Bretagne <img src=x onerror=alert(1)>"'))
    catalog = pipeline.run(tree.root).catalog
    carte = {f.uri: f for f in generate(catalog, TEMPLATES)}["carte/index.md"]
    html = dict(carte.fragments)["carte"]
    assert "<img" not in html and "<title>BRE, 1 campus\u00a0: Bretagne &lt;img src=x onerror=alert(1)&gt;, " in html


@pytest.mark.parametrize("body, expected", [
    ("## La pratique\n\nTexte.\n", "#### La pratique\n\nTexte.\n"),
    ("# Un\n### Trois\n##### Cinq\n", "### Un\n##### Trois\n###### Cinq\n"),
    ("```\n## pas un titre\n```\n## Titre\n", "```\n## pas un titre\n```\n#### Titre\n"),
    ("#hashtag et ## au milieu\n", "#hashtag et ## au milieu\n"),
    ("Titre\n=====\n\nSous-titre\n---\n\nTexte.\n", "### Titre\n\n#### Sous-titre\n\nTexte.\n"),
    ("  ```\n## dans le code\n  ```\n## Après\n", "  ```\n## dans le code\n  ```\n#### Après\n"),
])
def test_demote_headings(body, expected):
    assert demote_headings(body, 2) == expected


# Lines of bodies that take the one-pass path (no fence, no line that may underline a heading).
_ONE_PASS_LINES = ["## Titre", "# Un", "##### Cinq", "###### Six", "####### sept", "#mot", "Texte.", "",
                   "    ## indenté", "\t# tab", "- - -", "Titre souligné", "##", "## Fin \r", "# ===="]


@given(st.lists(st.sampled_from(_ONE_PASS_LINES), max_size=12), st.integers(1, 3))
def test_demote_headings_one_pass_matches_the_line_walk(lines, levels):
    body = "\n".join(lines)
    assert not generate_module._WALK_LINES.search("\n" + body)  # the one-pass path is the one tested
    assert demote_headings(body, levels) == generate_module._demote_by_lines(body, levels)


@given(st.lists(st.sampled_from(_ONE_PASS_LINES + ["===", "  ---  ", "-", "   ==\t", "```", "~~~ python", "   ```",
                                                   " \t```", "    ```", "-- x", "=\r", "``", "~~"]), max_size=8))
def test_the_one_pass_is_taken_only_without_fence_or_underline(lines):
    """The whole-body pattern finds exactly the bodies with a line that the walk treats apart."""
    body = "\n".join(lines)
    by_line = any(generate_module._SETEXT.match(line) or validate.FENCE_RE.match(line) for line in lines)
    assert bool(generate_module._WALK_LINES.search("\n" + body)) == by_line


def test_large_livret_is_split_per_domain_in_bounded_parts(tree):
    tree.campus("c1")
    for n in range(LIST_IN_FULL + LIVRET_PART + 1):  # all in one domain
        tree.practice(f"p{n:03d}", titre=f"Pratique numéro {n}")
    chapters = livret_chapters(pipeline.run(tree.root).catalog)
    innovation = [c for c in chapters if c.domain.id == "innovation-pedagogique"]
    assert [c.uri for c in innovation] == ["livret/innovation-pedagogique.md",
                                          "livret/innovation-pedagogique/partie-2.md",
                                          "livret/innovation-pedagogique/partie-3.md"]
    assert [len(c.practices) for c in innovation] == [LIVRET_PART, LIVRET_PART, LIST_IN_FULL + 1 - LIVRET_PART]
    assert all(c.total == LIST_IN_FULL + LIVRET_PART + 1 for c in innovation)
    assert len(chapters) == 3 + 5  # the other domains: one (empty) page each


def test_small_livret_is_one_page_in_domain_order(generated):
    livret = generated["livret/index.md"]
    positions = [livret.index(f"{{ #{d} }}") for d in ("progres-economique", "amenagement-territoire",
                                                        "innovation-pedagogique", "enseignement-superieur-recherche",
                                                        "parcours-reussite", "partenariat-academies-regions")]
    assert positions == sorted(positions)
    assert livret.count('<div class="cmq-livret-pratique" markdown>') == 4
    assert "#### La pratique" in livret and "\n## La pratique" not in livret


def test_see_also_is_bounded_and_points_elsewhere(tree):
    tree.campus("c1")
    tree.campus("c2", region="normandie", academie="normandie", ville="Caen")
    for n in range(20):
        tree.practice(f"p{n:02d}", titre=f"Pratique numéro {n}", campus="c1" if n % 2 else "c2")
    catalog = pipeline.run(tree.root).catalog
    related = Related(catalog)
    for practice in catalog.practices.values():
        others = related.see_also(practice)
        assert len(others) == 4
        assert all(o.region is not practice.region for o in others)
    campus_page = {f.uri: f.content for f in generate(catalog, TEMPLATES)}["campus/c1.md"]
    assert "## Autres campus du secteur" in campus_page
    assert "-   **[Campus c2](../campus/c2.md)**\n\n    Caen ([Normandie](../regions/normandie.md))\n" in campus_page


def test_the_keyword_list_is_split_into_bounded_pages(tree):
    tree.campus("c1")
    for n in range(70):  # 350 keywords
        tree.practice(f"p{n:02d}", titre=f"Pratique numéro {n}", mots_cles=[f"mot {n} {k}" for k in range(5)])
    files = {f.uri: f.content for f in generate(pipeline.run(tree.root).catalog, TEMPLATES)}
    assert "mots-cles/page-2.md" in files and "mots-cles/page-3.md" not in files
    assert files["mots-cles/index.md"].count("\n- ") == 300 and "Page 1 sur 2" in files["mots-cles/index.md"]


@pytest.mark.parametrize("number, count, shown", [
    (1, 1, [1]),
    (2, 2, [1, 2]),
    (1, 10, [1, 2, 3, None, 10]),
    (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),  # page 2 alone would hide behind « … »: shown
    (6, 40, [1, None, 4, 5, 6, 7, 8, None, 40]),
    (40, 40, [1, None, 38, 39, 40]),
])
def test_a_pager_shows_the_ends_and_the_pages_around(number, count, shown):
    assert Pager(number, [f"p{n}.md" for n in range(1, count + 1)]).shown == shown


def test_a_long_list_has_a_short_pager(tree):
    """A pager links to a bounded number of pages however long the list (it linked to every
    page, which made a long list quadratic), and every page is reached from the next."""
    tree.campus("c1")
    for n in range(PAGE_SIZE * 12):
        tree.practice(f"p{n:03d}", titre=f"Pratique {n}", mots_cles=["commun"])
    files = {f.uri: f.content for f in generate(pipeline.run(tree.root).catalog, TEMPLATES)}
    middle = files["mots-cles/commun/page-6.md"]
    pager = middle[middle.index('<nav class="cmq-pages"'):middle.index("</nav>")]
    assert "Page 6 sur 12\u00a0:" in pager and " **6**" in pager
    assert pager.count("](") == 6  # 1, 4, 5, 7, 8 and 12, with page 6 in bold
    assert "[1](../../mots-cles/commun.md)" in pager and "[12](../../mots-cles/commun/page-12.md)" in pager
    assert pager.count(" …") == 2
    for n in range(2, 13):  # from each page, the one before
        before = files["mots-cles/commun.md" if n == 2 else f"mots-cles/commun/page-{n - 1}.md"]
        assert f"[{n}](" in before


def test_the_practice_pages_are_shared_last(monkeypatch):
    """This process renders from the end of the list (parallel.py): the practice pages, the
    most text for the least work, are there, so that they are not sent back by the child."""
    catalog = pipeline.run(ROOT / "content").catalog
    shared, real = [], parallel.shared

    def spy(items, work, minimum, meanwhile):
        shared.extend(template for template, _, _ in items)
        return real(items, work, minimum, meanwhile)
    monkeypatch.setattr(parallel, "shared", spy)
    files = generate(catalog, TEMPLATES)
    practices = len(catalog.practices)
    assert shared[-practices:] == ["pratique.md.j2"] * practices
    assert "pratique.md.j2" not in shared[:-practices]
    # and the pages come out in their own order, practices after the campuses' list
    uris = [f.uri for f in files]
    assert uris.index("bonnes-pratiques/index.md") < uris.index(next(iter(catalog.practices.values())).src_uri) \
        < uris.index("secteurs/index.md")
