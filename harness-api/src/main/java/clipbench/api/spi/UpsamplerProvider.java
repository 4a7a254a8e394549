package clipbench.api.spi;

import java.io.IOException;

/** Creates upsamplers, e.g. {@code bicubic} or {@code sr-model:DIR}. */
public interface UpsamplerProvider extends Plugin {
    /**
     * @param argument the part after {@code id:}, or an empty string
     */
    Upsampler create(String argument) throws IOException;

    /**
     * Like {@link #create(String)}, for upsamplers that run a network on a backend: they run it with
     * {@code options} (threads, device). An upsampler that holds native resources implements
     * {@link AutoCloseable}; whoever created it closes it.
     */
    default Upsampler create(String argument, BackendOptions options) throws IOException {
        return create(argument);
    }
}
