import numpy as np

import labnet as ln


def test_figure1_network_gradients_match_finite_differences():
    net = ln.PRESETS["figure1"](0)
    x, _ = ln.disk(6, rng=1)
    report = ln.gradcheck(net, x)
    assert report.ok, str(report)


def test_one_epoch_of_the_seed_network_lowers_the_loss():
    x, labels = ln.disk(200, rng=0)
    trainer = ln.Trainer(ln.PRESETS["seed"](0), data=(x, labels), batch_size=10, lr=0.1, rng=0)
    first = trainer.evaluate()["train_loss"]
    trainer.fit(3)
    assert trainer.evaluate()["train_loss"] < first
    assert np.isfinite(trainer.history.step_loss).all()
