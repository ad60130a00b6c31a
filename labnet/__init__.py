"""labnet: a small deep-learning framework in NumPy, after the seed report's graph networks.

    import labnet as ln
    net = ln.Network({1: ln.Linear(2, 25), 2: ln.ReLU(), 3: ln.Linear(25, 2)},
                     {0: [1], 1: [2], 2: [3]})
    loss = ln.MSELoss()
    value = loss.forward(net.forward(x), target)
    net.backward(loss.backward())
    net.update_param(0.05)

The lab (``labnet.lab.Lab``) is imported on its own, so the framework needs no widgets.
"""

from labnet.codegen import to_python
from labnet.csvdata import from_csv, to_csv
from labnet.data import (
    DATASETS,
    circle,
    disk,
    gauss,
    moons,
    one_hot,
    spiral,
    train_test_split,
    xor,
)
from labnet.errors import DivergedError, GraphError, InputError, LabnetError, ShapeError
from labnet.features import FEATURES, input_features
from labnet.gradcheck import GradcheckReport, gradcheck
from labnet.history import History
from labnet.losses import CrossEntropyLoss, MSELoss, error_rate, predict_labels
from labnet.modules import (
    Concat,
    LeakyReLU,
    Linear,
    Module,
    ReLU,
    Sigmoid,
    Sum,
    Tanh,
    register,
    registered_modules,
)
from labnet.multiclass import MULTICLASS_DATASETS, blobs, spirals
from labnet.network import Network, Sequential
from labnet.optim import SGD, Adam, Optimizer
from labnet.presets import PRESETS
from labnet.probe import node_outputs, plane_outputs
from labnet.regression import REGRESSION_DATASETS, reg_gauss, reg_plane
from labnet.regularization import Regularization
from labnet.saving import load, save
from labnet.schedule import LRSchedule
from labnet.training import Callback, Trainer
from labnet.walkdisplay import array_stats, heatmap_values
from labnet.walkstep import WalkStep
from labnet.walkthrough import Walk

__version__ = "0.1.0"

__all__ = [
    "DATASETS",
    "FEATURES",
    "MULTICLASS_DATASETS",
    "PRESETS",
    "REGRESSION_DATASETS",
    "SGD",
    "Adam",
    "Callback",
    "Concat",
    "CrossEntropyLoss",
    "DivergedError",
    "GradcheckReport",
    "GraphError",
    "History",
    "InputError",
    "LRSchedule",
    "LabnetError",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Network",
    "Optimizer",
    "ReLU",
    "Regularization",
    "Sequential",
    "ShapeError",
    "Sigmoid",
    "Sum",
    "Tanh",
    "Trainer",
    "Walk",
    "WalkStep",
    "array_stats",
    "blobs",
    "circle",
    "disk",
    "error_rate",
    "from_csv",
    "gauss",
    "gradcheck",
    "heatmap_values",
    "input_features",
    "load",
    "moons",
    "node_outputs",
    "one_hot",
    "plane_outputs",
    "predict_labels",
    "reg_gauss",
    "reg_plane",
    "register",
    "registered_modules",
    "save",
    "spiral",
    "spirals",
    "to_csv",
    "to_python",
    "train_test_split",
    "xor",
]
