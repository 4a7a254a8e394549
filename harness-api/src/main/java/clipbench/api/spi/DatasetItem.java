package clipbench.api.spi;

import clipbench.api.image.RgbImage;
import java.io.IOException;

/**
 * One image of a dataset: its id (a path relative to the dataset root), its label and a way to read
 * its pixels on demand.
 */
public record DatasetItem(String id, int label, ImageSource source) {
    /** Reads pixels lazily; the IOException names the file. */
    @FunctionalInterface
    public interface ImageSource {
        RgbImage read() throws IOException;
    }

    public RgbImage load() throws IOException {
        return source.read();
    }
}
