package clipbench.keras;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The few pieces of the protocol-buffers wire format that {@link OnnxExport} needs: varints, tags,
 * length-delimited fields and little-endian floats, appended to a growable buffer. Messages are written
 * into their own writer and embedded with {@link #message}; the large float payloads of weights are
 * written straight into the buffer ({@link #floatsField}), so a model is copied once, not per nesting level.
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private byte[] buf;
    private int size;

    ProtoWriter() {
        this(64);
    }

    ProtoWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    int size() {
        return size;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size);
    }

    private void ensure(long extra) {
        long need = size + extra;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("protobuf message over 2 GiB (" + need + " bytes)");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2L * buf.length)));
        }
    }

    /** Unsigned base-128 varint; negative int64 values take ten bytes, as protobuf encodes them. */
    void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    void int64Field(int field, long v) {
        tag(field, VARINT);
        varint(v);
    }

    void floatField(int field, float v) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(v);
        ensure(4);
        for (int k = 0; k < 4; k++) {
            buf[size++] = (byte) (bits >>> (8 * k));
        }
    }

    void bytesField(int field, byte[] bytes) {
        tag(field, LEN);
        varint(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    void stringField(int field, String s) {
        bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    void message(int field, ProtoWriter m) {
        tag(field, LEN);
        varint(m.size);
        ensure(m.size);
        System.arraycopy(m.buf, 0, buf, size, m.size);
        size += m.size;
    }

    /** Appends the bytes of another writer as they are (already complete fields). */
    void append(ProtoWriter m) {
        ensure(m.size);
        System.arraycopy(m.buf, 0, buf, size, m.size);
        size += m.size;
    }

    /** A length-delimited field holding {@code data} as little-endian float32 (ONNX {@code raw_data}). */
    void floatsField(int field, float[] data) {
        tag(field, LEN);
        varint(4L * data.length);
        ensure(4L * data.length);
        for (float f : data) {
            int bits = Float.floatToRawIntBits(f);
            buf[size++] = (byte) bits;
            buf[size++] = (byte) (bits >>> 8);
            buf[size++] = (byte) (bits >>> 16);
            buf[size++] = (byte) (bits >>> 24);
        }
    }

    /** Size of {@link #floatsField} for {@code n} floats. */
    static long floatsFieldSize(int field, int n) {
        return varintSize(((long) field << 3) | LEN) + varintSize(4L * n) + 4L * n;
    }

    /** A length-delimited field holding {@code data} as little-endian int64. */
    void longsRawField(int field, long[] data) {
        tag(field, LEN);
        varint(8L * data.length);
        ensure(8L * data.length);
        for (long v : data) {
            for (int k = 0; k < 8; k++) {
                buf[size++] = (byte) (v >>> (8 * k));
            }
        }
    }
}
