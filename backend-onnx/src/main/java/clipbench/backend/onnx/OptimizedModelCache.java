package clipbench.backend.onnx;

import clipbench.api.CpuInfo;
import clipbench.api.io.AtomicFiles;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Fingerprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Optimised ONNX models that ONNX Runtime saved ({@code setOptimizedModelFilePath}), kept for later loads so
 * they skip graph optimisation. A full optimisation is specific to the runtime version and the CPU (NCHWc
 * layouts, ISA-specific fusions), so the key is the SHA-256 of the source model with the ORT version, the
 * level, the device and the CPU. Each entry is {@code KEY.onnx} plus {@code KEY.properties} holding the
 * SHA-256 of that file and what the key was made of; an entry whose file does not match (half copied,
 * edited, written by another key) is not used and is written again. Files are moved in place whole, so a
 * concurrent reader sees either no entry or a complete one.
 *
 * <p>ONNX Runtime saves the optimised model's initializers as external data in {@code KEY.onnx.data} (its own
 * copy: the source's external data, e.g. {@code visual.onnx.data} of a graph written from a checkpoint, is not
 * beside the cache; and a model above 2 GB could not be saved inline), hashed in the record like the model. The
 * source's hash covers {@code SOURCE.data} when there is one.
 */
final class OptimizedModelCache {
    /** This machine's CPU model and ISA flags, so another machine's entry is not used. */
    private static final CpuInfo CPU = CpuInfo.current();

    private final Path dir;

    OptimizedModelCache(Path dir) {
        this.dir = dir;
    }

    /** One cache slot. */
    record Entry(Path model, Path record, String description) {
        /** The external initializers ONNX Runtime writes beside the optimised model. */
        Path data() {
            return model.resolveSibling(model.getFileName() + ".data");
        }
    }

    /** The slot for {@code source} optimised at {@code level} by ORT {@code ortVersion}. */
    Entry entry(Path source, String ortVersion, String level, boolean gpu) throws IOException {
        return entry("source-sha256=" + ModelCards.sha256(withData(source)) + " ort=" + ortVersion
                + " level=" + level + " device=" + (gpu ? "cuda" : "cpu") + " arch=" + System.getProperty("os.arch")
                + " cpu=" + CPU.model() + " flags=" + CPU.flags());
    }

    /**
     * The slot for {@code source} rewritten by {@code quantizer} (a description of the rewrite and its settings):
     * the rewrite is plain ONNX, the same on every machine, so neither runtime nor CPU is part of the key.
     */
    Entry quantized(Path source, String quantizer) throws IOException {
        return entry("source-sha256=" + ModelCards.sha256(withData(source)) + " quantizer=" + quantizer);
    }

    /** The model file and, for a model with external data, its data file: both make the model. */
    private static List<Path> withData(Path source) {
        Path data = ClipOnnxWriter.dataFile(source);
        return Files.isRegularFile(data) ? List.of(source, data) : List.of(source);
    }

    private Entry entry(String description) {
        String key = Fingerprints.sha256(description).substring(0, 32);
        return new Entry(dir.resolve(key + ".onnx"), dir.resolve(key + ".properties"), description);
    }

    /** Whether the entry is complete and its model file has the recorded content and key. */
    boolean valid(Entry e) {
        if (!Files.isRegularFile(e.model()) || !Files.isRegularFile(e.record())) {
            return false;
        }
        try {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(e.record(), StandardCharsets.UTF_8)) {
                p.load(in);
            }
            String data = p.getProperty("data-sha256");
            return e.description().equals(p.getProperty("key"))
                    && ModelCards.sha256(List.of(e.model())).equals(p.getProperty("sha256"))
                    && (data == null || Files.isRegularFile(e.data())
                            && ModelCards.sha256(List.of(e.data())).equals(data));
        } catch (IOException | IllegalArgumentException ex) {
            return false;
        }
    }

    /** A fresh temporary path for ORT to write the optimised model to, in the cache folder. */
    Path temporary(Entry e) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + e.model().getFileName(), ".tmp");
        Files.delete(tmp); // ORT creates it
        return tmp;
    }

    /** Moves a written optimised model into the entry, then records its hash. */
    void commit(Entry e, Path written) throws IOException {
        String sha = ModelCards.sha256(List.of(written));
        AtomicFiles.replace(written, e.model());
        Properties p = new Properties();
        p.setProperty("key", e.description());
        p.setProperty("sha256", sha);
        if (Files.isRegularFile(e.data())) {
            p.setProperty("data-sha256", ModelCards.sha256(List.of(e.data())));
        }
        AtomicFiles.write(e.record(), out -> p.store(out, "clipbench ONNX Runtime optimised-model cache entry"));
    }
}
