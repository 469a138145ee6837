"""Cite this page in Chromium: the block opens from the keyboard, and the copy buttons
put the text on the clipboard (or, refused, select it for Ctrl+C)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_bibtex_is_copied_to_the_clipboard_from_the_keyboard(visit):
    v = visit()
    v.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = v.open("start/skill-mix.html")
    summary = page.locator("details.handbook-cite summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.handbook-cite").evaluate("d => d.open")
    button = page.get_by_role("button", name="Copy the BibTeX")
    button.focus()
    page.keyboard.press("Enter")
    status = page.locator("details.handbook-cite [role=status]")
    status.filter(has_text="Copied").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#handbook-cite-bibtex").text_content()
    assert copied.startswith("@online{mlehandbook2026startskillmix,")
    assert v.errors == [] and v.failed == [] and v.outside == []


def test_without_the_clipboard_the_text_is_selected_instead(visit):
    v = visit()
    # A browser that refuses the write (a permission policy, an extension)
    v.page.add_init_script(
        "navigator.clipboard.writeText = () =>"
        " Promise.reject(new DOMException('refused', 'NotAllowedError'));"
    )
    page = v.open("ja/start/skill-mix.html")
    page.locator("details.handbook-cite summary").click()
    page.get_by_role("button", name="引用文をコピー").click()
    page.wait_for_function("getSelection().toString().length > 0", timeout=5_000)
    selected = page.evaluate("getSelection().toString()")
    assert selected == page.locator("#handbook-cite-text").text_content()
    assert v.errors == [] and v.outside == []


def test_print_leaves_the_citation_out(visit):
    page = visit().open("start/skill-mix.html")
    page.emulate_media(media="print")
    assert page.locator("details.handbook-cite").is_hidden()
