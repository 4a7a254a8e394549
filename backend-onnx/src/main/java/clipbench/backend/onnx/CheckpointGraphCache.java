package clipbench.backend.onnx;

import clipbench.api.io.AtomicFiles;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Fingerprints;
import clipbench.checkpoint.ClipCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * ONNX graphs written by {@link ClipOnnxWriter} from a safetensors checkpoint, once per checkpoint, kept for later
 * loads (the pattern of {@link OptimizedModelCache}). The key is the SHA-256 of the checkpoint files, the writer's
 * {@link ClipOnnxWriter#VERSION} and the architecture (which holds the card's overrides: heads, activation,
 * end-of-text id). Each entry is a folder {@code KEY/} with {@code visual.onnx}, {@code textual.onnx} (when the
 * checkpoint has a text tower), their {@code .data} files and {@code entry.properties} holding the key and the
 * SHA-256 of every file. The folder is written beside its place and moved in with one rename, so a reader sees no
 * entry or a whole one; writers take {@code KEY.lock} (a file lock for other processes, a lock per key within the
 * JVM), so concurrent opens write once. An entry whose files do not match their hashes is written again.
 */
final class CheckpointGraphCache {
    static final String IMAGE_FILE = "visual.onnx";
    static final String TEXT_FILE = "textual.onnx";
    static final String RECORD = "entry.properties";
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();
    /** Entries written by this JVM (tests check that a valid entry is not written again). */
    private static final AtomicInteger WRITTEN = new AtomicInteger();

    private final Path dir;

    CheckpointGraphCache(Path dir) {
        this.dir = dir;
    }

    /** The written towers: {@code text} is null when the checkpoint has none. */
    record Graphs(Path image, Path text) {
    }

    /** The graphs of {@code ckpt}, written now unless a valid entry exists. */
    Graphs graphs(ClipCheckpoint ckpt) throws IOException {
        String description = "checkpoint-sha256=" + ModelCards.sha256(ckpt.files()) + " writer="
                + ClipOnnxWriter.VERSION + " architecture=" + ckpt.architecture();
        Path entry = dir.resolve(Fingerprints.sha256(description).substring(0, 32));
        if (!valid(entry, description)) {
            Files.createDirectories(dir);
            ReentrantLock jvm = IN_JVM.computeIfAbsent(entry.toAbsolutePath().normalize(),
                    k -> new ReentrantLock());
            jvm.lock();
            try (FileChannel lockFile = FileChannel.open(entry.resolveSibling(entry.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (!valid(entry, description)) { // another process may have written it meanwhile
                    write(ckpt, entry, description);
                }
            } finally {
                jvm.unlock();
            }
        }
        Path text = entry.resolve(TEXT_FILE);
        return new Graphs(entry.resolve(IMAGE_FILE), Files.isRegularFile(text) ? text : null);
    }

    /** Whether the entry is whole: its record has this key and every file it lists has its recorded hash. */
    static boolean valid(Path entry, String description) {
        Path record = entry.resolve(RECORD);
        if (!Files.isRegularFile(record)) {
            return false;
        }
        try {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            if (!description.equals(p.getProperty("key")) || p.getProperty("files") == null) {
                return false;
            }
            for (String file : p.getProperty("files").split(",")) {
                Path f = entry.resolve(file);
                if (!Files.isRegularFile(f) || !ModelCards.sha256(List.of(f)).equals(p.getProperty("sha256." + file))) {
                    return false;
                }
            }
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private void write(ClipCheckpoint ckpt, Path entry, String description) throws IOException {
        long start = System.nanoTime();
        Path tmp = Files.createTempDirectory(dir, "." + entry.getFileName() + "-");
        try {
            String doc = "CLIP written by clipbench from " + description;
            List<Path> files = new ArrayList<>();
            ClipOnnxWriter.writeImage(ckpt.weights(), ckpt.architecture(), tmp.resolve(IMAGE_FILE), doc);
            files.add(tmp.resolve(IMAGE_FILE));
            if (ckpt.architecture().text() != null) {
                ClipOnnxWriter.writeText(ckpt.weights(), ckpt.architecture(), tmp.resolve(TEXT_FILE), doc);
                files.add(tmp.resolve(TEXT_FILE));
            }
            Properties p = new Properties();
            p.setProperty("key", description);
            List<String> names = new ArrayList<>();
            for (Path model : files) {
                for (Path f : List.of(model, ClipOnnxWriter.dataFile(model))) {
                    names.add(f.getFileName().toString());
                    p.setProperty("sha256." + f.getFileName(), ModelCards.sha256(List.of(f)));
                }
            }
            p.setProperty("files", String.join(",", names));
            AtomicFiles.write(tmp.resolve(RECORD), out -> p.store(out, "clipbench ONNX from a checkpoint"));
            if (Files.exists(entry)) { // damaged or of another writer: moved aside, then removed
                Path old = Files.createTempDirectory(dir, "." + entry.getFileName() + "-old-");
                Files.move(entry, old.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            }
            Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
            WRITTEN.incrementAndGet();
            System.err.printf("clipbench: wrote ONNX graphs for %s to %s (%.1f s)%n",
                    ckpt.files().get(0).getFileName(), entry, (System.nanoTime() - start) / 1e9);
        } finally {
            deleteTree(tmp);
        }
    }

    static int written() {
        return WRITTEN.get();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
