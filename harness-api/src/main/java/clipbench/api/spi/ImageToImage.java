package clipbench.api.spi;

/** An opened image-to-image network (e.g. super-resolution), run by a backend. */
public interface ImageToImage extends AutoCloseable {
    /** Runs the network on one batch; the output's size is the model's (e.g. 4x the input). */
    ImageTensor run(ImageTensor input);

    @Override
    void close();
}
