package clipbench.protocol;

import java.util.List;

/**
 * L2-normalised embeddings of the readable items of one split, with what it cost.
 *
 * @param ids             item ids, row-aligned with {@code embeddings}
 * @param labels          true labels, row-aligned
 * @param embeddings      normalised rows
 * @param skipped         items that could not be read, each "id: reason"
 * @param upsampleSeconds time spent in the upsampler alone
 * @param backboneSeconds time spent in the backbone alone
 * @param totalSeconds    wall time for the whole split (decode, upsample, transform, backbone)
 * @param cached          true when the rows came from the embedding cache (timings are those of the
 *                        run that computed them)
 */
public record EmbeddedSplit(List<String> ids, int[] labels, float[][] embeddings, List<String> skipped,
                            double upsampleSeconds, double backboneSeconds, double totalSeconds,
                            boolean cached) {
    public int size() {
        return ids.size();
    }

    public double imagesPerSecond() {
        return totalSeconds > 0 ? size() / totalSeconds : 0;
    }

    /** Row index of each id. */
    public java.util.Map<String, Integer> indexById() {
        java.util.Map<String, Integer> index = new java.util.HashMap<>(ids.size() * 2);
        for (int i = 0; i < ids.size(); i++) {
            index.put(ids.get(i), i);
        }
        return index;
    }
}
