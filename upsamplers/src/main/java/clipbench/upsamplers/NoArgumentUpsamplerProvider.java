package clipbench.upsamplers;

import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import java.util.Objects;

/**
 * Base of the upsamplers that take no argument ({@code none}, the PIL filters): id, description, and the
 * refusal of an argument. A subclass says only what upsampler it makes.
 */
public abstract class NoArgumentUpsamplerProvider implements UpsamplerProvider {
    private final String id;
    private final String description;

    protected NoArgumentUpsamplerProvider(String id, String description) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }

    /**
     * @param argument must be empty: these upsamplers take no options
     * @throws IllegalArgumentException for any other argument
     */
    @Override
    public final Upsampler create(String argument) {
        if (argument != null && !argument.isBlank()) {
            throw new IllegalArgumentException("upsampler " + id + ": takes no argument, got '" + argument + "'");
        }
        return create();
    }

    /** The upsampler (a new one each call). */
    protected abstract Upsampler create();
}
