package clipbench.protocol.bench;

import clipbench.api.spi.Backbone;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Upsampler;
import clipbench.protocol.EmbeddedSplit;
import clipbench.protocol.EmbeddingPipeline;
import clipbench.protocol.ProgressListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embeddings of a fixed sample of real test images, made by one bench child, so the parent can compare a
 * reduced-precision case with the fp32 case of the same backend, batch and threads ({@link Agreement}).
 *
 * @param ids    item ids, in embedding order
 * @param labels their classes
 * @param rows   their embeddings as the backbone returned them
 */
public record AgreementSample(List<String> ids, int[] labels, float[][] rows) {
    public AgreementSample {
        if (ids.size() != labels.length || ids.size() != rows.length) {
            throw new IllegalArgumentException("agreement sample: " + ids.size() + " ids, " + labels.length
                    + " labels, " + rows.length + " rows");
        }
        ids = List.copyOf(ids);
    }

    /** Up to {@code n} items, the classes in turn (each class's items in dataset order): deterministic. */
    public static List<DatasetItem> select(List<DatasetItem> items, int n) {
        Map<Integer, List<DatasetItem>> byClass = new LinkedHashMap<>();
        items.forEach(i -> byClass.computeIfAbsent(i.label(), k -> new ArrayList<>()).add(i));
        List<DatasetItem> out = new ArrayList<>();
        for (int round = 0; out.size() < Math.min(n, items.size()); round++) {
            for (List<DatasetItem> c : byClass.values()) {
                if (round < c.size() && out.size() < n) {
                    out.add(c.get(round));
                }
            }
        }
        return out;
    }

    /** Embeds {@code items} through the same pipeline as {@code run} (batches of {@code batch}). */
    static AgreementSample embed(Backbone backbone, Upsampler upsampler, int batch, List<DatasetItem> items) {
        EmbeddedSplit split = new EmbeddingPipeline(backbone, upsampler, batch).embed(items, ProgressListener.NONE);
        return new AgreementSample(split.ids(), split.labels().length == split.ids().size() ? split.labels()
                : java.util.Arrays.copyOf(split.labels(), split.ids().size()), split.embeddings());
    }
}
