"""External links (``site_web`` of campuses) checked by a separate, scheduled job.

Never part of the build or of the tests' network use: ``python -m generator liens`` is
run by .github/workflows/liens.yml, which reports dead links without blocking anything.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .model import Catalog

USER_AGENT = "catalogue-cmq-verification-liens/1.0"


@dataclass(frozen=True)
class LinkResult:
    url: str
    where: str  # the content file that gives the link
    status: int | None  # HTTP status, None when no answer
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def _fetch(url: str, timeout: float) -> tuple[int | None, str]:
    for method in ("HEAD", "GET"):  # some servers refuse HEAD
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, ""
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return exc.code, exc.reason or ""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return None, str(getattr(exc, "reason", exc))
    return None, "pas de réponse"


def external_links(catalog: Catalog) -> list[tuple[str, str]]:
    return [(c.site_web, c.path) for c in catalog.campuses.values() if c.site_web]


def check(links: list[tuple[str, str]], timeout: float = 10.0, workers: int = 8) -> list[LinkResult]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda link: _fetch(link[0], timeout), links))
    return [LinkResult(url, where, status, error) for (url, where), (status, error) in zip(links, answers)]


def report(results: list[LinkResult]) -> list[str]:
    lines = []
    for r in results:
        if not r.ok:
            what = f"erreur HTTP {r.status}" if r.status else f"aucune réponse ({r.error})"
            lines.append(f"{r.where}:1: site_web: lien mort ? {r.url} — {what}")
    dead = len(lines)
    lines.append(f"{len(results)} liens vérifiés, {dead} {'en échec' if dead else 'tous valides'}")
    return lines
