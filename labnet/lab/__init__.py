"""The lab: build a network, train it, and watch it learn, in JupyterLab.

``Lab`` is the app (``lab.py``), composed of parts that each do one job, listed from the bottom
up (each imports only those above it):

- values: ``nodes`` and ``graph`` (editing a graph, as values; ``layout`` draws it tidy),
  ``dataset`` (the data), ``settings`` (how it trains), ``display`` (what is shown);
- ``state``: the graph, data and training of one lab, changed by taking new values and telling
  its listeners with ``events``; ``scoring`` computes its errors in slices;
- ``play``: the play loop on the kernel's event loop (``loop``), telling its listeners too;
- what the page gets: ``pictures`` (NumPy), ``traits`` (JSON) and ``streams`` (binary
  messages); ``pace`` (frames painted, views alive); ``intents`` (what the page may ask);
- ``widget`` + ``static/``: the front end, which watches the state and the player;
- ``files`` (save and open a lab), ``export`` (a PNG for slides, with matplotlib).
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
