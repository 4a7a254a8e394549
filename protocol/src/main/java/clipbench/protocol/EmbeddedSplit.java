package clipbench.protocol;

import java.util.List;
import java.util.Locale;

/**
 * L2-normalised embeddings of the readable items of one split, with what it cost.
 *
 * @param ids             item ids, row-aligned with {@code embeddings}
 * @param labels          true labels, row-aligned
 * @param embeddings      normalised rows
 * @param skipped         items that could not be read, each "id: reason"
 * @param upsampleSeconds time spent in the upsampler alone, over the timed images
 * @param backboneSeconds time spent in the backbone alone, over the timed images
 * @param totalSeconds    wall time of the timed images (decode, upsample, transform, backbone)
 * @param timedImages     rows the seconds cover: all of them when embedded in one go, fewer when a
 *                        block was resumed (the interrupted part's time is unknown)
 * @param timingSource    where the seconds come from
 * @param steadyImages    of the timed images, those embedded after the first backbone call returned (0 when
 *                        there was one batch, or the cache index predates the field)
 * @param steadySeconds   wall time from the end of the first backbone call to the end of the embedding
 */
public record EmbeddedSplit(List<String> ids, int[] labels, float[][] embeddings, List<String> skipped,
                            double upsampleSeconds, double backboneSeconds, double totalSeconds,
                            int timedImages, TimingSource timingSource, int steadyImages, double steadySeconds) {

    /** Without a steady-state measurement: {@link #imagesPerSecond} is over every timed image. */
    public EmbeddedSplit(List<String> ids, int[] labels, float[][] embeddings, List<String> skipped,
                         double upsampleSeconds, double backboneSeconds, double totalSeconds, int timedImages,
                         TimingSource timingSource) {
        this(ids, labels, embeddings, skipped, upsampleSeconds, backboneSeconds, totalSeconds, timedImages,
                timingSource, 0, 0);
    }

    /** Whether the seconds are a measurement of this run, and over which rows. */
    public enum TimingSource {
        /** Every row was embedded by this run. */
        FRESH,
        /** This run resumed a block: the seconds cover only the rows it embedded ({@code timedImages}). */
        PARTIAL,
        /** The rows came from the cache; the seconds are those the run that made the block measured. */
        CACHED;

        /** As written in results.csv. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Every row embedded now, in one go. */
    public static EmbeddedSplit fresh(List<String> ids, int[] labels, float[][] embeddings, List<String> skipped,
                                      EmbeddingPipeline.Timing timing) {
        return new EmbeddedSplit(ids, labels, embeddings, skipped, timing.upsampleSeconds(),
                timing.backboneSeconds(), timing.totalSeconds(), ids.size(), TimingSource.FRESH,
                timing.steadyImages(), timing.steadySeconds());
    }

    public int size() {
        return ids.size();
    }

    /** True when the rows came from the embedding cache. */
    public boolean cached() {
        return timingSource == TimingSource.CACHED;
    }

    /**
     * Throughput: in the steady state (images after the first batch over the time after the first backbone
     * call) when there were two batches or more, so model warm-up and the first batch's wait for its images are
     * left out; otherwise over every timed image (see {@link #steady}).
     */
    public double imagesPerSecond() {
        if (steady()) {
            return steadyImages / steadySeconds;
        }
        return totalSeconds > 0 ? timedImages / totalSeconds : 0;
    }

    /** Whether {@link #imagesPerSecond} is the steady-state figure, not the cold one over every timed image. */
    public boolean steady() {
        return steadyImages > 0 && steadySeconds > 0;
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
