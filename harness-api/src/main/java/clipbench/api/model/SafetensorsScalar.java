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
 * One scalar of a safetensors file (e.g. CLIP's trained {@code logit_scale}) for an inferred model card. The full
 * reader is clip-checkpoint's {@code Safetensors}; harness-api only needs the header (JSON) and a few bytes.
 */
final class SafetensorsScalar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsScalar() {
    }

    /** The value, or null when the file has no such one-element F32/F16/BF16 tensor. */
    static Double read(Path file, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength <= 0 || headerLength > (100L << 20) || 8 + headerLength > ch.size()) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            ch.read(header, 8);
            JsonNode entry = JSON.readTree(header.array()).path(name);
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
            ch.read(value, 8 + headerLength + begin);
            value.flip();
            return switch (dtype) {
                case "F32" -> (double) value.getFloat();
                case "BF16" -> (double) Float.intBitsToFloat((value.getShort() & 0xffff) << 16);
                default -> half(value.getShort());
            };
        }
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
