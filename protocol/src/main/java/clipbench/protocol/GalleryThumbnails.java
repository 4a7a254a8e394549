package clipbench.protocol;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Upsampler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The thumbnails a report's prediction galleries draw from, for one dataset and upsampler: a bounded,
 * deterministic set of test images ({@link #CANDIDATES}, classes in turn) stored through the run's sink as
 * the backbone's transform received them. Images are caught on their way through the
 * {@link EmbeddingPipeline} ({@link #tap()}); those that did not pass (embeddings read from the cache) are
 * made again from the dataset and the upsampler by {@link #fill}, without the backbone. {@link #fill} also
 * stores the first {@link #ORIGINALS} candidates as the dataset gave them ({@link ThumbnailKey#original}), once
 * per dataset: the report's example strip sets them beside each upsampler's output.
 */
final class GalleryThumbnails {
    /** Test images kept per dataset and upsampler: twice a gallery, so it can show right and wrong ones. */
    static final int CANDIDATES = 48;
    /** Candidates also kept before any upsampler: a strip shows a few, and some may be unreadable. */
    static final int ORIGINALS = 8;

    private final Runner.Sink sink;
    private final String dataset;
    private final String upsampler;
    private final Map<String, DatasetItem> candidates = new TreeMap<>();
    private final List<DatasetItem> originals;

    GalleryThumbnails(Runner.Sink sink, String dataset, String upsampler, List<DatasetItem> testItems,
                      List<String> classNames) {
        this.sink = sink;
        this.dataset = dataset;
        this.upsampler = upsampler;
        List<DatasetItem> picked = candidates(testItems, classNames, CANDIDATES);
        picked.forEach(i -> candidates.put(i.id(), i));
        originals = picked.subList(0, Math.min(ORIGINALS, picked.size()));
    }

    /**
     * Up to {@code n} items, one class after another in turn (classes by name, items by id within a class),
     * so that many classes show; independent of the order of {@code items}.
     */
    static List<DatasetItem> candidates(List<DatasetItem> items, List<String> classNames, int n) {
        Map<String, List<DatasetItem>> byClass = new TreeMap<>();
        for (DatasetItem i : items) {
            byClass.computeIfAbsent(classNames.get(i.label()), k -> new ArrayList<>()).add(i);
        }
        byClass.values().forEach(l -> l.sort(Comparator.comparing(DatasetItem::id)));
        List<DatasetItem> out = new ArrayList<>();
        int limit = Math.min(n, items.size());
        for (int round = 0; out.size() < limit; round++) {
            for (List<DatasetItem> l : byClass.values()) {
                if (round < l.size() && out.size() < limit) {
                    out.add(l.get(round));
                }
            }
        }
        return out;
    }

    /** Stores each candidate that passes through a pipeline and is not stored yet. */
    EmbeddingPipeline.InputTap tap() {
        return (item, image) -> {
            if (candidates.containsKey(item.id())) {
                store(key(item), image);
            }
        };
    }

    /**
     * Makes the candidates still missing (their images did not pass a pipeline), and the originals not stored
     * yet; unreadable ones are left out.
     */
    void fill(Upsampler upsampler, int shortestSide) throws IOException {
        for (DatasetItem item : candidates.values()) {
            make(key(item), item, image -> upsampler.upsample(image, shortestSide));
        }
        for (DatasetItem item : originals) {
            make(ThumbnailKey.original(dataset, item.id()), item, UnaryOperator.identity());
        }
    }

    /** Stores {@code from} of the item's image under {@code key} unless it is there; an unreadable item is left out. */
    private void make(ThumbnailKey key, DatasetItem item, UnaryOperator<RgbImage> from) throws IOException {
        if (sink.hasThumbnail(key)) {
            return;
        }
        RgbImage image;
        try {
            image = item.load();
        } catch (IOException | RuntimeException e) {
            return; // the embedding pass already reported it as skipped
        }
        sink.thumbnail(key, from.apply(image));
    }

    private void store(ThumbnailKey key, RgbImage image) throws IOException {
        if (!sink.hasThumbnail(key)) {
            sink.thumbnail(key, image);
        }
    }

    private ThumbnailKey key(DatasetItem item) {
        return new ThumbnailKey(dataset, upsampler, item.id());
    }
}
