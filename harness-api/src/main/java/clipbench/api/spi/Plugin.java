package clipbench.api.spi;

/**
 * What every provider says about itself. Providers are cheap to construct: anything heavy (native
 * libraries, model files) is loaded only when a model or dataset is opened, so listing plugins works
 * even where one runtime is broken.
 */
public interface Plugin {
    /** Short id used on the command line, e.g. {@code onnx}, {@code imagefolder}, {@code bicubic}. */
    String id();

    /** One line for {@code clipbench list}. */
    String description();
}
