package clipbench.protocol;

/**
 * One evaluated (backend, dataset, upsampler, protocol, head, k, seed) combination.
 *
 * @param k               shots per class, or -1 for zero-shot / every training image
 * @param seed            sampling seed, or -1 where nothing was sampled
 * @param embedSeconds    wall time spent embedding the evaluated images
 * @param upsampleSeconds time of the upsampler alone, within embedSeconds
 * @param skipped         unreadable images left out
 * @param note            why a head was skipped, or empty
 */
public record ResultRow(Provenance provenance, String protocol, String head, int k, long seed, int nTrain,
                        int nTest, double top1, double top5, double meanPerClassRecall, double embedSeconds,
                        double imagesPerSecond, double upsampleSeconds, int skipped, long trainableParams,
                        String note) {

    /** Identifies the row for resuming: a row with the same key is not computed again. */
    public String key() {
        return String.join("|", provenance.backend(), provenance.backbone(), provenance.dataset(),
                provenance.upsampler(), protocol, head, Integer.toString(k), Long.toString(seed));
    }
}
