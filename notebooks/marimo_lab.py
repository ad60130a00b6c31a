"""The lab in marimo: `marimo edit notebooks/marimo_lab.py` (or `marimo run` for the app alone).

marimo shows an anywidget through `mo.ui.anywidget`: the lab's widget is `lab.widget`.
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo

    from labnet.lab import Lab

    return Lab, mo


@app.cell
def _(Lab, mo):
    lab = Lab()  # the seed experiment: 2-25-25-25-2 on the disk data
    mo.ui.anywidget(lab.widget)
    return (lab,)


if __name__ == "__main__":
    app.run()
