package clipbench.upsamplers;

import clipbench.clip.image.PilResample;

/**
 * {@code nearest}: Pillow's nearest-neighbour resize (its affine sampling) to the backbone's shortest side;
 * at an integer scale every pixel becomes an s x s block.
 */
public final class NearestUpsamplerProvider extends PilFilterUpsamplerProvider {
    public NearestUpsamplerProvider() {
        super("nearest", PilResample.Filter.NEAREST);
    }
}
