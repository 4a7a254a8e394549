package clipbench.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the header), then the raw
 * little-endian data. F32, F16 and BF16 tensors are read as float32. The header is read once; tensor data
 * is read when asked for.
 */
public final class Safetensors implements Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private record Entry(String dtype, long[] shape, long begin, long end) {
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private Safetensors(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static Safetensors open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "safetensors checkpoint not found");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer prefix = read(channel, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = prefix.getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLength
                        + " in a file of " + size + " bytes)");
            }
            String header = StandardCharsets.UTF_8.decode(read(channel, 8, (int) headerLength, file)).toString();
            JsonNode root;
            try {
                root = JSON.readTree(header);
            } catch (IOException e) {
                throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new IOException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            Map<String, Entry> entries = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("__metadata__")) {
                    continue;
                }
                entries.put(field.getKey(), entry(file, field.getKey(), field.getValue(), size - dataStart));
            }
            return new Safetensors(file, dataStart, entries);
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataLength) throws IOException {
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        String dtype = node.path("dtype").asText("");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2 || dtype.isEmpty()) {
            throw new IOException(file + ": tensor '" + name + "' needs dtype, shape and data_offsets in the header");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new IOException(file + ": tensor '" + name + "' has a bad shape " + shapeNode);
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLength) {
            throw new IOException(file + ": tensor '" + name + "' has data_offsets " + offsets
                    + " outside the " + dataLength + " data bytes");
        }
        int width = bytesPerValue(dtype);
        if (width > 0 && end - begin != count * width) {
            throw new IOException(file + ": tensor '" + name + "' (" + dtype + " " + Arrays.toString(shape)
                    + ") should take " + count * width + " bytes, data_offsets give " + (end - begin));
        }
        return new Entry(dtype, shape, begin, end);
    }

    /** Bytes per value of the float types this reader converts; 0 for any other type. */
    private static int bytesPerValue(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> 0;
        };
    }

    @Override
    public String source() {
        return file.toString();
    }

    public Path file() {
        return file;
    }

    /** The stored element types (e.g. {@code F16}): anything but F32 is widened to float32 when read. */
    public Set<String> storedTypes() {
        Set<String> types = new java.util.TreeSet<>();
        entries.values().forEach(e -> types.add(e.dtype()));
        return types;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    @Override
    public float[] floats(String name) {
        Entry e = entry(name);
        int width = bytesPerValue(e.dtype());
        if (width == 0) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' is " + e.dtype()
                    + "; only F32, F16 and BF16 tensors can be read as float");
        }
        long bytes = e.end() - e.begin();
        if (bytes / width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' is too large for one Java array");
        }
        ByteBuffer data;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            data = read(channel, dataStart + e.begin(), (int) bytes, file).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot read tensor '" + name + "'", ex);
        }
        float[] out = new float[(int) (bytes / width)];
        switch (e.dtype()) {
            case "F32" -> data.asFloatBuffer().get(out);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(data.getShort());
                }
            }
            default -> { // BF16: the upper half of a float32
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw missing(name);
        }
        return e;
    }

    /** IEEE 754 binary16 to float32 (exact: every half is a float). */
    public static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static ByteBuffer read(FileChannel channel, long position, int length, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException(file + ": truncated safetensors file (wanted " + length + " bytes at "
                        + position + ")");
            }
        }
        return buffer.flip();
    }
}
