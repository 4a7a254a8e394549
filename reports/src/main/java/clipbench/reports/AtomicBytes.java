package clipbench.reports;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Binary files (PNG, SVG) written like {@link AtomicFiles}: to a temp file beside the target, then moved. */
final class AtomicBytes {
    private AtomicBytes() {
    }

    /** Something that writes bytes. */
    @FunctionalInterface
    interface WriteAction {
        void write(OutputStream out) throws IOException;
    }

    static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    static void write(Path target, WriteAction action) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                action.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies {@code source} onto {@code target} atomically. */
    static void copy(Path source, Path target) throws IOException {
        write(target, out -> Files.copy(source, out));
    }
}
