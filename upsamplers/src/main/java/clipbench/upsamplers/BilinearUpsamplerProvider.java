package clipbench.upsamplers;

import clipbench.clip.image.PilResample;

/** {@code bilinear}: PIL-exact bilinear (triangle filter) upscaling to the backbone's shortest side. */
public final class BilinearUpsamplerProvider extends PilFilterUpsamplerProvider {
    public BilinearUpsamplerProvider() {
        super("bilinear", PilResample.Filter.BILINEAR);
    }
}
