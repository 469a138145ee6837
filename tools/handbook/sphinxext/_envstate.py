"""A typed home on the build environment for what an extension's collector keeps.

Sphinx keeps what it collects from documents on the ``BuildEnvironment``: it
is pickled between builds, copied into each process of a parallel read and
merged back by the collectors (``EnvironmentCollector.merge_other``).  The
handbook's collectors keep their state the same way, one dataclass per kind
of state under one attribute of the environment, reached with
:meth:`EnvState.of`.  The collector that owns a state is the only code that
clears and merges it.

The state is pickled with the environment.  When a state class's fields
change, rename the class: an environment pickled with the old class then
fails to load and Sphinx starts afresh ("loading pickled environment...
failed").  The extension's ``env_version`` would do the same, but Sphinx
writes it into ``searchindex.js``, so bumping it changes the built site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment


class EnvState:
    """Base of a state object kept on the build environment under :attr:`attribute`."""

    #: the attribute of the build environment that holds the state
    attribute: ClassVar[str]

    @classmethod
    def of(cls, env: BuildEnvironment) -> Self:
        """The state on ``env``, made empty on first use."""
        state = getattr(env, cls.attribute, None)
        if not isinstance(state, cls):
            state = cls()
            setattr(env, cls.attribute, state)
        return state
