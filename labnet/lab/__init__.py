"""The lab: build a network, train it, and watch it learn, in JupyterLab.

``Lab`` is the app; ``LabModel`` its state (no widgets); ``views`` its pictures (matplotlib);
``app`` its widgets (ipywidgets).
"""

from labnet.lab.lab import Lab
from labnet.lab.model import LabModel

__all__ = ["Lab", "LabModel"]
