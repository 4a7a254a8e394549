package clipbench.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What decides an embedding block: a change of any part makes a different key, so a stale block is
 * never reused.
 *
 * @param content what the rows are: empty for the backbone's L2-normalised embeddings; otherwise e.g. the raw
 *                activations at a fine-tuning cut ({@link #activationsAt})
 */
public record CacheKey(String backend, String runtimeVersion, String backbone, String modelSha256,
                       String dataset, String datasetFingerprint, String split, String upsampler,
                       String preprocess, Map<String, String> backendSettings, String content) {

    public CacheKey {
        backendSettings = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(backendSettings));
        content = content == null ? "" : content;
    }

    /** A key of normalised embeddings. */
    public CacheKey(String backend, String runtimeVersion, String backbone, String modelSha256, String dataset,
                    String datasetFingerprint, String split, String upsampler, String preprocess,
                    Map<String, String> backendSettings) {
        this(backend, runtimeVersion, backbone, modelSha256, dataset, datasetFingerprint, split, upsampler, preprocess,
                backendSettings, "");
    }

    /** The content of a block of raw (not normalised) activations at the cut named {@code cutName}. */
    public static String activationsAt(String cutName, int length) {
        return "raw activations at cut '" + cutName + "' (" + length + " floats per image, not normalised)";
    }

    /** A key of a backend run with its default settings. */
    public CacheKey(String backend, String runtimeVersion, String backbone, String modelSha256, String dataset,
                    String datasetFingerprint, String split, String upsampler, String preprocess) {
        this(backend, runtimeVersion, backbone, modelSha256, dataset, datasetFingerprint, split, upsampler, preprocess,
                Map.of());
    }

    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("runtime_version", runtimeVersion);
        m.put("backbone", backbone);
        m.put("model_sha256", modelSha256);
        m.put("dataset", dataset);
        m.put("dataset_fingerprint", datasetFingerprint);
        m.put("split", split);
        m.put("upsampler", upsampler);
        m.put("preprocess", preprocess);
        if (!backendSettings.isEmpty()) {
            // A setting may change the numbers (e.g. ONNX Runtime's optimisation level); absent when none is
            // given, so blocks made with the defaults keep their keys.
            m.put("backend_settings", backendSettings.toString());
        }
        if (!content.isEmpty()) {
            m.put("content", content); // absent for embeddings, so their blocks keep their keys
        }
        return m;
    }

    /** File-name-safe digest of every part. */
    public String digest() {
        return digestOf(List.of(asMap().toString()));
    }

    /** A short SHA-256 of some strings (each ended by a newline). */
    public static String digestOf(List<String> parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                md.update((part + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
