package clipbench.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The two data files of a cache block, as bytes: {@code vectors} (rows of little-endian float32) and
 * {@code ids} (one UTF-8 line per item: {@code row<TAB>label<TAB>id} or {@code skip<TAB>id<TAB>reason}).
 */
record BlockContent(byte[] vectors, byte[] ids, int rows, int dim) {

    /** The rows, ids and skips; throws {@link IllegalArgumentException} when the two files disagree. */
    EmbeddedSplit split(EmbeddingPipeline.Timing timing, int timedImages, EmbeddedSplit.TimingSource kind) {
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        String text = new String(ids, StandardCharsets.UTF_8);
        for (String line : text.isEmpty() ? new String[0] : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue; // after the last newline
            }
            String[] f = line.split("\t", 3);
            if (f[0].equals("row") && f.length == 3) {
                labels.add(Integer.parseInt(f[1]));
                names.add(f[2]);
            } else if (f[0].equals("skip") && f.length >= 2) {
                skipped.add(f[1] + ": " + (f.length > 2 ? f[2] : ""));
            } else {
                throw new IllegalArgumentException("unreadable ids line: " + line);
            }
        }
        if (names.size() != rows || (long) rows * dim * 4 != vectors.length) {
            throw new IllegalArgumentException(names.size() + " row ids and " + vectors.length
                    + " vector bytes for " + rows + " rows of width " + dim);
        }
        float[][] out = new float[rows][dim];
        FloatBuffer floats = ByteBuffer.wrap(vectors).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (float[] row : out) {
            floats.get(row);
        }
        return new EmbeddedSplit(List.copyOf(names), labels.stream().mapToInt(Integer::intValue).toArray(), out,
                List.copyOf(skipped), timing.upsampleSeconds(), timing.backboneSeconds(), timing.totalSeconds(),
                timedImages, kind, timing.steadyImages(), timing.steadySeconds());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
