"""handbook.sphinxext.seo: social tags, a description on every page, robots.txt, feedback links.

The root ``tests/roots/test-seo`` is built once with sphinx-book-theme,
sphinxext-opengraph (which seo loads), handbook.sphinxext.i18n (the sitemap) and
sphinx-notfound-page, as in the handbook; a second build checks the issue forms against a
repository checkout.  sphinxext-opengraph writes the OpenGraph tags of pages
made from documents; every other tag asserted here is seo's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sphinxext_support import BuildRoot, Built, build_root

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 and sphinx-notfound-page use APIs
    # Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:notfound.extension"
    ),
]

BASEURL = "https://example.org/book/"
REPOSITORY = "https://github.com/example/book"
#: The front-matter description of ``index``, escaped.
DESCRIPTION = "How the book is found, shared &amp; fixed."


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-seo")


def meta(attribute: str, key: str, content: str) -> str:
    return f'<meta {attribute}="{key}" content="{content}" />'


def metatags(html: str) -> list[str]:
    """The page's ``<meta name|property=… content=…>`` tags, in order (not the theme's own)."""
    head = html.split("</head>")[0]
    return [
        tag
        for tag in re.findall(r'<meta (?:name|property)="[^"]*" content="[^"]*" />', head)
        if not tag.startswith(('<meta name="viewport"', '<meta name="docsearch:'))
    ]


def feedback(html: str) -> list[str]:
    """The feedback links, as the root's template prints them."""
    return re.findall(r'<a class="feedback-[^"]*" href="[^"]*">[^<]*</a>', html)


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


# -- documents -------------------------------------------------------------------


def test_a_document_gets_a_twitter_card_from_its_front_matter(site: Built):
    tags = metatags(site.html("index"))
    assert tags[-3:] == [
        meta("name", "twitter:card", "summary"),
        meta("name", "twitter:title", "The SEO &amp; you"),  # the title as plain text
        meta("name", "twitter:description", DESCRIPTION),
    ]
    # sphinxext-opengraph described the page already: nothing is written twice
    names = [re.search(r'="([^"]*)"', tag).group(1) for tag in tags]  # type: ignore[union-attr]
    assert len(names) == len(set(names))
    assert meta("name", "robots", "noindex") not in tags


def test_a_document_without_a_description_gets_the_books(site: Built):
    tags = metatags(site.html("chapter"))
    assert tags[-2:] == [
        meta("name", "twitter:title", "A chapter"),
        meta("name", "twitter:description", DESCRIPTION),
    ]


def test_a_document_links_its_source_and_the_correction_form(site: Built):
    assert feedback(site.html("index")) == [
        f'<a class="feedback-edit" href="{REPOSITORY}/edit/trunk/index.md">Suggest an edit</a>',
        f'<a class="feedback-report" href="{REPOSITORY}/issues/new?'
        "template=content-correction.yml&amp;page=index.md&amp;"
        'title=Correction%3A%20The%20SEO%20%26%20you">Report a problem</a>',
    ]


# -- generated pages ---------------------------------------------------------------


def generated_tags(page: str, title: str, description: str, *, url: bool = True) -> list[str]:
    """Every tag seo writes for a page made without a document."""
    return [
        meta("name", "description", description),
        meta("property", "og:title", title),
        meta("property", "og:type", "website"),
        *([meta("property", "og:url", f"{BASEURL}{page}.html")] if url else []),
        meta("property", "og:site_name", "SEO"),
        meta("property", "og:description", description),
        meta("name", "twitter:card", "summary"),
        meta("name", "twitter:title", title),
        meta("name", "twitter:description", description),
    ]


def test_the_index_is_described_and_titled(site: Built):
    description = "Index of SEO: every glossary term and indexed topic, A to Z."
    html = site.html("genindex")
    assert metatags(html) == generated_tags("genindex", "Index", description)
    # the title the theme prints on paper (it left an empty <h1>)
    assert '<div id="jb-print-docs-body" class="onlyprint">\n    <h1>Index</h1>' in html
    assert f'<link rel="canonical" href="{BASEURL}genindex.html" />' in html


def test_search_is_described_and_not_indexed(site: Built):
    description = "Search SEO: every chapter, the glossary and the reading list."
    assert metatags(site.html("search")) == [
        *generated_tags("search", "Search", description),
        meta("name", "robots", "noindex"),
    ]


def test_the_404_page_has_no_address_and_links_the_broken_link_form(site: Built):
    description = (
        "This page of SEO does not exist (any more). "
        "Find what you were looking for from the contents, the index or search."
    )
    html = site.html("404")
    assert metatags(html) == [
        *generated_tags("404", "Page not found", description, url=False),
        meta("name", "robots", "noindex"),
    ]
    assert 'rel="canonical"' not in html  # it answers every missing address
    assert feedback(html) == [
        f'<a class="feedback-report" href="{REPOSITORY}/issues/new?'
        'template=broken-link.yml&amp;title=Broken%20link%3A%20">Report a broken link</a>'
    ]


def test_a_generated_page_links_the_correction_form_with_its_address(site: Built):
    assert feedback(site.html("genindex")) == [
        f'<a class="feedback-report" href="{REPOSITORY}/issues/new?'
        "template=content-correction.yml&amp;page=https%3A//example.org/book/genindex.html"
        '&amp;title=Correction%3A%20Index">Report a problem</a>'
    ]


# -- robots.txt --------------------------------------------------------------------


def test_robots_txt_points_at_the_sitemap(site: Built):
    assert site.text("robots.txt") == (
        "# robots.txt for SEO, generated from html_baseurl.\n"
        "# Search engines read it at the root of a host: it takes effect where the\n"
        "# site is served from a host's root (a custom domain, a user site).\n"
        "User-agent: *\n"
        "Disallow:\n"
        f"Sitemap: {BASEURL}sitemap.xml\n"
    )


# -- inside a repository checkout ----------------------------------------------------


def test_sources_under_a_folder_and_a_missing_form(rootdir: Path, tmp_path: Path):
    """``path_to_docs`` is in the edit link; a form the links open must exist."""
    forms = tmp_path / "repo" / ".github" / "ISSUE_TEMPLATE"
    forms.mkdir(parents=True)
    (forms / "content-correction.yml").write_text("name: Correction\n", encoding="utf-8")
    options = {
        "repository_url": REPOSITORY,
        "repository_branch": "trunk",
        "path_to_docs": "docs",
        "article_footer_items": ["handbook-feedback.html"],
    }
    built = build_root(
        rootdir,
        "test-seo",
        tmp_path,
        srcdir=tmp_path / "repo" / "docs",
        html_theme_options=options,
    )
    assert built.warnings.strip() == (
        f"WARNING: feedback links open broken-link.yml, which is not in {forms} [handbook]"
    )
    assert feedback(built.html("index"))[0] == (
        f'<a class="feedback-edit" href="{REPOSITORY}/edit/trunk/docs/index.md">Suggest an edit</a>'
    )
