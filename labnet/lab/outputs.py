"""A lab let go by IPython's output history once no view shows it.

A cell that ends with ``lab`` shows it, and IPython keeps every result it showed: in ``Out``
(``_oh``), ``_5`` and ``_``, ``__``, ``___``. Run the cell again and again, and each old lab
(its network, its data, its pictures: a few MB) would stay alive for the kernel's life, though
no page shows it and no name of the user's holds it. When the last view of a lab says goodbye,
:func:`forget_shown` takes it out of that history; the names a user gave it still hold it.
"""

from __future__ import annotations

UNDERS = ("_", "__", "___")


def forget_shown(shown: object) -> None:
    """Take ``shown`` out of IPython's output history, if this runs in IPython."""
    if shown is None:
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
        for number in [n for n, result in history.items() if result is shown]:
            del history[number]
    for names in (shell.user_ns, shell.user_ns_hidden):
        for name in [n for n, value in names.items() if value is shown and is_output_name(n)]:
            if name in UNDERS:
                names[name] = None  # (as IPython leaves them before a first result)
            else:
                del names[name]
    hook = getattr(shell, "displayhook", None)
    for name in UNDERS:  # (the hook's own copies: IPython compares them with the names')
        if getattr(hook, name, None) is shown:
            setattr(hook, name, None)


def is_output_name(name: str) -> bool:
    """``_``, ``__``, ``___`` or ``_12``: a name IPython's output history made."""
    return name in UNDERS or (name.startswith("_") and name[1:].isdigit())
