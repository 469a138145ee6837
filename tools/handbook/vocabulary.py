"""The handbook's controlled vocabulary: the one place it is defined.

Every reference in ``references.bib`` is tagged, in its ``keywords`` field,
with words from three groups, and carries a ``language``:

``ROLES``
    Which of the ML engineer's three roles the reference serves: ``swe``
    (software engineer), ``pm`` (product manager), ``ds`` (data scientist).
    An entry names one or more.
``LEVELS``
    How much the reader must already know: ``intro``, ``practitioner`` or
    ``advanced``. An entry names exactly one.
``FORMATS``
    What kind of thing it is: ``book``, ``paper``, ``article``, ``course``,
    ``talk``, ``post``, ``law`` (a legal text), ``standard`` (a published
    standard) or ``docs`` (a vendor's or a project's documentation). An entry
    names exactly one.
``LANGUAGES``
    The language the reference is written in (``language`` field): ``en`` or
    ``ja``.

Pages' front matter uses ``ROLES`` and ``LEVELS`` too, so a page and the
references it lists are tagged with the same words, and the reading list
groups entries by ``LEVELS`` under their ``LEVEL_NAMES``. Change a group here
and both checkers and the reading list follow.
"""

from __future__ import annotations

#: The reader's roles, in the order the handbook presents them.
ROLES: tuple[str, ...] = ("swe", "pm", "ds")

#: How a role is named for readers (the skills matrix's headings).
ROLE_NAMES: dict[str, str] = {
    "swe": "Software engineer",
    "pm": "Product manager",
    "ds": "Data scientist",
}

#: How much the reader must already know, from least to most.
LEVELS: tuple[str, ...] = ("intro", "practitioner", "advanced")

#: How a level is named for readers (the reading list's headings).
LEVEL_NAMES: dict[str, str] = {
    "intro": "Introductory",
    "practitioner": "Practitioner",
    "advanced": "Advanced",
}

#: What kind of thing a reference is: ``law`` a legal text (a regulation, an act),
#: ``standard`` a published standard (ISO, IEEE, ...), ``docs`` a vendor's or a
#: project's documentation page.
FORMATS: tuple[str, ...] = (
    "book",
    "paper",
    "article",
    "course",
    "talk",
    "post",
    "law",
    "standard",
    "docs",
)

#: The languages references are written in (ISO 639-1 codes).
LANGUAGES: tuple[str, ...] = ("en", "ja")

#: Every word allowed in a ``keywords`` field.
KEYWORDS: frozenset[str] = frozenset(ROLES + LEVELS + FORMATS)

#: Formats that are web pages: with a ``url`` they must carry ``urldate``.
WEB_FORMATS: frozenset[str] = frozenset({"post", "course", "talk", "law", "standard", "docs"})
