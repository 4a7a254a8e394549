package clipbench.keras.contract;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the npm test data ({@code tools/install-test-data.sh}: nsfwjs 4.4.0) and its reference outputs lie. Missing
 * data fails a test, never skips it.
 * <ul>
 *   <li>nsfwjs: system property {@value #NSFWJS_PROPERTY}, env {@value #NSFWJS_ENV}, else
 *       {@code node_modules/nsfwjs} under {@link #nodeModules()};</li>
 *   <li>{@code node_modules}: {@code $CLIPBENCH_NPM/node_modules} (where the script installs), else
 *       {@code ~/.cache/clipbench/npm/node_modules};</li>
 *   <li>the reference outputs: {@code testdata/keras/nsfwjs-reference.json} under {@code clipbench.root} (the PNGs
 *       beside it), or system property {@value #REFERENCE_PROPERTY} for one made elsewhere.</li>
 * </ul>
 */
public final class NpmTestData {
    public static final String NSFWJS_PROPERTY = "clipbench.nsfwjsDir";
    public static final String NSFWJS_ENV = "CLIPBENCH_NSFWJS_DIR";
    public static final String NPM_ENV = "CLIPBENCH_NPM";
    public static final String REFERENCE_PROPERTY = "clipbench.nsfwjsReference";

    private NpmTestData() {
    }

    /** The folder npm installed the test packages into. */
    public static Path nodeModules() {
        String npm = System.getenv(NPM_ENV);
        Path prefix = npm != null && !npm.isBlank() ? Path.of(npm)
                : Path.of(System.getProperty("user.home"), ".cache", "clipbench", "npm");
        return prefix.resolve("node_modules");
    }

    /** The installed nsfwjs package folder. */
    public static Path nsfwjs() {
        String configured = System.getProperty(NSFWJS_PROPERTY, System.getenv(NSFWJS_ENV));
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : nodeModules().resolve("nsfwjs");
        if (!Files.isRegularFile(dir.resolve("dist/models/mobilenet_v2/model.min.js"))) {
            fail("nsfwjs 4.4.0 not found at " + dir + ": run tools/install-test-data.sh (or set -D" + NSFWJS_PROPERTY
                    + ", " + NSFWJS_ENV + " or " + NPM_ENV + ")");
        }
        return dir;
    }

    /** One of nsfwjs's model folders, e.g. {@code mobilenet_v2}. */
    public static Path nsfwjsModel(String folder) {
        return nsfwjs().resolve("dist/models").resolve(folder);
    }

    /** {@code testdata/keras} of the repository (the reference PNGs and models). */
    public static Path kerasTestdata() {
        Path dir = Path.of(System.getProperty("clipbench.root", "..")).resolve("testdata/keras");
        if (!Files.isDirectory(dir)) {
            fail(dir.toAbsolutePath() + ": testdata/keras not found (set -Dclipbench.root to the repository)");
        }
        return dir.toAbsolutePath().normalize();
    }

    /** nsfwjs's own outputs on the reference PNGs, made by {@code testdata/keras/make-reference.mjs}. */
    public static Path nsfwjsReference() {
        String configured = System.getProperty(REFERENCE_PROPERTY);
        Path file = configured != null ? Path.of(configured) : kerasTestdata().resolve("nsfwjs-reference.json");
        if (!Files.isRegularFile(file)) {
            fail(file + " is missing: regenerate it with testdata/keras/make-reference.mjs");
        }
        return file;
    }
}
