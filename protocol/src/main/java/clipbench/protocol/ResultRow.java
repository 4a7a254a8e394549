package clipbench.protocol;

import java.util.Map;
import java.util.TreeMap;

/**
 * One evaluated (backend, dataset, upsampler, protocol, head, k, seed) combination.
 *
 * @param k               shots per class; 0 for zero-shot; {@link Shots#ALL} for every training image
 * @param seed            sampling seed, or -1 where nothing was sampled
 * @param embedSeconds    wall time spent embedding the test split
 * @param upsampleSeconds time of the upsampler alone, within embedSeconds
 * @param fitSeconds      time spent fitting the head
 * @param kEffective      the smallest number of shots a class really had (0 for zero-shot); see {@code note}
 * @param skipped         unreadable test images left out
 * @param trainSkipped    unreadable training images among those the row's draw picked
 * @param datasetWarnings files the dataset skipped while listing (zero-byte, unknown extension, empty
 *                        class folder, ...), each reported with its path when the run started
 * @param selected        hyper-parameters the head chose (e.g. {@code l2})
 * @param cached          test embeddings came from the cache (timings are those of the run that made them)
 * @param timing          where embedSeconds and imagesPerSecond come from: measured by this run over every
 *                        test image, over the part a resumed run embedded, or read from the cache
 * @param timedImages     test images embedSeconds covers
 * @param imagesPerSecond the steady-state rate over the {@code steadyImages} after the first batch when there
 *                        were two batches or more; otherwise over the {@code timedImages}, first batch included
 * @param steadyImages    images imagesPerSecond covers when it is the steady-state rate; 0 when it is not
 * @param note            why a head was skipped, or how the row falls short of its k (see {@link ShotUse}), or empty
 * @param training        what part of the tower trained ({@code finetune}), epochs run and peak memory
 */
public record ResultRow(Provenance provenance, String protocol, String head, int k, long seed, int nTrain,
                        int kEffective, int nTest, double top1, double top5, double meanPerClassRecall, double embedSeconds,
                        double imagesPerSecond, double upsampleSeconds, double fitSeconds, int skipped,
                        int trainSkipped, int datasetWarnings, long trainableParams, Map<String, String> selected,
                        boolean cached, EmbeddedSplit.TimingSource timing, int timedImages, int steadyImages,
                        String note, Training training) {

    public ResultRow {
        selected = new TreeMap<>(selected);
    }

    /**
     * The fine-tuning columns.
     *
     * @param finetune  the mode ({@code head}, {@code last:2}, ...; see {@code FineTuneMode}); empty for zero-shot
     * @param epochs    epochs run (0 where no backbone weight trained)
     * @param peakRssMb the process's peak resident memory after the fit (Linux VmHWM), NaN where not measured
     */
    public record Training(String finetune, int epochs, double peakRssMb) {
        public static final Training NONE = new Training("", 0, Double.NaN);
        public static final Training HEAD = new Training("head", 0, Double.NaN);
    }

    /** A row of a frozen-feature head with its steady-state rate. */
    public ResultRow(Provenance provenance, String protocol, String head, int k, long seed, int nTrain,
                     int kEffective, int nTest, double top1, double top5, double meanPerClassRecall,
                     double embedSeconds, double imagesPerSecond, double upsampleSeconds, double fitSeconds,
                     int skipped, int trainSkipped, int datasetWarnings, long trainableParams,
                     Map<String, String> selected, boolean cached, EmbeddedSplit.TimingSource timing,
                     int timedImages, int steadyImages, String note) {
        this(provenance, protocol, head, k, seed, nTrain, kEffective, nTest, top1, top5, meanPerClassRecall,
                embedSeconds, imagesPerSecond, upsampleSeconds, fitSeconds, skipped, trainSkipped, datasetWarnings,
                trainableParams, selected, cached, timing, timedImages, steadyImages, note, Training.NONE);
    }

    /** A row whose imagesPerSecond is over every timed image (no steady-state figure). */
    public ResultRow(Provenance provenance, String protocol, String head, int k, long seed, int nTrain,
                     int kEffective, int nTest, double top1, double top5, double meanPerClassRecall,
                     double embedSeconds, double imagesPerSecond, double upsampleSeconds, double fitSeconds,
                     int skipped, int trainSkipped, int datasetWarnings, long trainableParams,
                     Map<String, String> selected, boolean cached, EmbeddedSplit.TimingSource timing,
                     int timedImages, String note) {
        this(provenance, protocol, head, k, seed, nTrain, kEffective, nTest, top1, top5, meanPerClassRecall,
                embedSeconds, imagesPerSecond, upsampleSeconds, fitSeconds, skipped, trainSkipped, datasetWarnings,
                trainableParams, selected, cached, timing, timedImages, 0, note);
    }

    /** Identifies the row for resuming: a row with the same key is not computed again. */
    public String key() {
        return key(provenance.backend(), provenance.backbone(), provenance.dataset(), provenance.upsampler(),
                protocol, head, Shots.label(k), Long.toString(seed), training.finetune());
    }

    /**
     * The key of a row with its fine-tuning mode: the mode joins the key unless it is empty or {@code head}, so
     * rows of runs before fine-tuning keep their keys.
     */
    public static String key(String backend, String backbone, String dataset, String upsampler, String protocol,
                             String head, String k, String seed, String finetune) {
        String base = key(backend, backbone, dataset, upsampler, protocol, head, k, seed);
        return finetune == null || finetune.isEmpty() || finetune.equals("head") ? base : base + "|" + finetune;
    }

    /** The one definition of a row key, shared with readers of results.csv. */
    public static String key(String backend, String backbone, String dataset, String upsampler, String protocol,
                             String head, String k, String seed) {
        return String.join("|", backend, backbone, dataset, upsampler, protocol, head, k, seed);
    }
}
