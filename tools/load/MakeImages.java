import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Writes a synthetic image folder for load runs: {@code OUT/Test/classNN/} with TEST images in all and
 * {@code OUT/Training/classNN/} with TRAIN images per class (64x64 PNGs, a class colour plus seeded noise,
 * so the same arguments always give the same bytes).
 *
 * <p>Usage: {@code java tools/load/MakeImages.java TEST OUT [CLASSES=10] [TRAIN_PER_CLASS=20]}
 */
public final class MakeImages {
    private static final int SIDE = 64;

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: MakeImages TEST_IMAGES OUT [CLASSES] [TRAIN_PER_CLASS]");
            System.exit(2);
        }
        int test = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        int classes = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int trainPerClass = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        if (Files.exists(out)) {
            throw new IOException(out + ": exists; choose a new folder");
        }
        for (int i = 0; i < test; i++) {
            write(out.resolve("Test"), i % classes, i);
        }
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < trainPerClass; j++) {
                write(out.resolve("Training"), c, test + c * trainPerClass + j);
            }
        }
        System.out.println(out + ": " + test + " test images, " + classes * trainPerClass + " training images, "
                + classes + " classes");
    }

    private static void write(Path split, int label, int index) throws IOException {
        Path dir = split.resolve(String.format("class%02d", label));
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(index);
        // Hue by class, so the heads have something to learn; noise so every image is different.
        float hue = label / 10f;
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float brightness = 0.5f + 0.5f * (float) random.nextDouble();
                image.setRGB(x, y, java.awt.Color.HSBtoRGB(hue, 0.8f, brightness));
            }
        }
        ImageIO.write(image, "png", dir.resolve(String.format("img%06d.png", index)).toFile());
    }
}
