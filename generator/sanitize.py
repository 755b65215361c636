"""Second line of defence: the rendered HTML of every generated page goes through nh3
(the Rust ``ammonia`` sanitizer) with an allowlist of what our templates and plain
Markdown produce. Whatever the validator might miss cannot become active content.
"""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "nav", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title"},  # classes of the theme (md-button, cmq-fiche…), heading ids
    "a": {"href"},
    "div": {"data-recherche-ignore"},  # our templates' « voir aussi » blocks: not in the search index
    "nav": {"aria-label"},  # the pager of long lists is a landmark
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"https", "http", "mailto"}


def clean(html: str) -> str:
    """Keep structure, classes and safe links; drop scripts, handlers, styles, frames, forms."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
