package clipbench.protocol;

/**
 * Where a result came from: enough to trace and rerun it.
 *
 * @param runId           the run this row belongs to
 * @param backend         backend id (onnx, djl, tensorflow)
 * @param runtimeVersion  runtime name and version
 * @param backbone        model name
 * @param modelSha256     hash of the artifact files the backend read
 * @param dataset         dataset name
 * @param split           evaluated split
 * @param upsampler       upsampler spec
 * @param preprocess      preprocessing description
 * @param templates       prompt template set (zero-shot)
 * @param clipbenchVersion harness version
 */
public record Provenance(String runId, String backend, String runtimeVersion, String backbone,
                         String modelSha256, String dataset, String split, String upsampler,
                         String preprocess, String templates, String clipbenchVersion) {
}
