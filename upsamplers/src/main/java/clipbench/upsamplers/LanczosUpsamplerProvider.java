package clipbench.upsamplers;

import clipbench.clip.image.PilResample;

/** {@code lanczos}: PIL-exact Lanczos-3 upscaling to the backbone's shortest side. */
public final class LanczosUpsamplerProvider extends PilFilterUpsamplerProvider {
    public LanczosUpsamplerProvider() {
        super("lanczos", PilResample.Filter.LANCZOS);
    }
}
