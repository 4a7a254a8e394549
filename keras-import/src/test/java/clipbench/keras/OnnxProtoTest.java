package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The protobuf wire format written by {@link ProtoWriter}, byte by byte (values from the protobuf encoding guide). */
class OnnxProtoTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void varints() {
        ProtoWriter w = new ProtoWriter();
        w.int64Field(1, 150);
        assertArrayEquals(bytes(0x08, 0x96, 0x01), w.toByteArray());
        w = new ProtoWriter();
        w.varint(300);
        w.varint(0);
        assertArrayEquals(bytes(0xAC, 0x02, 0x00), w.toByteArray());
        w = new ProtoWriter();
        w.varint(-1); // int64 -1: ten bytes
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), w.toByteArray());
        assertEquals(10, ProtoWriter.varintSize(-1));
        assertEquals(2, ProtoWriter.varintSize(300));
    }

    @Test
    void stringsMessagesAndFloats() {
        ProtoWriter w = new ProtoWriter();
        w.stringField(2, "testing");
        assertArrayEquals(bytes(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'), w.toByteArray());
        ProtoWriter outer = new ProtoWriter();
        outer.message(3, w);
        assertArrayEquals(bytes(0x1A, 0x09, 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'), outer.toByteArray());
        ProtoWriter f = new ProtoWriter();
        f.floatField(2, 1f); // fixed32 little-endian 0x3F800000
        assertArrayEquals(bytes(0x15, 0x00, 0x00, 0x80, 0x3F), f.toByteArray());
        ProtoWriter raw = new ProtoWriter();
        raw.floatsField(9, new float[] {1f, -2f});
        assertArrayEquals(bytes(0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0), raw.toByteArray());
        assertEquals(raw.size(), ProtoWriter.floatsFieldSize(9, 2));
    }

    @Test
    void growsPastItsInitialCapacity() {
        ProtoWriter w = new ProtoWriter(16);
        float[] big = new float[100_000];
        big[99_999] = 3f;
        w.floatsField(9, big);
        assertEquals(ProtoWriter.floatsFieldSize(9, big.length), w.size());
        byte[] b = w.toByteArray();
        assertEquals(0x40, b[b.length - 2] & 0xFF); // 3f = 0x40400000, little-endian
    }
}
