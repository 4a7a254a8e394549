package clipbench.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a model card needs of a safetensors file: one scalar (CLIP's trained {@code logit_scale}) and the stored
 * element types. The full reader is clip-checkpoint's {@code Safetensors}; harness-api only needs the header (JSON)
 * and a few bytes.
 */
final class SafetensorsHeader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsHeader() {
    }

    /** The element types of the tensors (e.g. {@code F16}), sorted. */
    static java.util.SortedSet<String> storedTypes(Path file) throws IOException {
        java.util.SortedSet<String> types = new java.util.TreeSet<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            header(ch, file).fields().forEachRemaining(e -> {
                if (!e.getKey().equals("__metadata__")) {
                    types.add(e.getValue().path("dtype").asText("?"));
                }
            });
        }
        return types;
    }

    private static JsonNode header(FileChannel ch, Path file) throws IOException {
        long headerLength = readLength(ch);
        if (headerLength <= 0 || headerLength > (100L << 20) || 8 + headerLength > ch.size()) {
            throw new IOException(file + ": not a safetensors file (header length " + headerLength + ")");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        ch.read(header, 8);
        try {
            return JSON.readTree(header.array());
        } catch (IOException e) {
            throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The value, or null when the file has no such one-element F32/F16/BF16 tensor. */
    static Double scalar(Path file, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            JsonNode entry = header(ch, file).path(name);
            long dataStart = 8 + readLength(ch);
            String dtype = entry.path("dtype").asText("");
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> 0;
            };
            long begin = entry.path("data_offsets").path(0).asLong(-1);
            if (width == 0 || begin < 0 || entry.path("data_offsets").path(1).asLong() - begin != width) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(value, dataStart + begin);
            value.flip();
            return switch (dtype) {
                case "F32" -> (double) value.getFloat();
                case "BF16" -> (double) Float.intBitsToFloat((value.getShort() & 0xffff) << 16);
                default -> half(value.getShort());
            };
        }
    }

    private static long readLength(FileChannel ch) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(len, 0);
        return len.flip().getLong();
    }

    /** IEEE binary16 (Java 17 has no Float.float16ToFloat). */
    private static double half(short bits) {
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
                : exponent == 0x1f ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
        return bits < 0 ? -magnitude : magnitude;
    }
}
