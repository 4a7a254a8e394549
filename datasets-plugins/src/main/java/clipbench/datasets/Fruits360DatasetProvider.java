package clipbench.datasets;

import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Opens {@code fruits360:ROOT}, the Fruits-360 dataset (Mureșan and Oltean; Kaggle / GitHub
 * {@code fruits-360}): {@code ROOT/Training/<class>/<image>}, {@code ROOT/Test/<class>/<image>} and, in newer
 * releases, {@code ROOT/Validation/<class>/<image>}, 100 x 100 images.
 *
 * <ul>
 *   <li>Listing is {@code imagefolder}'s ({@link ImageFolderDatasetProvider#list}): the same ordering, file rules
 *       and warnings, except that only the folders {@code Training}, {@code Validation} and {@code Test} (any
 *       case) are splits; other folders beside them (e.g. {@code test-multiple_fruits}, {@code papers}) are
 *       skipped with a warning. {@code Training} and {@code Test} must exist.</li>
 *   <li>When {@code ROOT} has no {@code Training} folder but exactly one sub-folder that has (the archives unpack
 *       to {@code fruits-360_dataset/fruits-360/...} or {@code fruits-360_100x100/fruits-360/...}), that sub-folder
 *       is used, repeatedly.</li>
 *   <li>Prompt names follow {@link ClassNames#nounFirst}: variety numbers dropped, the first word is the noun and
 *       the other words move before it in reverse order ({@code Apple Red 1 -> red apple},
 *       {@code Tomato Cherry Red -> red cherry tomato}), with a small exception table. A class-name override file
 *       ({@code ROOT/class-names.csv} or {@code .json}, or {@code ?names=FILE}) wins over the rule.</li>
 *   <li>{@link Dataset#nativeResolution()} is 100, or {@code ?native=N} for another release (e.g. the original-size
 *       one).</li>
 * </ul>
 * Syntax: {@code fruits360:ROOT[?names=FILE][&native=N]} ({@link DatasetLocation}).
 */
public final class Fruits360DatasetProvider implements DatasetProvider {
    public static final String ID = "fruits360";
    public static final int NATIVE_RESOLUTION = 100;
    /** Split folder names, in the order the dataset is read. */
    public static final Set<String> SPLITS = new LinkedHashSet<>(List.of("Training", "Validation", "Test"));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Fruits-360: ROOT/{Training,Validation,Test}/<class>/<image>, prompt names in natural order"
                + " (Apple Red 1 -> red apple); ?names=FILE overrides";
    }

    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(ID, location, ImageFolderDatasetProvider.OPTIONS);
        if (loc.path().isBlank()) {
            throw new IllegalArgumentException("fruits360: give the dataset folder (the one holding Training/ and"
                    + " Test/), e.g. fruits360:/data/fruits-360");
        }
        Path root = descend(ImageFolderDatasetProvider.existingFolder(ID, loc.path()));
        for (String required : List.of("Training", "Test")) {
            if (child(root, required) == null) {
                throw new IOException(root + ": fruits360: no " + required + "/ folder (expected " + root
                        + "/Training/<class>/<image> and " + root + "/Test/<class>/<image>)");
            }
        }
        OptionalInt nativeResolution = loc.positiveInt(ID, "native");
        Path name = root.getFileName();
        return ImageFolderDatasetProvider.list(new ImageFolderDatasetProvider.Listing(ID, root,
                ID + ":" + (name == null ? root.toString() : name.toString()), SPLITS, ClassNames::nounFirst,
                loc.option("names").map(Path::of),
                nativeResolution.isPresent() ? nativeResolution : OptionalInt.of(NATIVE_RESOLUTION)));
    }

    /** Follows single sub-folders down to the one holding {@code Training}. */
    private static Path descend(Path root) throws IOException {
        Path dir = root;
        for (int depth = 0; depth < 4 && child(dir, "Training") == null; depth++) {
            List<Path> candidates = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path p : stream) {
                    if (!p.getFileName().toString().startsWith(".")) {
                        candidates.add(p);
                    }
                }
            }
            List<Path> withTraining = new ArrayList<>();
            for (Path c : candidates) {
                if (child(c, "Training") != null || candidates.size() == 1) {
                    withTraining.add(c);
                }
            }
            if (withTraining.size() != 1) {
                return root;
            }
            dir = withTraining.get(0);
        }
        return child(dir, "Training") != null ? dir : root;
    }

    /** The sub-folder of {@code dir} with this name ignoring case, or null. */
    private static Path child(Path dir, String name) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : stream) {
                if (p.getFileName().toString().equalsIgnoreCase(name)) {
                    return p;
                }
            }
        }
        return null;
    }
}
