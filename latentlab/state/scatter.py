"""The latent scatter's view options."""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import evented

from latentlab.core.settings import setting

TOOLS = ("decode", "box", "lasso", "pan")
OVERLAYS = ("prior", "density", "gaussian", "ellipses", "manifold")


@evented
@dataclass
class ScatterState:
    tool: str = setting("decode", label="Tool", choices=TOOLS,
                        choice_labels=("Decode", "Box select", "Lasso", "Pan/zoom"),
                        help="What the left mouse button does in the scatter: decode the point under it, "
                             "select with a box or a lasso, or pan")
    projection: str = setting("axes", label="View", choices=("axes", "pca"),
                              choice_labels=("two latent axes", "PCA of the codes"),
                              help="For latent sizes above 2: which plane to look at. The dimensions a projection "
                                   "drops are held at the codes' mean when a click is decoded")
    axis_x: int = setting(0, label="x axis", minimum=0, maximum=511, help="The latent dimension drawn across")
    axis_y: int = setting(1, label="y axis", minimum=0, maximum=511, help="The latent dimension drawn up")
    overlays: frozenset[str] = setting(frozenset(), label="Overlays", choices=OVERLAYS,
                                       help="prior: N(0, I) at 1, 2, 3 σ; density: a KDE of the codes; gaussian: "
                                            "one Gaussian fitted to the codes; ellipses: the selection's "
                                            "posteriors; manifold: decodes tiled over the plane")
    kde_width: float = setting(1.0, label="KDE width ×", minimum=0.05, maximum=20.0,
                               help="The KDE's kernel width as a multiple of Scott's rule: small is spiky, "
                                    "large smooths the clusters away")

    focus: tuple[float, ...] | None = setting(None, label="Decoded point", kind="floats", optional=True, remember=False,
                                             help="Decode this latent point, as a click in the scatter would "
                                                  "(e.g. 0.5,-1)")

    def show(self, overlay: str, on: bool) -> None:
        self.overlays = self.overlays | {overlay} if on else self.overlays - {overlay}
