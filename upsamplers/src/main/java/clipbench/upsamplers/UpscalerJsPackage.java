package clipbench.upsamplers;

import clipbench.api.io.AtomicFiles;
import clipbench.api.model.ModelCards;
import clipbench.keras.TfjsModelDirectory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * An installed UpscalerJS ESRGAN package ({@code @upscalerjs/esrgan-slim|medium|thick}) and its {@code models/x<N>}
 * imported once as image-to-image model directories.
 *
 * <p>Found where {@code tools/install-test-data.sh} and the demo install npm packages:
 * {@code node_modules/@upscalerjs/NAME} under system property {@value #NPM_PROPERTY}, else {@code $CLIPBENCH_NPM},
 * else {@code ~/.cache/clipbench/npm}. Imports go to {@code NAME-VERSION-x<N>} under system property
 * {@value #MODELS_PROPERTY}, else {@code $CLIPBENCH_MODELS}, else {@code ~/.cache/clipbench/models}: made in a
 * private folder beside it and published with one rename, so a killed import leaves nothing half made and two
 * processes importing at once both end with the same complete folder.
 *
 * @param network e.g. {@code esrgan-slim}
 * @param dir     the package folder
 * @param version the package's version (part of the imported folder's name, so a new version is imported anew)
 * @param scales  the scales it ships ({@code models/x<N>/model.json}), ascending
 */
public record UpscalerJsPackage(String network, Path dir, String version, List<Integer> scales) {
    public static final String NPM_PROPERTY = "clipbench.npm";
    public static final String NPM_ENV = "CLIPBENCH_NPM";
    public static final String MODELS_PROPERTY = "clipbench.models";
    public static final String MODELS_ENV = "CLIPBENCH_MODELS";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The npm prefix holding {@code node_modules}. */
    public static Path npmPrefix() {
        return configured(NPM_PROPERTY, NPM_ENV, "npm");
    }

    /** Where imported models are kept. */
    public static Path modelCache() {
        return configured(MODELS_PROPERTY, MODELS_ENV, "models");
    }

    private static Path configured(String property, String env, String folder) {
        String v = System.getProperty(property, System.getenv(env));
        return v != null && !v.isBlank() ? Path.of(v)
                : Path.of(System.getProperty("user.home"), ".cache", "clipbench", folder);
    }

    /**
     * The installed package {@code @upscalerjs/NETWORK}.
     *
     * @throws NoSuchFileException naming the package, where it was looked for and how to install it
     */
    public static UpscalerJsPackage locate(String network) throws IOException {
        Path prefix = npmPrefix();
        Path dir = prefix.resolve("node_modules/@upscalerjs").resolve(network);
        Path manifest = dir.resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            throw new NoSuchFileException(dir.toString(), null, "upsampler " + network + ": the npm package @upscalerjs/"
                    + network + " is not installed; install it with 'npm install --prefix " + prefix
                    + " @upscalerjs/" + network + "@1.0.0' (or tools/install-test-data.sh; set " + NPM_ENV
                    + " for another npm prefix)");
        }
        String version = JSON.readTree(manifest.toFile()).path("version").asText("");
        if (version.isEmpty()) {
            throw new IOException(manifest + ": no 'version'");
        }
        List<Integer> scales;
        try (Stream<Path> models = Files.list(dir.resolve("models"))) {
            scales = models.filter(m -> m.getFileName().toString().matches("x[1-9][0-9]?")
                            && Files.isRegularFile(m.resolve("model.json")))
                    .map(m -> Integer.parseInt(m.getFileName().toString().substring(1))).sorted().toList();
        } catch (NoSuchFileException e) {
            scales = List.of();
        }
        if (scales.isEmpty()) {
            throw new NoSuchFileException(dir.resolve("models").toString(), null,
                    "no models/x<N>/model.json in @upscalerjs/" + network + " (reinstall the package)");
        }
        return new UpscalerJsPackage(network, dir, version, scales);
    }

    /** The imported model directory of {@code models/x<scale>}, imported now unless a complete one exists. */
    public Path imported(int scale) throws IOException {
        if (!scales.contains(scale)) {
            throw new IllegalArgumentException("@upscalerjs/" + network + " has no x" + scale + "; it has " + scales);
        }
        Path cache = modelCache();
        String name = network + "-" + version + "-x" + scale;
        Path target = cache.resolve(name);
        if (Files.isRegularFile(target.resolve(ModelCards.CARD_FILE))) {
            return target; // published by one rename: complete
        }
        Files.createDirectories(cache);
        Path work = Files.createTempDirectory(cache, "." + name + ".importing-");
        try {
            TfjsModelDirectory.create(dir.resolve("models/x" + scale), work, null, network + "-x" + scale, null);
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another process published it first; theirs is as good as ours
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(cache + ": cannot publish " + name + " by an atomic rename", e);
            }
        } finally {
            AtomicFiles.deleteTree(work);
        }
        if (!Files.isRegularFile(target.resolve(ModelCards.CARD_FILE))) {
            throw new IOException(target + ": exists but has no " + ModelCards.CARD_FILE
                    + " (not made by clipbench? remove it to import again)");
        }
        return target;
    }
}
