package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code fashion-mnist[:DIR]}: Zalando's Fashion-MNIST (MIT licence), 60000 training and 10000 test 28 x 28 gray
 * images of 10 clothing classes, read with {@link IdxDatasetProvider}. Without a location it reads
 * {@value #DEFAULT_DIR}, where the Debian package {@code dataset-fashion-mnist} installs the four {@code .gz}
 * files ({@code apt-get install dataset-fashion-mnist}).
 *
 * <p>Classes (label order of the dataset) with their prompt names: the official names lower-cased, except
 * {@code T-shirt/top -> t-shirt or top}. {@code ?classes=FILE} replaces them (see {@link IdxDatasetProvider}).
 * Name in results: {@code fashion-mnist}; native resolution 28.
 */
public final class FashionMnistDatasetProvider implements DatasetProvider {
    public static final String ID = "fashion-mnist";
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    /** The official class names, label 0 first. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Fashion-MNIST (IDX files; default " + DEFAULT_DIR + " from Debian's dataset-fashion-mnist)";
    }

    /** The 10 classes with their prompt names. */
    public static List<ClassInfo> classes() {
        List<ClassInfo> classes = new ArrayList<>();
        for (String name : CLASS_NAMES) {
            String prompt = name.equals("T-shirt/top") ? "t-shirt or top" : name.toLowerCase(Locale.ROOT);
            classes.add(new ClassInfo(classes.size(), name, prompt));
        }
        return classes;
    }

    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(ID, location, IdxDatasetProvider.OPTIONS);
        String path = loc.path().isBlank() ? DEFAULT_DIR : loc.path();
        if (loc.path().isBlank() && !Files.isDirectory(Path.of(DEFAULT_DIR))) {
            throw new NoSuchFileException(DEFAULT_DIR, null, "fashion-mnist: not installed; run 'apt-get install"
                    + " dataset-fashion-mnist' (Debian/Ubuntu) or give the folder of the IDX files: fashion-mnist:DIR");
        }
        Path dir = ImageFolderDatasetProvider.existingFolder(ID, path);
        Optional<Path> classesFile = loc.option("classes").map(Path::of);
        List<ClassInfo> classes = classesFile.isPresent() ? IdxDatasetProvider.readClasses(classesFile.get()) : classes();
        return IdxDatasetProvider.open(ID, dir, ID, classes, classesFile);
    }
}
