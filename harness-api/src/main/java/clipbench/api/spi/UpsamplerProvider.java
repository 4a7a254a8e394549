package clipbench.api.spi;

import java.io.IOException;

/** Creates upsamplers, e.g. {@code bicubic} or {@code sr-model:DIR}. */
public interface UpsamplerProvider extends Plugin {
    /**
     * @param argument the part after {@code id:}, or an empty string
     */
    Upsampler create(String argument) throws IOException;
}
