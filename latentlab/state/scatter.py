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
    projection: str = setting("axes", label="View", choices=("axes", "pca", "umap", "tsne"),
                              choice_labels=("two latent axes", "PCA of the codes", "UMAP of the codes",
                                             "t-SNE of the codes"),
                              help="For latent sizes above 2: which plane to look at. Axes and PCA hold the "
                                   "dimensions they drop at the codes' mean when a click is decoded; UMAP decodes "
                                   "through its inverse_transform, t-SNE through the nearest projected codes "
                                   "(both computed in the background, kept per model and data)")
    axis_x: int = setting(0, label="x axis", minimum=0, maximum=511, help="The latent dimension drawn across")
    axis_y: int = setting(1, label="y axis", minimum=0, maximum=511, help="The latent dimension drawn up")
    overlays: frozenset[str] = setting(frozenset(), label="Overlays", choices=OVERLAYS,
                                       help="prior: N(0, I) at 1, 2, 3 σ; density: a KDE of the codes; gaussian: "
                                            "one Gaussian fitted to the codes; ellipses: the selection's "
                                            "posteriors; manifold: decodes tiled over the plane")
    kde_width: float = setting(1.0, label="KDE width ×", minimum=0.05, maximum=20.0,
                               help="The KDE's kernel width as a multiple of Scott's rule: small is spiky, "
                                    "large smooths the clusters away")

    colour_by: str = setting("label", label="Colour by", remember=False,
                             help="What the points' colour shows: label, a metadata column (a true factor of "
                                  "generated data), a latent dimension (z0, z1, ...), reconstruction error (recon), "
                                  "KL to the prior (kl) or ELBO (elbo); the choices depend on the data and the model")
    gallery_size: int = setting(56, label="Thumbnail size", minimum=20, maximum=160, unit="pixels",
                                help="How large the selection gallery's thumbnails are (the gallery scrolls)")

    sprites: bool = setting(False, label="Thumbnails",
                            help="Draw examples' images at their codes: where they would crowd, one per "
                                 "thumbnail-sized square of the screen (the example nearest its centre), points "
                                 "elsewhere; zoom in to see more")
    sprite_size: int = setting(28, label="Thumbnail size in the scatter", minimum=8, maximum=96, unit="pixels",
                               help="How large the thumbnails in the scatter are on the screen, at any zoom")
    sprite_opacity: float = setting(1.0, label="Thumbnail opacity", minimum=0.1, maximum=1.0,
                                    help="How opaque the thumbnails in the scatter are: lower shows the points "
                                         "and overlays beneath")

    focus: tuple[float, ...] | None = setting(None, label="Decoded point", kind="floats", optional=True, remember=False,
                                             help="Decode this latent point, as a click in the scatter would "
                                                  "(e.g. 0.5,-1)")

    def show(self, overlay: str, on: bool) -> None:
        self.overlays = self.overlays | {overlay} if on else self.overlays - {overlay}
