"""What the lab shows (``labnet.lab.display``): one value, every field checked, sent to the
front end as JSON and partly kept in lab files."""

import json
import math

import pytest

from labnet.lab.display import PRESENTATION_SCALE, SCALES, VIEWS, Display
from labnet.lab.traits import view_json


def test_the_default_display_shows_everything_at_scale_1():
    display = Display().checked()
    assert display.hidden == frozenset() and display.show_test and not display.discretize
    assert (display.click, display.edges, display.scale) == ("off", "gradient", 1.0)
    assert display.picked is None and display.walk is None and display.units == {}
    assert 0.5 <= 1.0 <= PRESENTATION_SCALE <= 3.0


def test_changed_gives_a_new_checked_display_and_none_leaves_a_value():
    display = Display()
    new = display.changed(hidden={"boundary"}, show_test=False, click="blue", scale=2,
                          discretize=None)
    assert new.hidden == frozenset({"boundary"}) and not new.show_test
    assert new.click == "blue" and new.scale == 2.0 and type(new.scale) is float
    assert not new.discretize and display == Display()  # a value: the old one is as it was
    picked = new.changed(picked=3, units={3: 4})
    assert picked.picked == 3 and picked.changed(picked=None).picked is None  # None: no node


@pytest.mark.parametrize(("changes", "words"), [
    ({"hidden": {"everything"}}, "cannot hide everything"),
    ({"show_test": 1}, "show_test must be True or False"),
    ({"discretize": "yes"}, "discretize must be True or False"),
    ({"click": "magenta"}, "a click on the plane does one of off, orange, blue, green, pink"),
    ({"edges": "colour"}, "edges show one of gradient, weights"),
    ({"scale": SCALES[1] + 0.1}, "scale must be between 0.5 and 3.0"),
    ({"scale": 0.1}, "scale"),
    ({"scale": math.nan}, "scale"),
    ({"scale": math.inf}, "scale"),
    ({"scale": 10**400}, "scale"),
    ({"scale": True}, "scale"),
    ({"scale": "big"}, "scale"),
    ({"colour": "red"}, "unknown display setting(s) colour"),
])
def test_a_bad_display_setting_is_refused(changes, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Display().changed(**changes)


def test_the_front_end_gets_json_and_a_file_keeps_the_plain_values():
    display = Display().changed(hidden={"errors", "curves"}, picked="hidden", units={"hidden": 2},
                                scale=1.4)
    sent = view_json(display)
    assert json.loads(json.dumps(sent)) == sent
    assert sent["hidden"] == ["curves", "errors"] and sent["units"] == [["hidden", 2]]
    assert sent["walking"] is False and sent["picked"] == "hidden"
    assert display.saved() == {"hidden": ["curves", "errors"], "show_test": True,
                               "discretize": False, "edges": "gradient", "scale": 1.4,
                               "lock": {}}
    assert set(VIEWS) == {"boundary", "curves", "gradients", "graph", "errors"}
