package clipbench.datasets;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The pixels of a listed image file. The item keeps the {@link Path} it was listed with, because its id cannot
 * always be resolved back to it: a name that is not valid UTF-8 has a percent-escaped id.
 */
record FileImage(Path file) implements DatasetItem.ImageSource {
    @Override
    public RgbImage read() throws IOException {
        return ImageFolderDatasetProvider.read(file);
    }
}
