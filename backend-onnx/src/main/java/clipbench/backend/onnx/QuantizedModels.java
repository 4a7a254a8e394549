package clipbench.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import clipbench.onnx.DynamicQuantizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The int8 copy of a model file ({@link DynamicQuantizer}), kept in the {@link OptimizedModelCache} folder under
 * a key made of the source's SHA-256 and the quantiser's version: made once, checked (SHA-256) on every later
 * load, made again when the check fails.
 */
final class QuantizedModels {
    private QuantizedModels() {
    }

    /** The cached int8 model for {@code source}, made now when the cache has no valid one. */
    static Path int8(Path source, Path cacheDir) throws IOException {
        OptimizedModelCache cache = new OptimizedModelCache(cacheDir);
        OptimizedModelCache.Entry entry = cache.quantized(source, DynamicQuantizer.VERSION);
        if (cache.valid(entry)) {
            return entry.model();
        }
        if (Files.exists(entry.model())) {
            System.err.println("clipbench: int8 model " + entry.model() + " does not match its recorded SHA-256;"
                    + " quantising " + source + " again");
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(source)) {
            model = ModelProto.parseFrom(in);
        }
        DynamicQuantizer.Result q;
        try {
            q = DynamicQuantizer.quantize(model);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
        Path written = cache.temporary(entry);
        try {
            try (OutputStream out = Files.newOutputStream(written)) {
                q.model().writeTo(out);
            }
            cache.commit(entry, written);
        } finally {
            Files.deleteIfExists(written);
        }
        System.err.println("clipbench: quantised " + source + " to int8 (" + q.matMuls() + " MatMul, " + q.gemms()
                + " Gemm, " + q.convs() + " Conv) into " + entry.model());
        return entry.model();
    }
}
