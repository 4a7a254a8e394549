package clipbench.clip.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    /** {@code numpy.save(f, numpy.arange(6, dtype='<f4').reshape(2, 3) / 4)} with NumPy 2.4. */
    private static final String NUMPY_2x3 =
            "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20"
            + "46616c73652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020202020202020200a00000000"
            + "0000803e0000003f0000403f0000803f0000a03f";
    /** {@code numpy.save(f, numpy.arange(5, dtype='<f4'))}. */
    private static final String NUMPY_5 =
            "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20"
            + "46616c73652c20277368617065273a2028352c292c207d202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020202020202020200a00000000"
            + "0000803f000000400000404000008040";
    /** {@code numpy.save(f, numpy.float32(2.5))}. */
    private static final String NUMPY_SCALAR =
            "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20"
            + "46616c73652c20277368617065273a2028292c207d2020202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020202020202020200a00002040";

    @Test
    void headerTextIsNumpys() {
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Npy.headerText(2, 3));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", Npy.headerText(5));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", Npy.headerText());
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3, 224, 224), }",
                Npy.headerText(4, 3, 224, 224));
    }

    @Test
    void writtenFileHasPaddedHeader() throws IOException {
        Path f = dir.resolve("a.npy");
        Npy.write(f, new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, 2, 3);
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6]);
        assertEquals(0, b[7]);
        int hlen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
        assertEquals(0, (10 + hlen) % 64, "data must start on a 64-byte boundary");
        String header = new String(b, 10, hlen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals("", header.substring(59, hlen - 1).strip(), "padding is spaces");
        assertEquals(10 + hlen + 24, b.length);
    }

    @Test
    void bytesAreIdenticalToNumpySave() throws IOException {
        Path a = dir.resolve("a.npy");
        Npy.write(a, new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, 2, 3);
        assertEquals(NUMPY_2x3, HexFormat.of().formatHex(Files.readAllBytes(a)));
        Path b = dir.resolve("b.npy");
        Npy.write(b, new float[] {0f, 1f, 2f, 3f, 4f}, 5);
        assertEquals(NUMPY_5, HexFormat.of().formatHex(Files.readAllBytes(b)));
        Path c = dir.resolve("c.npy");
        Npy.write(c, new float[] {2.5f});
        assertEquals(NUMPY_SCALAR, HexFormat.of().formatHex(Files.readAllBytes(c)));
    }

    @Test
    void readsNumpyFiles() throws IOException {
        Path a = dir.resolve("np.npy");
        Files.write(a, HexFormat.of().parseHex(NUMPY_2x3));
        Npy.NpyArray arr = Npy.read(a);
        assertArrayEquals(new int[] {2, 3}, arr.shape());
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, arr.data());
        Files.write(a, HexFormat.of().parseHex(NUMPY_SCALAR));
        Npy.NpyArray scalar = Npy.read(a);
        assertArrayEquals(new int[0], scalar.shape());
        assertArrayEquals(new float[] {2.5f}, scalar.data());
    }

    @Test
    void roundTrip() throws IOException {
        float[] data = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i) * 1e3f;
        }
        data[0] = Float.NaN;
        data[1] = Float.NEGATIVE_INFINITY;
        data[2] = -0f;
        data[3] = Float.MIN_VALUE;
        Path f = dir.resolve("sub/../rt.npy");
        Files.createDirectories(dir.resolve("sub"));
        Npy.write(f, data, 2, 3, 5, 7);
        Npy.NpyArray back = Npy.read(f);
        assertArrayEquals(new int[] {2, 3, 5, 7}, back.shape());
        assertEquals(data.length, back.data().length);
        for (int i = 0; i < data.length; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back.data()[i]), "index " + i);
        }
        assertEquals(new Npy.NpyArray(new int[] {2, 3, 5, 7}, data), back);
    }

    @Test
    void largeArrayCrossesChunkBoundaries() throws IOException {
        float[] data = new float[(1 << 18) * 2 + 17];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Path f = dir.resolve("big.npy");
        Npy.write(f, data, data.length);
        assertArrayEquals(data, Npy.read(f).data());
    }

    @Test
    void emptyArrayRoundTrips() throws IOException {
        Path f = dir.resolve("empty.npy");
        Npy.write(f, new float[0], 0, 3);
        Npy.NpyArray back = Npy.read(f);
        assertArrayEquals(new int[] {0, 3}, back.shape());
        assertEquals(0, back.data().length);
    }

    @Test
    void writeIsAtomicAndReplaces() throws IOException {
        Path f = dir.resolve("x.npy");
        Files.writeString(f, "old content");
        Npy.write(f, new float[] {1f, 2f}, 2);
        assertArrayEquals(new float[] {1f, 2f}, Npy.read(f).data());
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertEquals(List.of(f), files, "no temporary file may be left behind");
        }
    }

    @Test
    void failedWriteLeavesNothing() throws IOException {
        Path f = dir.resolve("y.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.write(f, new float[5], 2, 3));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void refusesOtherDtypesWithClearErrors() throws IOException {
        Path f = dir.resolve("f8.npy");
        Files.write(f, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16));
        IOException e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("'<f8'") && e.getMessage().contains("float32"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());

        Files.write(f, npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8));
        e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("'>f4'"), e.getMessage());

        Files.write(f, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24));
        e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());

        Files.write(f, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20));
        e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.writeString(f, "not numpy at all");
        e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("not a .npy"), e.getMessage());
    }

    @Test
    void validatesShape() {
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("z.npy"), new float[6], 2, -3));
        assertThrows(IllegalArgumentException.class, () -> new Npy.NpyArray(new int[] {2}, new float[3]));
    }

    /** A version 1.0 file with the given header text (padded like numpy) and {@code dataBytes} zero bytes. */
    private static byte[] npy(String dict, int dataBytes) {
        int padlen = 64 - ((10 + dict.length() + 1) % 64);
        int hlen = dict.length() + padlen + 1;
        byte[] out = new byte[10 + hlen + dataBytes];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) hlen, (byte) (hlen >> 8)};
        System.arraycopy(magic, 0, out, 0, 10);
        byte[] text = (dict + " ".repeat(padlen) + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, 10, text.length);
        Arrays.fill(out, 10 + hlen, out.length, (byte) 0);
        return out;
    }
}
