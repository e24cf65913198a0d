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
            if value is None:
                raise ValueError("In(update=...) needs a value= to start from")
            if not isinstance(update, TensorVariable):
                raise TypeError(f"In(update=...) needs a symbolic expression, got {update!r}")
        self.update = update
        """After each call the input's stored value becomes this expression's value (computed
        from the call's values), as a shared variable's update would."""
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


class Out:
    """An output of ``function`` with Theano's ``borrow`` flag. Every call here returns arrays
    of its own (a later call never overwrites them), so ``borrow`` changes nothing.

    >>> import tracegraph
    >>> import tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> tracegraph.function([x], tracegraph.Out(x * 2, borrow=True))([1.0])
    array([2.])
    """

    def __init__(self, variable: TensorVariable, borrow: bool = False):
        self.variable = variable
        self.borrow = borrow

    def __repr__(self) -> str:
        return f"Out({self.variable!r}, borrow={self.borrow})"


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
