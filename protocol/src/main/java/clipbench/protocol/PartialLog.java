package clipbench.protocol;

import clipbench.api.spi.DatasetItem;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The resumable state of a block being computed ({@code KEY.partial}): one record per batch (the items
 * skipped while it filled, then row count, row width, labels, ids, vectors), each behind a header with its
 * length and CRC32C, covering the next consecutive items of the split.
 * A kill mid-write leaves a torn last record, which {@link #open} cuts off, so the rows of a resumed block
 * always match their ids. Only the holder of the block's {@link BlockLock} touches it.
 */
final class PartialLog implements EmbeddingPipeline.Output, AutoCloseable {
    private static final int MAGIC = 0x43425232; // "CBR2"
    private static final int HEADER = 12;

    private final FileChannel channel;
    private final CrashPoint crash;
    private final ByteArrayOutputStream vectors = new ByteArrayOutputStream();
    private final StringBuilder ids = new StringBuilder();
    private final List<String[]> pendingSkips = new ArrayList<>();
    private int items;
    private int rows;
    private int dim = -1;

    private PartialLog(FileChannel channel, CrashPoint crash) {
        this.channel = channel;
        this.crash = crash;
    }

    /**
     * Opens the log for appending after the records already there that are whole and describe a prefix of
     * {@code expected}; a torn tail is cut, and a log that disagrees with {@code expected} is started over
     * (both with a warning).
     */
    static PartialLog open(Path file, List<DatasetItem> expected, CrashPoint crash, Consumer<String> warn)
            throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            PartialLog log = new PartialLog(channel, crash);
            byte[] all = Files.readAllBytes(file);
            int end = log.replay(all, expected, file, warn);
            if (end < all.length) {
                channel.truncate(end);
            }
            channel.position(end);
            return log;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Replays whole records into memory; returns the offset after the last good one. */
    private int replay(byte[] all, List<DatasetItem> expected, Path file, Consumer<String> warn) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(all);
        while (in.remaining() > 0) {
            int start = in.position();
            byte[] payload = whole(in);
            if (payload == null) {
                warn.accept(file + ": cut " + (all.length - start) + " bytes of an interrupted write");
                return start;
            }
            String wrong;
            try {
                wrong = apply(payload, expected);
            } catch (IOException | RuntimeException e) {
                wrong = "unreadable record (" + e.getMessage() + ")";
            }
            if (wrong != null) {
                warn.accept(file + ": " + wrong + "; computing the block again");
                vectors.reset();
                ids.setLength(0);
                items = 0;
                rows = 0;
                dim = -1;
                return 0;
            }
        }
        return all.length;
    }

    /** The payload of the next record, or null if it is torn or damaged. */
    private static byte[] whole(ByteBuffer in) {
        if (in.remaining() < HEADER || in.getInt() != MAGIC) {
            return null;
        }
        int length = in.getInt();
        int crc = in.getInt();
        if (length < 0 || length > in.remaining()) {
            return null;
        }
        byte[] payload = new byte[length];
        in.get(payload);
        return crc(payload) == crc ? payload : null;
    }

    /** Adds a record to the in-memory block; returns why it does not fit, or null. */
    private String apply(byte[] payload, List<DatasetItem> expected) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        int nSkips = in.readInt();
        List<String[]> skips = new ArrayList<>();
        for (int i = 0; i < nSkips; i++) {
            skips.add(new String[] {string(in), string(in)});
        }
        int n = in.readInt();
        int width = in.readInt();
        if (n > 0 && dim != -1 && width != dim) {
            return "rows of width " + width + " after rows of width " + dim;
        }
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = in.readInt();
            names[i] = string(in);
        }
        String wrong = coversNext(expected, skips, names);
        if (wrong != null) {
            return wrong;
        }
        byte[] floats = in.readNBytes(n * width * 4);
        if (floats.length != n * width * 4) {
            return "a batch record holds fewer vector bytes than it says";
        }
        skips.forEach(s -> addSkip(s[0], s[1]));
        addRows(labels, names, width, floats);
        return null;
    }

    /** Null when the record's items are exactly the next items of the split, rows in order; else why not. */
    private String coversNext(List<DatasetItem> expected, List<String[]> skips, String[] rowIds) {
        int count = skips.size() + rowIds.length;
        if (items + count > expected.size()) {
            return "more items than the split has";
        }
        List<String> rest = new ArrayList<>(expected.subList(items, items + count).stream().map(DatasetItem::id)
                .toList());
        for (String[] skip : skips) {
            if (!rest.remove(skip[0])) {
                return "skipped item " + skip[0] + " is not among items " + items + ".." + (items + count - 1);
            }
        }
        return rest.equals(List.of(rowIds)) ? null
                : "rows " + List.of(rowIds) + " are not items " + items + ".." + (items + count - 1) + " in order";
    }

    @Override
    public void rows(List<DatasetItem> batch, float[][] out) throws IOException {
        int width = out[0].length;
        ByteBuffer floats = ByteBuffer.allocate(out.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : out) {
            for (float v : row) {
                floats.putFloat(v);
            }
        }
        int[] labels = batch.stream().mapToInt(DatasetItem::label).toArray();
        String[] names = batch.stream().map(DatasetItem::id).toArray(String[]::new);
        write(labels, names, width, floats.array());
    }

    /**
     * Held until the batch being filled is written: the pipeline reports an unreadable item before the
     * rows of earlier items still in its batch, and a record must cover consecutive items.
     */
    @Override
    public void skipped(DatasetItem item, String reason) {
        pendingSkips.add(new String[] {item.id(), String.valueOf(reason)});
    }

    /** Writes skips reported after the last batch. */
    void finish() throws IOException {
        if (!pendingSkips.isEmpty()) {
            write(new int[0], new String[0], 0, new byte[0]);
        }
    }

    /** One record: the pending skips, then a batch of rows. */
    private void write(int[] labels, String[] names, int width, byte[] floats) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.writeInt(pendingSkips.size());
        for (String[] skip : pendingSkips) {
            string(data, skip[0]);
            string(data, skip[1]);
        }
        data.writeInt(labels.length);
        data.writeInt(width);
        for (int i = 0; i < labels.length; i++) {
            data.writeInt(labels[i]);
            string(data, names[i]);
        }
        data.write(floats);
        append(bytes.toByteArray());
        pendingSkips.forEach(s -> addSkip(s[0], s[1]));
        pendingSkips.clear();
        addRows(labels, names, width, floats);
        crash.reached("record up to item " + items);
    }

    /** One record, written with a single call so that a kill tears at most this record. */
    private void append(byte[] payload) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
        record.putInt(MAGIC).putInt(payload.length).putInt(crc(payload)).put(payload).flip();
        while (record.hasRemaining()) {
            channel.write(record);
        }
    }

    private void addRows(int[] labels, String[] names, int width, byte[] floats) {
        if (labels.length == 0) {
            return;
        }
        for (int i = 0; i < labels.length; i++) {
            ids.append("row\t").append(labels[i]).append('\t').append(clean(names[i])).append('\n');
        }
        vectors.writeBytes(floats);
        dim = width;
        rows += labels.length;
        items += labels.length;
    }

    private void addSkip(String id, String reason) {
        ids.append("skip\t").append(clean(id)).append('\t').append(clean(reason)).append('\n');
        items++;
    }

    /** Rows so far. */
    int rows() {
        return rows;
    }

    /** Items covered so far (rows and skips). */
    int items() {
        return items;
    }

    /** The block's files as they will be committed: little-endian float32 rows, and one line per item. */
    BlockContent content() {
        return new BlockContent(vectors.toByteArray(), ids.toString().getBytes(StandardCharsets.UTF_8), rows,
                Math.max(dim, 0));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static int crc(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int n = in.readInt();
        byte[] b = in.readNBytes(n);
        if (n < 0 || b.length != n) {
            throw new IOException("string of " + n + " bytes cut short");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
