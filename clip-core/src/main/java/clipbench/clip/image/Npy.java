package clipbench.clip.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal NumPy {@code .npy} support for float32 arrays, so tensors can be exchanged with Python
 * ({@code numpy.load} / {@code numpy.save}) without any library.
 *
 * <p>Writes format version 1.0 exactly as {@code numpy.save} does for a C-ordered little-endian
 * float32 array: magic {@code \x93NUMPY}, version 1.0, a 2-byte little-endian header length, and
 * the header {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with
 * spaces and ended by a newline so that the data starts at a multiple of 64 bytes. Writes are
 * atomic: the file is written under a temporary name in the same directory and then renamed.
 *
 * <p>Reads versions 1.0, 2.0 and 3.0, but only {@code '<f4'} data in C order; anything else is
 * refused with a message saying what was found.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int CHUNK_FLOATS = 1 << 18;

    /** A float32 array read from an {@code .npy} file: its shape and its C-ordered values. */
    public record NpyArray(int[] shape, float[] data) {

        /** Validates that {@code data} holds exactly the product of {@code shape} values. */
        public NpyArray {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long n = elementCount(shape);
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values but data has " + data.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NpyArray other
                    && Arrays.equals(shape, other.shape)
                    && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyArray[shape=" + Arrays.toString(shape) + ", float32]";
        }
    }

    private Npy() {
    }

    /**
     * Writes {@code data} with the given shape (C order) to {@code file}, atomically. An empty
     * shape writes a 0-d array (one value).
     */
    public static void write(Path file, float[] data, int... shape) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(shape, "shape");
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values but data has " + data.length);
        }
        byte[] header = header(shape);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(CHUNK_FLOATS, Math.max(1, data.length)))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int off = 0; off < data.length; ) {
                    int len = Math.min(buf.capacity() / 4, data.length - off);
                    buf.clear();
                    buf.asFloatBuffer().put(data, off, len);
                    buf.limit(len * 4);
                    writeFully(ch, buf);
                    off += len;
                }
                ch.force(true);
            }
            clipbench.api.io.AtomicFiles.replace(tmp, target);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The complete header block (magic, version, length, padded dict text) for a shape. */
    static byte[] header(int... shape) {
        String dict = headerText(shape);
        // numpy: padlen = 64 - ((magic 8 + len field 2 + len(dict) + newline 1) % 64)
        int padlen = ALIGN - ((MAGIC.length + 2 + 2 + dict.length() + 1) % ALIGN);
        int hlen = dict.length() + padlen + 1;
        if (hlen > 0xFFFF) {
            throw new IllegalArgumentException("npy header too long for format 1.0: " + hlen);
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + hlen).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) hlen);
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < padlen; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** The header dictionary as numpy writes it, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
    static String headerText(int... shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(shape[i]);
        }
        if (shape.length == 1) {
            s.append(',');
        }
        s.append(')');
        return "{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }";
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads a float32 ({@code '<f4'}), C-ordered {@code .npy} file. */
    public static NpyArray read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate((int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, name);
            pre.flip();
            if (pre.remaining() < 10) {
                throw new IOException(name + ": not a .npy file (only " + size + " bytes)");
            }
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(name + ": not a .npy file (bad magic)");
            }
            int major = pre.get() & 0xFF;
            int minor = pre.get() & 0xFF;
            long hlen;
            int prefix;
            if (major == 1) {
                hlen = pre.getShort() & 0xFFFF;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 4) {
                    throw new IOException(name + ": truncated .npy header");
                }
                hlen = pre.getInt() & 0xFFFFFFFFL;
                prefix = 12;
            } else {
                throw new IOException(name + ": unsupported .npy version " + major + "." + minor);
            }
            if (prefix + hlen > size || hlen > (1 << 24)) {
                throw new IOException(name + ": truncated .npy header (declares " + hlen + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            ch.position(prefix);
            readFully(ch, hb, name);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int[] shape = parseHeader(header, name);
            long n = 1;
            for (int dim : shape) {
                n *= dim;
                if (n > Integer.MAX_VALUE - 8) {
                    throw new IOException(name + ": shape " + Arrays.toString(shape)
                            + " is too large for one Java array");
                }
            }
            long dataStart = prefix + hlen;
            long needed = n * 4L;
            if (size - dataStart < needed) {
                throw new IOException(name + ": truncated .npy data: shape " + Arrays.toString(shape)
                        + " needs " + needed + " bytes, file has " + (size - dataStart));
            }
            float[] data = new float[(int) n];
            ch.position(dataStart);
            ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(CHUNK_FLOATS, Math.max(1, data.length)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 0; off < data.length; ) {
                int len = Math.min(buf.capacity() / 4, data.length - off);
                buf.clear();
                buf.limit(len * 4);
                readFully(ch, buf, name);
                buf.flip();
                buf.asFloatBuffer().get(data, off, len);
                off += len;
            }
            return new NpyArray(shape, data);
        }
    }

    /** Parses the header dictionary; returns the shape or throws naming what is unsupported. */
    static int[] parseHeader(String header, String name) throws IOException {
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": malformed .npy header: " + header.strip());
        }
        String descr = d.group(1);
        if (!descr.equals("<f4")) {
            throw new IOException(name + ": unsupported dtype '" + descr
                    + "': only little-endian float32 ('<f4') is supported");
        }
        if (f.group(1).equals("True")) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported (need C order)");
        }
        String dims = s.group(1).strip();
        if (dims.isEmpty()) {
            return new int[0];
        }
        String[] parts = dims.split(",");
        int count = parts.length;
        if (parts[count - 1].isBlank()) {
            count--;
        }
        int[] shape = new int[count];
        for (int i = 0; i < count; i++) {
            String p = parts[i].strip();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            try {
                shape[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IOException(name + ": bad dimension '" + parts[i].strip() + "' in .npy shape (" + dims + ")");
            }
            if (shape[i] < 0) {
                throw new IOException(name + ": negative dimension in .npy shape (" + dims + ")");
            }
        }
        return shape;
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return n;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, String name) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(name + ": truncated .npy file");
            }
        }
    }
}
