package clipbench.protocol;

import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Fingerprints;
import clipbench.api.spi.ForwardingDataset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Any dataset with every image resized to exactly {@code n x n} first ({@code --downscale N}), simulating
 * low-resolution data: e.g. {@code imagefolder:photos} downscaled to 100 behaves like Fruits-360's 100 x 100
 * images.
 *
 * <ul>
 *   <li>Pixels: {@link PilResample#resize} with {@link PilResample.Filter#BICUBIC}, i.e. PIL's
 *       {@code img.resize((n, n), Image.BICUBIC)} (antialiased when shrinking). The aspect ratio is not kept: a
 *       non-square image is squeezed to the square, as Fruits-360's own 100 x 100 images were made. An image
 *       already {@code n x n} is returned as a copy; a smaller one is enlarged to {@code n x n} (every image of the
 *       wrapped dataset has the same size afterwards).</li>
 *   <li>{@link #name()}: the wrapped name plus {@code @n}, e.g. {@code imagefolder:photos@100}.</li>
 *   <li>{@link #fingerprint()}: SHA-256 of the wrapped fingerprint, {@code n} and the filter, so embedding caches
 *       of different sizes never mix.</li>
 *   <li>{@link #nativeResolution()}: {@code n}.</li>
 *   <li>Splits, classes and warnings are the wrapped dataset's; items keep their ids and labels, and a load
 *       error is the wrapped item's (it names the file).</li>
 * </ul>
 */
public final class DownscaledDataset extends ForwardingDataset {
    private final int size;
    private final Map<String, List<DatasetItem>> items = new ConcurrentHashMap<>();

    public DownscaledDataset(Dataset inner, int size) {
        super(inner);
        if (size <= 0) {
            throw new IllegalArgumentException("downscale: size must be positive, got " + size);
        }
        this.size = size;
    }

    /** {@code dataset} with every image resized to {@code size x size}; see the class comment. */
    public static Dataset downscale(Dataset dataset, int size) {
        return new DownscaledDataset(dataset, size);
    }

    /** The side every image is resized to. */
    public int size() {
        return size;
    }

    /** One image resized as this dataset does. */
    public static RgbImage resize(RgbImage image, int size) {
        return PilResample.resize(image, size, size, PilResample.Filter.BICUBIC);
    }

    @Override
    public String name() {
        return inner().name() + "@" + size;
    }

    @Override
    public List<DatasetItem> items(String split) {
        return items.computeIfAbsent(split, s -> inner().items(s).stream()
                .map(item -> new DatasetItem(item.id(), item.label(), () -> resize(item.load(), size)))
                .toList());
    }

    @Override
    public String fingerprint() {
        return Fingerprints.sha256(inner().fingerprint() + "\ndownscale " + size + " bicubic\n");
    }

    @Override
    public OptionalInt nativeResolution() {
        return OptionalInt.of(size);
    }
}
