package clipbench.protocol.align;

/** One image–caption pair: row {@code image} of the image embeddings with row {@code caption} of the captions'. */
public record Pair(int image, int caption) {
    public Pair {
        if (image < 0 || caption < 0) {
            throw new IllegalArgumentException("pair rows must be >= 0, got image " + image + ", caption " + caption);
        }
    }
}
