"""The backend registry: every backend by name, the ``Program`` protocol they compile to, and
the ``ValueCell`` through which programs reach the values of shared variables.

A backend turns the final ``tg`` function of ``function(...)`` into a :class:`Program`, which
runs it. The built-in backends are listed here by name, with the device they run on and the
module that defines them; that module is imported the first time its backend is looked up, and
registers its :class:`Backend` with :func:`register_backend` (as a plug-in does):

========== ====================================== ======== =========================
name       module                                 device   other names (``linker=``)
========== ====================================== ======== =========================
reference  ``tracegraph.backends.reference``      cpu      ``numpy``, ``py``
c          ``tracegraph.backends.c``              cpu      ``c|py``, ``cvm``, ``vm``
triton     ``tracegraph.backends.triton``         cuda
========== ====================================== ======== =========================

The other names are Theano's linkers: ``py`` ran Python code only, ``c|py``, ``cvm`` and ``vm``
compiled C where they could, as the ``c`` backend does (it runs the reference where a C
compiler is missing or has nothing to compile). ``config.linker``, ``Mode(linker=...)``,
``config.device`` and ``Function.source(...)`` take their choices from this registry.

Which backend runs a function (:func:`backend_for`): on the ``cpu`` device, the one its mode's
linker names; on another device, the backend of that device, whatever the linker. A backend
that is not available hands over to its ``fallback``, or raises
:class:`~tracegraph.errors.BackendUnavailableError` when it has none.

>>> get_backend("numpy").name, get_backend("cvm").name
('reference', 'c')
"""

from __future__ import annotations

import importlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from tracegraph.config import register_choices
from tracegraph.errors import BackendUnavailableError

if TYPE_CHECKING:
    from xdsl.dialects.func import FuncOp

_T = TypeVar("_T")

HOST = "cpu"
"""The device whose backend the linker chooses."""


class ValueCell(Generic[_T]):
    """Where a shared variable keeps its value between calls: one attribute, ``value``.

    Every shared variable has one cell for its whole life (``variable.cell``), and
    ``get_value``, ``set_value`` and every function that reads or updates the variable go
    through it. A program reaches shared values only through the cells a :class:`Binding`
    gives it: it reads ``cell.value`` before a call and assigns ``cell.value`` the new value
    after it, with no checks (the value it stores must already fit the variable's type).

    ``lock`` serializes what reads and then replaces the value: a call of a function that
    updates the variable holds it from reading the value to storing the new one (so that calls
    from several threads lose no update), and so does ``set_value``.

    >>> cell = ValueCell(1.0)
    >>> cell.value = cell.value + 1
    >>> cell
    ValueCell(2.0)
    """

    __slots__ = ("lock", "value")

    def __init__(self, value: _T) -> None:
        self.value = value
        """The current value."""
        self.lock = threading.RLock()
        """Held while a call or ``set_value`` reads and replaces the value (see the class)."""

    def __repr__(self) -> str:
        return f"ValueCell({self.value!r})"


class DeviceValue:
    """A shared variable's value that lives on a device (the Triton backend's tensors): the
    device ``array`` and how to copy it to the host, done once, on first need
    (``get_value``). A cell holds one after a device program's call has updated it; programs
    that cannot read it take the general path, which reads ``get_value``.

    >>> value = DeviceValue([1.0, 2.0], download=tuple)
    >>> value.to_host()
    (1.0, 2.0)
    """

    __slots__ = ("_download", "_host", "array")

    def __init__(self, array: Any, download: Callable[[Any], Any]) -> None:
        self.array = array
        """The value on the device."""
        self._download = download
        self._host: Any = None

    def to_host(self) -> Any:
        """The value on the host (copied once; later calls return the same copy)."""
        if self._host is None:
            self._host = self._download(self.array)
        return self._host

    def __repr__(self) -> str:
        return f"DeviceValue({self.array!r})"


@dataclass(frozen=True)
class Binding:
    """What a compiled function tells its program when it asks for a fast call path.

    - ``shared``: the cells of its shared variables, in argument order (after the inputs);
    - ``update_targets``: the cells its updates write, in result order (after the outputs);
    - ``target_shapes``: the static shape of each update target (``None``: any size), which an
      update's value must fit;
    - ``single_output``: whether it returns one output rather than a list;
    - ``convertible``: for each input, whether an argument may be cast safely to its dtype
      (the inputs that are not ``strict``).

    The cells are the whole interface to shared values (a program never sees the variables):
    read ``cell.value``, and write ``cell.value`` only once the call has succeeded and every
    update has been checked, so that a failed call changes no shared value.
    """

    shared: tuple[ValueCell[Any], ...]
    update_targets: tuple[ValueCell[Any], ...]
    target_shapes: tuple[tuple[int | None, ...], ...]
    single_output: bool
    convertible: tuple[bool, ...]
    return_device: bool = False
    """Whether outputs stay on the device (``function(..., return_device=True)``): a device
    program returns its own arrays (torch tensors) instead of NumPy copies."""


# -- profiles: what a profiled program's ``clock`` holds ----------------------------------------


@dataclass
class StepTime:
    """One step of a profiled program: what it runs, where the user wrote it, and its time."""

    label: str
    """The ``tg`` op the step runs (``tg.dot``), or a fused loop with its ops
    (``loop: tg.mul tg.exp tg.sum``)."""
    kind: str
    """What the per-op table groups it under: the op's name, or the label of a fused loop
    (loops of the same ops together)."""
    location: str
    """The user's ``file:line:col`` of the op (of the loop's last op, for a loop)."""
    seconds: float = 0.0
    calls: int = 0


class StepClock:
    """The steps of a profiled program and their times: :meth:`tick` as the steps run, or
    :meth:`add` of what the program counted itself.

    >>> clock = StepClock([StepTime("tg.exp", "tg.exp", "f.py:1:0")])
    >>> clock.tick(0); clock.tick(-1)
    >>> clock.steps[0].calls
    1
    """

    def __init__(self, steps: Sequence[StepTime], wait: Callable[[], None] | None = None):
        self.steps = list(steps)
        self._wait = wait
        """Waits for the device to finish what was launched (None: nothing to wait for)."""
        self._running = -1
        self._started = 0.0

    def tick(self, step: int) -> None:
        """End the running step, if any, and start ``step`` (-1: none)."""
        if self._wait is not None:
            self._wait()
        now = time.perf_counter()
        if self._running >= 0:
            entry = self.steps[self._running]
            entry.seconds += now - self._started
            entry.calls += 1
        self._running, self._started = step, now

    def add(self, seconds: Sequence[float], calls: Sequence[int]) -> None:
        """Add the time and count of each step, as the program counted them."""
        for entry, spent, count in zip(self.steps, seconds, calls, strict=True):
            entry.seconds += spent
            entry.calls += count


class TickedProgram:
    """A program that ticks ``clock`` at each of its steps (the program does), with the last
    step ended when a run ends or fails."""

    def __init__(self, program: Any, clock: StepClock):
        self.program = program
        self.clock = clock

    def run(self, args: Sequence[Any]) -> list[Any]:
        """Run ``args``; the last step ends with the run."""
        try:
            results: list[Any] = self.program.run(args)
            return results
        finally:
            self.clock.tick(-1)

    def bind(self, binding: Any) -> None:
        """None: every call goes through :meth:`run`."""
        return None


class WholeProgramClock(TickedProgram):
    """A program timed as one step: for backends that cannot time their steps."""

    def __init__(self, program: Any, label: str):
        super().__init__(program, StepClock([StepTime(label, label, "")]))

    def run(self, args: Sequence[Any]) -> list[Any]:
        """Run ``args``, timed as the one step."""
        self.clock.tick(0)
        return super().run(args)


class Program(Protocol):
    """A compiled function, as a backend returns it.

    ``run(args)`` takes the input arrays followed by the values of the shared variables and
    returns the outputs followed by the new values of the updated shared variables.

    ``bind(binding)`` may return a callable that does a whole call of the function, given the
    caller's positional arguments: it converts them, runs, reads the shared values from the
    :class:`ValueCell` objects of the :class:`Binding` and stores the updates in them (all
    checked first, none stored when one does not fit), and returns what the function returns;
    or it answers ``NotImplemented``, having changed nothing, when the general path (``run``)
    must be taken. A program without such a path returns None.
    """

    def run(self, args: Sequence[Any]) -> list[Any]: ...

    def bind(self, binding: Binding) -> Callable[..., Any] | None: ...


class Backend(ABC):
    """A way to run functions: a name, the device it runs on, and how to compile to a
    :class:`Program` and show the source it generates.

    >>> class Interpreted(Backend):
    ...     name = "interpreted"
    ...     def compile(self, func):
    ...         return get_backend("reference").compile(func)
    ...     def source(self, func):
    ...         return get_backend("reference").source(func)
    >>> backend = register_backend(Interpreted(), aliases=["interp"])
    >>> get_backend("interp") is backend
    True
    >>> unregister_backend("interpreted")
    """

    name: str
    """The name ``Mode(linker=...)``, ``config.linker`` and ``Function.source`` take."""
    title: str = ""
    """The name in messages ("the C backend"); the name when empty."""
    device: str = HOST
    """The device it runs on: the ``cpu`` backends are chosen by the linker, any other device
    by ``config.device``."""
    fallback: str | None = None
    """The backend that runs in its place when it is not :meth:`available`; None: an error."""
    language: str = ""
    """What :meth:`source` shows."""

    def available(self) -> bool:
        """Whether it can run here (the C backend: whether a C compiler works; it warns once
        per process when not)."""
        return True

    def unavailable_reason(self) -> str:
        """Why it cannot run here, for the error raised when it has no fallback."""
        return "it cannot run here"

    @abstractmethod
    def compile(self, func: FuncOp) -> Program:
        """The program of ``func``, the final ``tg`` function."""

    @abstractmethod
    def source(self, func: FuncOp) -> str:
        """The source it generates for ``func`` (it need not be available)."""

    def compile_profiled(self, func: FuncOp) -> Program:
        """The program of ``func`` with a ``clock`` (a :class:`StepClock`) that times its steps, for
        ``function(..., profile=True)``; by default the whole program as one step."""
        return WholeProgramClock(self.compile(func), f"the whole function ({self.describe()})")

    assembly_language: str = ""
    """What :meth:`assembly` shows (``ptx``), where the backend compiles to one; empty: none."""

    def assembly(self, func: FuncOp) -> str:
        """What its source compiles to for ``func`` (the Triton backend: PTX); a ValueError
        where it compiles to none it can show."""
        raise ValueError(f"{self.describe()} has no assembly to show")

    def describe(self) -> str:
        """``the C backend``."""
        return f"the {self.title or self.name} backend"


@dataclass(frozen=True)
class _BuiltIn:
    title: str
    module: str
    device: str
    aliases: tuple[str, ...]


_BUILT_IN: dict[str, _BuiltIn] = {
    "c": _BuiltIn("C", "tracegraph.backends.c", HOST, ("c|py", "cvm", "vm")),
    "reference": _BuiltIn(
        "NumPy reference", "tracegraph.backends.reference", HOST, ("numpy", "py")
    ),
    "triton": _BuiltIn("Triton", "tracegraph.backends.triton", "cuda", ()),
}

_lock = threading.RLock()
_backends: dict[str, Backend] = {}
"""The backends registered so far, by name."""
_aliases: dict[str, str] = {
    alias: name for name, spec in _BUILT_IN.items() for alias in spec.aliases
}
"""Other names, to the name of their backend."""
_devices: dict[str, str] = {spec.device: name for name, spec in _BUILT_IN.items()}
"""The backend of each device (the host's is the linker's choice: not used)."""


class _Missing(Backend):
    """A built-in backend whose module this installation does not have."""

    def __init__(self, name: str, spec: _BuiltIn):
        self.name = name
        self.title = spec.title
        self.device = spec.device
        self._module = spec.module

    def available(self) -> bool:
        return False

    def unavailable_reason(self) -> str:
        return f"this version of tracegraph has no module {self._module}"

    def _unavailable(self) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"{self.describe()} is not available: {self.unavailable_reason()}"
        )

    def compile(self, func: FuncOp) -> Program:
        raise self._unavailable()

    def source(self, func: FuncOp) -> str:
        raise self._unavailable()


def backend_names() -> tuple[str, ...]:
    """The names of the backends, built in or registered (without their other names).

    >>> backend_names()
    ('c', 'reference', 'triton')
    """
    with _lock:
        return tuple(sorted({*_BUILT_IN, *_backends}))


def linker_names() -> tuple[str, ...]:
    """Every name of a backend that ``Mode(linker=...)`` and ``config.linker`` take.

    >>> linker_names()
    ('c', 'cvm', 'c|py', 'numpy', 'py', 'reference', 'triton', 'vm')
    """
    with _lock:
        return tuple(sorted({*_BUILT_IN, *_backends, *_aliases}))


def devices() -> tuple[str, ...]:
    """The devices ``config.device`` takes: the host's and those of the backends.

    >>> devices()
    ('cpu', 'cuda')
    """
    with _lock:
        return (HOST, *sorted(set(_devices) - {HOST}))


def describe_names() -> str:
    """The backends with their other names, for messages.

    >>> describe_names()
    'c (also c|py, cvm, vm), reference (also numpy, py), triton'
    """
    with _lock:
        parts = []
        for name in backend_names():
            others = [alias for alias, target in _aliases.items() if target == name]
            parts.append(f"{name} (also {', '.join(others)})" if others else name)
        return ", ".join(parts)


def get_backend(name: str) -> Backend:
    """The backend of a name or other name, its module imported on first use; a ValueError
    naming the choices for an unknown name.

    >>> get_backend("py").describe()
    'the NumPy reference backend'
    >>> get_backend("banana")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown backend 'banana'; backends are c (also c|py, cvm, vm), reference ...
    """
    with _lock:
        canonical = _aliases.get(name, name)
        backend = _backends.get(canonical)
        if backend is not None:
            return backend
        spec = _BUILT_IN.get(canonical)
        if spec is None:
            raise ValueError(f"unknown backend {name!r}; backends are {describe_names()}")
    # Imported without the lock: the module registers itself, maybe from another thread.
    try:
        importlib.import_module(spec.module)
    except ModuleNotFoundError as error:
        if error.name != spec.module:
            raise
        with _lock:
            _backends.setdefault(canonical, _Missing(canonical, spec))
    with _lock:
        if canonical not in _backends:
            raise RuntimeError(f"{spec.module} did not register the backend {canonical!r}")
        return _backends[canonical]


def register_backend(backend: Backend, *, aliases: Sequence[str] = ()) -> Backend:
    """Add a backend under its name and ``aliases``; it returns ``backend``. A name taken by
    another backend is a ValueError; a built-in name is its own module's to register."""
    with _lock:
        name = backend.name
        spec = _BUILT_IN.get(name)
        if spec is not None:
            if not type(backend).__module__.startswith(spec.module) or aliases:
                raise ValueError(f"{name!r} is the name of a built-in backend")
            if backend.device != spec.device:
                raise ValueError(f"the {name!r} backend runs on {spec.device!r}")
            _backends[name] = backend
            return backend
        for taken in (name, *aliases):
            if taken in _backends or taken in _aliases or taken in _BUILT_IN:
                raise ValueError(f"a backend is already registered as {taken!r}")
        _backends[name] = backend
        for alias in aliases:
            _aliases[alias] = name
        if backend.device != HOST:
            _devices.setdefault(backend.device, name)
        return backend


def unregister_backend(name: str) -> None:
    """Remove a backend :func:`register_backend` added, with its other names (not a built-in
    one)."""
    with _lock:
        canonical = _aliases.get(name, name)
        if canonical in _BUILT_IN:
            raise ValueError(f"{canonical!r} is a built-in backend")
        if canonical not in _backends:
            raise ValueError(f"unknown backend {name!r}; backends are {describe_names()}")
        del _backends[canonical]
        for alias in [alias for alias, target in _aliases.items() if target == canonical]:
            del _aliases[alias]
        for device in [device for device, target in _devices.items() if target == canonical]:
            del _devices[device]
            others = [b for b in _backends.values() if b.device == device]
            if others:
                _devices[device] = others[0].name


def backend_for(linker: str, device: str) -> Backend:
    """The backend that runs functions for a mode's ``linker`` on ``device``: the linker's on
    the host, the device's on another device; a backend that is not available hands over to
    its fallback (C to the reference, with a warning once per process), or raises
    :class:`~tracegraph.errors.BackendUnavailableError`.

    >>> backend_for("numpy", "cpu").name
    'reference'
    >>> backend_for("c", "cuda").name  # whatever the linker
    'triton'
    """
    if device == HOST:
        chosen, why = get_backend(linker), f"linker {linker!r}"
    else:
        with _lock:
            if device not in _devices:
                raise ValueError(f"unknown device {device!r}; devices are {', '.join(devices())}")
            name = _devices[device]
        chosen, why = get_backend(name), f"device {device!r}"
    while not chosen.available():
        if chosen.fallback is None:
            raise BackendUnavailableError(
                f"{why} runs functions on {chosen.describe()}, which is not available: "
                f"{chosen.unavailable_reason()}"
            )
        chosen = get_backend(chosen.fallback)
    return chosen


register_choices("linker", linker_names)
register_choices("device", devices)

__all__ = [
    "HOST",
    "Backend",
    "Binding",
    "DeviceValue",
    "Program",
    "ValueCell",
    "backend_for",
    "backend_names",
    "describe_names",
    "devices",
    "get_backend",
    "linker_names",
    "register_backend",
    "unregister_backend",
]
