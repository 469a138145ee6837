"""handbook.sphinxext.frontmatter: the front matter's description and review date in each page.

The root ``tests/roots/test-frontmatter`` is built once: ``index`` has front
matter, ``plain`` has none (so it shows what the page gets without this
extension).
"""

from __future__ import annotations

import re

import pytest
from sphinxext_support import BuildRoot, Built

pytestmark = pytest.mark.sphinx

#: The front matter's description, as written in the attribute (escaped by this extension).
DESCRIPTION = "Models &quot;in the wild&quot; &amp; how they fail."


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-frontmatter")


def metatags(html: str, attribute: str, key: str) -> list[str]:
    """Every ``<meta {attribute}="{key}" …/>`` of the page."""
    return re.findall(rf'<meta {attribute}="{re.escape(key)}" content="[^"]*" />', html)


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_the_description_is_the_meta_description(site: Built):
    # written before sphinxext-opengraph, which then leaves it alone
    assert metatags(site.html("index"), "name", "description") == [
        f'<meta name="description" content="{DESCRIPTION}" />'
    ]


def test_the_description_is_the_social_card_description(site: Built):
    # the value sphinxext-opengraph writes (with its own escaping), instead of
    # the first paragraph it takes otherwise
    assert metatags(site.html("index"), "property", "og:description") == [
        '<meta property="og:description" '
        'content="Models &quot;in the wild&quot; & how they fail." />'
    ]


def test_the_review_date_is_the_last_updated_date(site: Built):
    assert "Last updated on 2026-11-27." in site.html("index")


def test_a_page_without_front_matter_keeps_the_defaults(site: Built):
    plain = site.html("plain")
    first_paragraph = "A page without front matter, described by its first paragraph."
    assert metatags(plain, "name", "description") == [
        f'<meta name="description" content="{first_paragraph}" />'
    ]
    assert metatags(plain, "property", "og:description") == [
        f'<meta property="og:description" content="{first_paragraph}" />'
    ]
    assert "Last updated" not in plain
