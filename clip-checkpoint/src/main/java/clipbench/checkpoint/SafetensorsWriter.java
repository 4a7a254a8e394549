package clipbench.checkpoint;

import clipbench.api.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes float tensors as a safetensors file (F32, or F16 rounded to nearest even), for fixtures and tools that
 * re-lay a checkpoint. Names are written in sorted order, as {@code safetensors.torch.save_file} does.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, long[]> shapes, Map<String, float[]> values, boolean half)
            throws IOException {
        Checkpoint sorted = Checkpoint.of(file.toString(), shapes, values); // checks sizes, sorts names
        int width = half ? 2 : 4;
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (String name : sorted.names()) {
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", half ? "F16" : "F32");
            var shape = entry.putArray("shape");
            for (long d : sorted.shape(name)) {
                shape.add(d);
            }
            long bytes = (long) values.get(name).length * width;
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (String name : sorted.names()) {
            for (float v : values.get(name)) {
                if (half) {
                    out.putShort(floatToHalf(v));
                } else {
                    out.putFloat(v);
                }
            }
        }
        AtomicFiles.writeBytes(file, out.array());
    }

    /** IEEE 754 binary16 nearest to {@code value} (ties to even), as PyTorch's {@code .half()} rounds. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - e;
            int half = mantissa >> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, which is still right (up to infinity)
        }
        return (short) (sign | half);
    }
}
