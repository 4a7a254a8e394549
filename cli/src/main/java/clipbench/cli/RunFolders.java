package clipbench.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks on the folders a run writes, made before any work so their errors name the setting, the path and why. */
final class RunFolders {
    private RunFolders() {
    }

    /**
     * {@code --out} can be made: it is a folder or does not exist yet, and its nearest existing parent is a
     * writable folder. Creates nothing (the run directory itself checks emptiness when it opens).
     */
    static void checkOut(Path out) throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new IOException("--out " + out + ": is a file, not a folder");
            }
            return;
        }
        Path parent = abs.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new IOException("--out " + out + ": cannot create the run folder: " + parent
                    + (parent != null && Files.exists(parent) && !Files.isDirectory(parent) ? " is a file"
                    : " is not a writable folder"));
        }
    }

    /** Creates {@code dir} and proves it writable with a probe file; errors name the setting and the path. */
    static void requireWritable(String setting, Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".clipbench-probe", ".tmp"));
        } catch (IOException e) {
            throw cannotCreate(setting, dir, e);
        }
    }

    /** An error saying which setting's folder could not be made, at which path, and why. */
    static IOException cannotCreate(String setting, Path dir, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "a parent folder does not exist or accepts no new folders"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage();
        String where = e instanceof FileSystemException f && f.getFile() != null && !Path.of(f.getFile()).equals(dir)
                ? " (at " + f.getFile() + ")" : "";
        return new IOException(setting + " " + dir + ": cannot create or write this folder: " + why + where, e);
    }
}
