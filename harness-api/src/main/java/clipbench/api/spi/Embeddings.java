package clipbench.api.spi;

/** Checks every backend applies to what its runtime returned. */
public final class Embeddings {
    private Embeddings() {
    }

    /**
     * Returns {@code rows} when every row has {@code dim} values; otherwise fails naming {@code source} (the
     * model file and output), so a model that changed shape mid-run cannot corrupt results silently.
     */
    public static float[][] requireWidth(float[][] rows, int dim, String source) {
        for (float[] row : rows) {
            if (row.length != dim) {
                throw new IllegalStateException(source + " has " + row.length + " values per row, expected " + dim);
            }
        }
        return rows;
    }
}
