package clipbench.api.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes files so that readers see the old content or the new, never half of it: everything goes to a
 * temporary file beside the target, then is moved over it. The one place every module writes results,
 * caches, model cards and exports through.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes text. */
    @FunctionalInterface
    public interface TextAction {
        void write(Writer out) throws IOException;
    }

    /** Something that writes bytes. */
    @FunctionalInterface
    public interface ByteAction {
        void write(OutputStream out) throws IOException;
    }

    /** UTF-8 text. */
    public static void write(Path target, TextAction action) throws IOException {
        atomically(target, tmp -> {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                action.write(out);
            }
        });
    }

    public static void writeBytes(Path target, ByteAction action) throws IOException {
        atomically(target, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                action.write(out);
            }
        });
    }

    private interface Fill {
        void into(Path tmp) throws IOException;
    }

    private static void atomically(Path target, Fill fill) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            fill.into(tmp);
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        writeBytes(target, out -> out.write(bytes));
    }

    /** Copies {@code source} onto {@code target} atomically. */
    public static void copy(Path source, Path target) throws IOException {
        writeBytes(target, out -> Files.copy(source, out));
    }

    /**
     * Deletes {@code root} and everything below it, deepest first; nothing when it does not exist. For the
     * temporary folders that folder-publishing code (a model directory, an import) renames into place.
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Moves a finished file over {@code target}, atomically where the file system can. */
    public static void replace(Path finished, Path target) throws IOException {
        try {
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(finished, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
