"""A lab let go by IPython's output history once a newer lab has replaced it.

A cell that ends with ``lab`` shows it, and IPython keeps every result it showed: in ``Out``
(``_oh``), ``_5`` and ``_``, ``__``, ``___``. Run the cell again and again, and each old lab
(its network, its data, its pictures: a few MB) would stay alive for the kernel's life, though
no page shows it and no name of the user's holds it.

So a lab is taken out of that history when no view shows it any more *and* another lab has
been shown since (its cell ran again): when the last view of the old lab says goodbye, or when
the new lab is shown, whichever comes last. A lab whose notebook was only closed stays (no
newer lab was shown): opened again, the page shows it again. The names a user gave it, their
own ``_`` among them, still hold it.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable

UNDERS = ("_", "__", "___")

_shown_at: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
"""Each lab shown as a cell's result, and the number of its latest showing (1, 2, ...)."""
_numbers = itertools.count(1)


def shown(owner: object, viewless: Callable[[object], bool]) -> None:
    """``owner`` is shown as a cell's result: the labs shown before it whose views are all gone
    (``viewless``) were replaced, and the output history lets go of them."""
    if owner is None:
        return
    _shown_at[owner] = next(_numbers)
    for other in [o for o in list(_shown_at.keys()) if o is not owner and viewless(o)]:
        _let_go(other)


def views_gone(owner: object) -> None:
    """The last view of ``owner`` is gone: the history lets go of it if another lab was shown
    since (its cell ran again)."""
    at = None if owner is None else _shown_at.get(owner)
    if at is not None and any(number > at for number in list(_shown_at.values())):
        _let_go(owner)


def _let_go(owner: object) -> None:
    _shown_at.pop(owner, None)
    forget_shown(owner)


def forget_shown(shown_result: object) -> None:
    """Take ``shown_result`` out of IPython's output history, if this runs in IPython (the
    history's own names only: a name the user set is theirs)."""
    if shown_result is None:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # (no IPython: no history)
        return
    shell = get_ipython()
    if shell is None:
        return
    history = shell.user_ns.get("_oh")
    if isinstance(history, dict):
        for number in [n for n, result in history.items() if result is shown_result]:
            del history[number]
    names, hidden = shell.user_ns, shell.user_ns_hidden
    for name in [n for n, value in names.items() if value is shown_result and is_output_name(n)
                 and hidden.get(n) is shown_result]:  # (IPython's, not a user's own)
        if name in UNDERS:
            names[name] = hidden[name] = None  # (as IPython leaves them before a first result)
        else:
            del names[name], hidden[name]
    hook = getattr(shell, "displayhook", None)
    for name in UNDERS:  # (the hook's own copies: IPython compares them with the names')
        if getattr(hook, name, None) is shown_result:
            setattr(hook, name, None)


def is_output_name(name: str) -> bool:
    """``_``, ``__``, ``___`` or ``_12``: a name IPython's output history made."""
    return name in UNDERS or (name.startswith("_") and name[1:].isdigit())
