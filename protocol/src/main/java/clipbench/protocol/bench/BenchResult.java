package clipbench.protocol.bench;

import java.util.List;

/**
 * What one child measured for one {@link BenchCase}. Times in milliseconds, rates in images per second.
 *
 * @param modelLoadMs          opening the backbone (reading and preparing the model)
 * @param firstBatchMs         the first call after loading (one-off initialisation included)
 * @param repeatImagesPerSecond synthetic-input throughput of each timed repeat (warm-up excluded)
 * @param batchLatenciesMs     every timed backbone call of every repeat
 * @param pipelineImagesPerSecond whole-path throughput of each repeat (dataset mode), else empty
 * @param peakRssMb            the child's VmHWM (peak resident set) at the end
 * @param javaHeapMb           sum of the heap pools' peak use (an upper bound of the peak heap)
 * @param runtimeVersion       the backend runtime's name and version
 * @param modelSha256          hash of the artifact files the backend read
 * @param imageSize            input height and width
 * @param skippedImages        dataset images the pipeline could not read (not counted in its rate)
 * @param jvmOptions           the child's -X options (heap, direct memory: they change peak RSS), or ""
 * @param agreement            embeddings of the real-image sample compared across precisions, or null
 */
public record BenchResult(double modelLoadMs, double firstBatchMs, List<Double> repeatImagesPerSecond,
                          List<Double> batchLatenciesMs, List<Double> pipelineImagesPerSecond, double peakRssMb,
                          double javaHeapMb, String runtimeVersion, String modelSha256, int imageSize,
                          int skippedImages, String jvmOptions, AgreementSample agreement) {
    public BenchResult {
        repeatImagesPerSecond = List.copyOf(repeatImagesPerSecond);
        batchLatenciesMs = List.copyOf(batchLatenciesMs);
        pipelineImagesPerSecond = List.copyOf(pipelineImagesPerSecond);
    }
}
