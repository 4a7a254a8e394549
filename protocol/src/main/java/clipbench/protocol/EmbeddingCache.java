package clipbench.protocol;

import clipbench.api.io.AtomicFiles;

import clipbench.api.spi.DatasetItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Embeddings stored on disk, one block per {@link CacheKey}: {@code KEY.f32} (rows of little-endian
 * float32, row-major), {@code KEY.ids} (one line per processed item: {@code row<TAB>label<TAB>id} or
 * {@code skip<TAB>id<TAB>reason}) and {@code KEY.json} (the key, shape and timings). Rows are appended
 * batch by batch to {@code .partial} files, so an interrupted run resumes where it stopped; the block
 * becomes visible only when complete (the index is written last, atomically).
 */
public final class EmbeddingCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public EmbeddingCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The block for {@code key}: read from disk when complete, otherwise computed (resuming partial work)
     * with the pipeline {@code pipeline} supplies, which is only asked for on a miss.
     */
    public EmbeddedSplit getOrCompute(CacheKey key, List<DatasetItem> items,
                                      java.util.function.Supplier<EmbeddingPipeline> pipeline,
                                      ProgressListener progress) throws IOException {
        Files.createDirectories(dir);
        String name = key.digest();
        Path index = dir.resolve(name + ".json");
        if (Files.isRegularFile(index)) {
            return read(index, name);
        }
        Path vectors = dir.resolve(name + ".f32.partial");
        Path lines = dir.resolve(name + ".ids.partial");
        int done = resumePoint(vectors, lines);
        int dim;
        EmbeddingPipeline.Timing timing;
        try (OutputStream vout = new java.io.BufferedOutputStream(Files.newOutputStream(vectors,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
             BufferedWriter iout = Files.newBufferedWriter(lines, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            DataOutputStream data = new DataOutputStream(vout);
            int[] width = {-1};
            timing = pipeline.get().embed(items.subList(done, items.size()), new EmbeddingPipeline.Output() {
                @Override
                public void rows(List<DatasetItem> batch, float[][] rows) throws IOException {
                    ByteBuffer buf = ByteBuffer.allocate(rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float[] row : rows) {
                        for (float v : row) {
                            buf.putFloat(v);
                        }
                    }
                    data.write(buf.array());
                    data.flush();
                    width[0] = rows[0].length;
                    // Vectors first, then their ids: a crash leaves at most vectors without ids, which resume drops.
                    for (DatasetItem item : batch) {
                        iout.write("row\t" + item.label() + "\t" + clean(item.id()) + "\n");
                    }
                    iout.flush();
                }

                @Override
                public void skipped(DatasetItem item, String reason) throws IOException {
                    iout.write("skip\t" + clean(item.id()) + "\t" + clean(String.valueOf(reason)) + "\n");
                    iout.flush();
                }
            }, progress);
            dim = width[0];
        }
        EmbeddedSplit partial = readParts(vectors, lines, dim);
        ObjectNode json = JSON.createObjectNode();
        key.asMap().forEach(json::put);
        json.put("rows", partial.size());
        json.put("dim", partial.size() == 0 ? 0 : partial.embeddings()[0].length);
        json.put("resumed_from_item", done);
        json.put("upsample_seconds", timing.upsampleSeconds());
        json.put("backbone_seconds", timing.backboneSeconds());
        json.put("total_seconds", timing.totalSeconds());
        AtomicFiles.replace(vectors, dir.resolve(name + ".f32"));
        AtomicFiles.replace(lines, dir.resolve(name + ".ids"));
        AtomicFiles.write(index, out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out, json));
        return new EmbeddedSplit(partial.ids(), partial.labels(), partial.embeddings(), partial.skipped(),
                timing.upsampleSeconds(), timing.backboneSeconds(), timing.totalSeconds(), false);
    }

    private EmbeddedSplit read(Path index, String name) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new IOException(index + ": corrupt cache index (delete it to recompute): " + e.getMessage(), e);
        }
        EmbeddedSplit parts = readParts(dir.resolve(name + ".f32"), dir.resolve(name + ".ids"), json.path("dim").asInt());
        if (parts.size() != json.path("rows").asInt()) {
            throw new IOException(index + ": cache block has " + parts.size() + " rows, index says "
                    + json.path("rows").asInt() + " (delete it to recompute)");
        }
        return new EmbeddedSplit(parts.ids(), parts.labels(), parts.embeddings(), parts.skipped(),
                json.path("upsample_seconds").asDouble(), json.path("backbone_seconds").asDouble(),
                json.path("total_seconds").asDouble(), true);
    }

    /**
     * How many items a partial block already covers. Trims vectors that have no id line (a crash between
     * the two writes) so both files agree.
     */
    private static int resumePoint(Path vectors, Path lines) throws IOException {
        if (!Files.exists(lines) || !Files.exists(vectors)) {
            Files.deleteIfExists(vectors);
            Files.deleteIfExists(lines);
            return 0;
        }
        List<String> all = Files.readAllLines(lines, StandardCharsets.UTF_8);
        long rows = all.stream().filter(l -> l.startsWith("row\t")).count();
        long bytes = Files.size(vectors);
        if (rows == 0) {
            Files.write(vectors, new byte[0]);
            return all.size();
        }
        long perRow = bytes / rows;
        if (perRow == 0 || perRow % 4 != 0) {
            // Cannot tell the row width: start the block again.
            Files.deleteIfExists(vectors);
            Files.deleteIfExists(lines);
            return 0;
        }
        try (var ch = java.nio.channels.FileChannel.open(vectors, StandardOpenOption.WRITE)) {
            ch.truncate(rows * perRow);
        }
        return all.size();
    }

    private static EmbeddedSplit readParts(Path vectors, Path lines, int dim) throws IOException {
        List<String> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String line : Files.readAllLines(lines, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 3);
            if (f[0].equals("row")) {
                labels.add(Integer.parseInt(f[1]));
                ids.add(f[2]);
            } else {
                skipped.add(f[1] + ": " + (f.length > 2 ? f[2] : ""));
            }
        }
        float[][] rows = new float[ids.size()][dim];
        if (!ids.isEmpty()) {
            long expected = (long) ids.size() * dim * 4;
            if (Files.size(vectors) < expected) {
                throw new IOException(vectors + ": has " + Files.size(vectors) + " bytes, expected " + expected);
            }
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(vectors))) {
                byte[] rowBytes = new byte[dim * 4];
                for (float[] row : rows) {
                    if (in.readNBytes(rowBytes, 0, rowBytes.length) != rowBytes.length) {
                        throw new IOException(vectors + ": truncated");
                    }
                    ByteBuffer.wrap(rowBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(row);
                }
            }
        }
        return new EmbeddedSplit(List.copyOf(ids), labels.stream().mapToInt(Integer::intValue).toArray(), rows,
                List.copyOf(skipped), 0, 0, 0, false);
    }

    /** Every cache block on disk (for {@code clipbench cache list}-style tools and tests). */
    public Set<String> blocks() throws IOException {
        Set<String> out = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                        .forEach(n -> out.add(n.substring(0, n.length() - 5)));
            }
        }
        return out;
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
