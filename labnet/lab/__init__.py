"""The lab: build a network, train it, and watch it learn, in JupyterLab.

``Lab`` is the app (``lab.py``). Its parts: ``state`` (graph, data, training; no widgets),
``graph`` (editing, as values), ``dataset``, ``scoring``, ``display`` (what is shown),
``pictures`` (NumPy), ``widget`` + ``static/`` (the front end, drawn in the browser), ``play``
(the play loop), ``files`` (save and open), ``export`` (a PNG for slides).
"""

from labnet.lab.state import LabState

__all__ = ["Lab", "LabState"]


def __getattr__(name: str):
    # ``Lab`` is imported when it is asked for: ``import labnet.lab.state`` (which imports this
    # package first) then loads no widget library
    if name == "Lab":
        from labnet.lab.lab import Lab

        return Lab
    raise AttributeError(f"module 'labnet.lab' has no attribute {name!r}")
