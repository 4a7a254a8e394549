package clipbench.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import clipbench.onnx.DynamicQuantizer;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
            model = inlineExternalData(ModelProto.parseFrom(in), source);
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

    /**
     * The model with every external initializer (a graph written from a checkpoint keeps its weights in
     * {@code MODEL.data}) read into the protobuf, so the quantiser sees the weights; the int8 model is
     * self-contained (a quarter of the float size; under protobuf's 2 GB for any CLIP up to ViT-L/14). Each
     * tensor's {@code location} is read beside the model, as ONNX's external-data convention says.
     */
    private static ModelProto inlineExternalData(ModelProto model, Path source) throws IOException {
        ModelProto.Builder b = model.toBuilder();
        for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            String location = null;
            long offset = 0;
            long length = -1;
            for (var e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            }
            if (location == null || length < 0 || length > Integer.MAX_VALUE) {
                throw new IOException(source + ": initializer " + t.getName() + " has no usable external location"
                        + " or length");
            }
            Path file = source.resolveSibling(location);
            ByteBuffer bytes = ByteBuffer.allocate((int) length);
            try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ)) {
                while (bytes.hasRemaining()) {
                    if (data.read(bytes, offset + bytes.position()) < 0) {
                        throw new IOException(file + ": truncated at initializer " + t.getName());
                    }
                }
            }
            t.setRawData(ByteString.copyFrom(bytes.flip())).clearExternalData()
                    .setDataLocation(TensorProto.DataLocation.DEFAULT);
        }
        return b.build();
    }
}
