"""labnet's colours, one code everywhere: the lab's page, its pictures and a walk's figures.

Two classes are TensorFlow Playground's orange (class 0) and blue (class 1); a signed value
(a score, a weight, a gradient) is blue above 0, orange below, white at 0.
"""

# TensorFlow Playground's colours: class 0 orange, class 1 blue, white on the boundary; then, for
# more classes, colours told apart with any colour vision (Okabe and Ito's green and pink first)
CLASS_COLOURS = ("#f59322", "#0877bd", "#009e73", "#cc79a7", "#b2182b", "#56b4e9", "#7570b3",
                 "#666666")
"""A colour per class (``labnet.lab.display.CLASS_NAMES`` names them)."""
BOUNDARY_STOPS = (CLASS_COLOURS[0], "#fbe2c6", "#ffffff", "#c6dff0", CLASS_COLOURS[1])
"""Diverging colour stops, from the lowest to the highest: from score 0 (class 0) to 1
(class 1) on the plane, from −limit to +limit in a heatmap (white at 0). The browser builds its
table from these."""
