package clipbench.upsamplers;

import clipbench.clip.image.PilResample;

/** {@code bicubic}: PIL-exact bicubic upscaling to the backbone's shortest side, as CLIP preprocessing does. */
public final class BicubicUpsamplerProvider extends PilFilterUpsamplerProvider {
    public BicubicUpsamplerProvider() {
        super("bicubic", PilResample.Filter.BICUBIC);
    }
}
