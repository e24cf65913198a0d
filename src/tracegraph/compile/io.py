"""``In`` and ``Param``: how a variable is passed to a compiled function."""

from __future__ import annotations

from typing import Any

from tracegraph.tensor.variable import TensorVariable


class In:
    """An input of ``function`` with options: a default ``value``, a keyword ``name``, and
    Theano's flags (``mutable``, ``borrow``, ``strict``, ``allow_downcast``).

    >>> import tracegraph.tensor as T
    >>> y = T.dscalar('y')
    >>> In(y, value=1).name
    'y'
    """

    def __init__(
        self,
        variable: TensorVariable,
        name: str | None = None,
        value: Any = None,
        update: TensorVariable | None = None,
        mutable: bool | None = None,
        strict: bool = False,
        allow_downcast: bool | None = None,
        autoname: bool = True,
        implicit: bool | None = None,
        borrow: bool | None = None,
        shared: bool = False,
    ):
        if not isinstance(variable, TensorVariable):
            raise TypeError(f"In() needs a symbolic variable, got {type(variable).__name__}")
        if update is not None:
            raise NotImplementedError(
                "In(update=...) is not supported; use a shared variable and updates= instead"
            )
        self.variable = variable
        self.name = name if name is not None else (variable.name if autoname else None)
        self.value = value
        self.mutable = bool(mutable)
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.borrow = bool(borrow) or self.mutable
        self.implicit = bool(implicit)
        self.shared = shared

    @property
    def has_default(self) -> bool:
        """Whether the input may be left out of a call."""
        return self.value is not None

    def __repr__(self) -> str:
        default = f", value={self.value!r}" if self.has_default else ""
        return f"In({self.variable!r}{default})"


class Param(In):
    """The older spelling of :class:`In`: ``Param(y, default=1)`` is ``In(y, value=1)``.

    >>> import tracegraph.tensor as T
    >>> Param(T.dscalar('y'), default=1).value
    1
    """

    def __init__(
        self,
        variable: TensorVariable,
        default: Any = None,
        name: str | None = None,
        mutable: bool = False,
        strict: bool = False,
        allow_downcast: bool | None = None,
        implicit: bool | None = None,
        borrow: bool | None = None,
    ):
        super().__init__(
            variable,
            name=name,
            value=default,
            mutable=mutable,
            strict=strict,
            allow_downcast=allow_downcast,
            implicit=implicit,
            borrow=borrow,
        )
