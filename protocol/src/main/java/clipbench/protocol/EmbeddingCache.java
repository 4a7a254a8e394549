package clipbench.protocol;

import clipbench.api.io.AtomicFiles;
import clipbench.api.spi.DatasetItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Embeddings stored on disk, one block per {@link CacheKey}: {@code KEY.f32} (rows of little-endian
 * float32, row-major), {@code KEY.ids} (one line per processed item: {@code row<TAB>label<TAB>id} or
 * {@code skip<TAB>id<TAB>reason}) and {@code KEY.json} (the key, shape, SHA-256 of both files and timings).
 *
 * <p>Safe to share between processes: a block is computed only by the holder of its lock
 * ({@code KEY.lock}); another process wanting it waits and then reads it. Work in progress goes to
 * {@code KEY.partial} (see {@link PartialLog}), so a killed run resumes where it stopped. A block is
 * committed by atomic renames, the index last; every read checks sizes and checksums, and a damaged block
 * is reported and computed again, never used.
 */
public final class EmbeddingCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Version of the block layout; blocks of another one are computed again. */
    private static final int FORMAT = 2;

    private final Path dir;
    private final CrashPoint crash;

    public EmbeddingCache(Path dir) {
        this(dir, CrashPoint.NONE);
    }

    /** With a hook between write steps, for crash tests. */
    EmbeddingCache(Path dir, CrashPoint crash) {
        this.dir = dir;
        this.crash = crash;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The block for {@code key}: read from disk when complete and intact, otherwise computed (resuming
     * partial work) with the pipeline {@code pipeline} supplies, which is only asked for on a miss.
     */
    public EmbeddedSplit getOrCompute(CacheKey key, List<DatasetItem> items, Supplier<EmbeddingPipeline> pipeline,
                                      ProgressListener progress) throws IOException {
        Files.createDirectories(dir);
        String name = key.digest();
        Path partial = dir.resolve(name + ".partial");
        // No lock for a complete block: the checksums catch a block being replaced under us.
        if (!Files.exists(partial)) {
            try {
                return read(key, name);
            } catch (Damaged unchecked) {
                // checked again under the lock, where it is reported
            }
        }
        try (BlockLock lock = BlockLock.acquire(dir.resolve(name + ".lock"),
                () -> progress.warn("cache block " + name + " is being computed by another run; waiting for it"))) {
            try {
                EmbeddedSplit done = read(key, name);
                Files.deleteIfExists(partial); // left by a run killed after its commit
                return done;
            } catch (Damaged d) {
                if (d.present) {
                    progress.warn("cache block " + name + " (" + key.split() + ") is damaged: " + d.getMessage()
                            + "; computing it again");
                    Files.deleteIfExists(index(name));
                }
            }
            return compute(key, name, partial, items, pipeline, progress);
        }
    }

    /** Computes the block (resuming {@code partial}) and commits it; the caller holds the block's lock. */
    private EmbeddedSplit compute(CacheKey key, String name, Path partial, List<DatasetItem> items,
                                  Supplier<EmbeddingPipeline> pipeline, ProgressListener progress)
            throws IOException {
        // Files of the layout before the partial log (vectors and ids appended separately).
        Files.deleteIfExists(dir.resolve(name + ".f32.partial"));
        Files.deleteIfExists(dir.resolve(name + ".ids.partial"));
        BlockContent content;
        int resumedFrom;
        int rowsBefore;
        EmbeddingPipeline.Timing timing = EmbeddingPipeline.Timing.NONE;
        try (PartialLog log = PartialLog.open(partial, items, crash, progress::warn)) {
            resumedFrom = log.items();
            rowsBefore = log.rows();
            if (resumedFrom < items.size()) {
                timing = pipeline.get().embed(items.subList(resumedFrom, items.size()), log, progress);
                log.finish();
            }
            content = log.content();
        }
        int timed = content.rows() - rowsBefore;
        EmbeddedSplit.TimingSource source = resumedFrom == 0 ? EmbeddedSplit.TimingSource.FRESH
                : EmbeddedSplit.TimingSource.PARTIAL;
        EmbeddedSplit split = content.split(timing, timed, source);

        ObjectNode json = JSON.createObjectNode();
        key.asMap().forEach(json::put);
        json.put("format", FORMAT);
        json.put("rows", content.rows());
        json.put("dim", content.dim());
        json.put("vectors_sha256", BlockContent.sha256(content.vectors()));
        json.put("ids_sha256", BlockContent.sha256(content.ids()));
        json.put("resumed_from_item", resumedFrom);
        json.put("timing", source.label());
        json.put("timed_images", timed);
        json.put("upsample_seconds", timing.upsampleSeconds());
        json.put("backbone_seconds", timing.backboneSeconds());
        json.put("total_seconds", timing.totalSeconds());
        json.put("steady_images", timing.steadyImages());
        json.put("steady_seconds", timing.steadySeconds());
        AtomicFiles.writeBytes(dir.resolve(name + ".f32"), content.vectors());
        crash.reached("vectors committed");
        AtomicFiles.writeBytes(dir.resolve(name + ".ids"), content.ids());
        crash.reached("ids committed");
        AtomicFiles.writeBytes(index(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        crash.reached("index committed");
        Files.deleteIfExists(partial);
        crash.reached("partial deleted");
        return split;
    }

    /** The committed block, checked against its index; {@link Damaged} when absent or not intact. */
    private EmbeddedSplit read(CacheKey key, String name) throws IOException, Damaged {
        Path index = index(name);
        if (!Files.isRegularFile(index)) {
            throw new Damaged(false, "no index");
        }
        JsonNode json;
        try {
            json = JSON.readTree(Files.readAllBytes(index));
        } catch (IOException e) {
            throw new Damaged(true, "unreadable index (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (json.path("format").asInt() != FORMAT) {
            throw new Damaged(true, "written without checksums by an older clipbench");
        }
        for (Map.Entry<String, String> part : key.asMap().entrySet()) {
            if (!part.getValue().equals(json.path(part.getKey()).asText(null))) {
                throw new Damaged(true, "index is for another " + part.getKey());
            }
        }
        byte[] vectors = bytes(dir.resolve(name + ".f32"));
        byte[] ids = bytes(dir.resolve(name + ".ids"));
        int rows = json.path("rows").asInt();
        int dim = json.path("dim").asInt();
        if (vectors.length != (long) rows * dim * 4) {
            throw new Damaged(true, "vectors file has " + vectors.length + " bytes, the index says " + rows
                    + " rows of " + dim);
        }
        if (!BlockContent.sha256(vectors).equals(json.path("vectors_sha256").asText())) {
            throw new Damaged(true, "vectors file does not match its checksum");
        }
        if (!BlockContent.sha256(ids).equals(json.path("ids_sha256").asText())) {
            throw new Damaged(true, "ids file does not match its checksum");
        }
        // steady_* are absent (0) in indexes written before them: the cold figure is used, the format is the same.
        EmbeddingPipeline.Timing timing = new EmbeddingPipeline.Timing(json.path("upsample_seconds").asDouble(),
                json.path("backbone_seconds").asDouble(), json.path("total_seconds").asDouble(),
                json.path("steady_images").asInt(), json.path("steady_seconds").asDouble());
        try {
            return new BlockContent(vectors, ids, rows, dim).split(timing, json.path("timed_images").asInt(),
                    EmbeddedSplit.TimingSource.CACHED);
        } catch (IllegalArgumentException e) {
            throw new Damaged(true, e.getMessage());
        }
    }

    private static byte[] bytes(Path file) throws Damaged, IOException {
        if (!Files.isRegularFile(file)) {
            throw new Damaged(true, file.getFileName() + " is missing");
        }
        return Files.readAllBytes(file);
    }

    private Path index(String name) {
        return dir.resolve(name + ".json");
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

    /** Why a committed block cannot be used; {@code present} when there was something to report. */
    private static final class Damaged extends Exception {
        final boolean present;

        Damaged(boolean present, String message) {
            super(message, null, false, false);
            this.present = present;
        }
    }
}
