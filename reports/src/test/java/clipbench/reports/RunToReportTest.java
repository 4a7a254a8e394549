package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Upsampler;
import clipbench.clip.image.ImageDecoder;
import clipbench.protocol.ProgressListener;
import clipbench.protocol.PromptTemplates;
import clipbench.protocol.RunPlan;
import clipbench.protocol.Runner;
import clipbench.protocol.ThumbnailKey;
import clipbench.protocol.heads.LiteHeadProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Runner writing into a real RunDirectory, then a report built from that directory alone. */
class RunToReportTest {
    static final List<String> CLASSES = List.of("red", "green", "blue");
    static final int SIZE = 8;

    /** Nearest-neighbour to a shortest side of {@code side}, keeping the aspect ratio (a 6x4 image becomes 12x8). */
    static final Upsampler NEAREST = (img, side) -> {
        int h = side;
        int w = img.width() * side / img.height();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(img.pixels(), img.offset(x * img.width() / w, y * img.height() / h), px,
                        (y * w + x) * 3, 3);
            }
        }
        return new RgbImage(w, h, px);
    };

    /** A 6x4 image of class {@code c}'s colour, with image {@code i}'s brightness in its first row. */
    static RgbImage picture(int c, int i) {
        RgbImage img = RgbImage.filled(6, 4, c == 0 ? 200 : 0, c == 1 ? 200 : 0, c == 2 ? 200 : 0);
        for (int x = 0; x < 6; x++) {
            img.pixels()[img.offset(x, 0)] = (byte) (40 * i);
        }
        return img;
    }

    /** Three colour classes; {@code item} makes the test split's items (4 per class), training has 4 per class. */
    static Dataset colours(String name, IntFunction<DatasetItem> testItem) {
        List<ClassInfo> classes = new ArrayList<>();
        List<DatasetItem> train = new ArrayList<>();
        List<DatasetItem> test = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            classes.add(new ClassInfo(c, CLASSES.get(c), CLASSES.get(c)));
            for (int i = 0; i < 4; i++) {
                RgbImage img = picture(c, i);
                train.add(new DatasetItem("Training/" + CLASSES.get(c) + "/" + i, c, () -> img));
                test.add(testItem.apply(c * 4 + i));
            }
        }
        return new Dataset() {
            public String name() {
                return name;
            }

            public List<String> splits() {
                return List.of("Training", "Test");
            }

            public List<ClassInfo> classes() {
                return classes;
            }

            public List<DatasetItem> items(String split) {
                return split.equals("Test") ? test : train;
            }
        };
    }

    /** Embeds an image as its mean channel values: colour classes separate. */
    static final class MeanColour implements Backbone {
        final ModelCard card;

        MeanColour(Path dir) {
            card = new ModelCard(dir, "mean-colour", "test", PreprocessSpec.clip(SIZE), 77, 3, 100.0, null,
                    Map.of("fake", Map.of("image", "artifact")));
        }

        public ModelCard card() {
            return card;
        }

        public int embeddingDim() {
            return 3;
        }

        public Set<Capability> capabilities() {
            return EnumSet.noneOf(Capability.class);
        }

        public float[][] embedImages(ImageBatch batch) {
            int plane = batch.size() * batch.size();
            float[][] out = new float[batch.count()][3];
            for (int n = 0; n < batch.count(); n++) {
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < plane; i++) {
                        out[n][c] += batch.data()[n * batch.imageFloats() + c * plane + i] / plane;
                    }
                    out[n][c] += 2f;
                }
            }
            return out;
        }

        public float[][] embedTokens(int[][] tokenIds) {
            throw new UnsupportedOperationException("no text tower");
        }

        public void close() {
        }
    }

    /** Runs LITE k-shot (k = 2, one seed) on {@code dataset} into {@code out}, as `clipbench run` does. */
    static Path run(Dataset dataset, Path dir) throws IOException {
        Files.writeString(dir.resolve("artifact"), "stand-in weights");
        MeanColour backbone = new MeanColour(dir);
        BackboneProvider provider = new BackboneProvider() {
            public String id() {
                return "fake";
            }

            public String description() {
                return "test double";
            }

            public String artifactFormat() {
                return "fake";
            }

            public String runtimeVersion() {
                return "fake 1";
            }

            public Backbone open(ModelCard card, BackendOptions options) {
                return backbone;
            }
        };
        RunPlan plan = new RunPlan("run-t", List.of(new RunPlan.BackendChoice(provider, BackendOptions.defaults())),
                backbone.card(), dataset, List.of(new RunPlan.UpsamplerChoice("nearest", NEAREST)),
                List.of(RunPlan.K_SHOT), List.of(new LiteHeadProvider()), List.of(2), 1, 1, PromptTemplates.PHOTO, 5,
                null);
        Path out = dir.resolve("run");
        RunDirectory run = RunDirectory.open(out, false, Map.of("dataset", dataset.name()), java.util.Set.of(), null, 5);
        new Runner(plan, run, ProgressListener.NONE).run();
        run.finish();
        return out;
    }

    private static List<String> galleryNotes(ReportBuilder.Result r) {
        return r.notes().stream().filter(n -> n.startsWith("Gallery")).toList();
    }

    @Test
    void aReportBuiltAfterTheDatasetIsGoneStillShowsTheGallery(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        for (int n = 0; n < 12; n++) {
            Path file = data.resolve("Test/" + CLASSES.get(n / 4) + "/" + n % 4 + ".png");
            Files.createDirectories(file.getParent());
            ImageIO.write(picture(n / 4, n % 4).toBufferedImage(), "png", file.toFile());
        }
        Dataset dataset = colours("imagefolder:" + data, n -> {
            String id = "Test/" + CLASSES.get(n / 4) + "/" + n % 4 + ".png";
            return new DatasetItem(id, n / 4, () -> ImageDecoder.read(data.resolve(id)));
        });
        Path run = run(dataset, dir);
        ReportBuilderTest.deleteTree(data);

        ReportBuilder.Result report = ReportBuilder.build(List.of(run), dir.resolve("report"));
        assertEquals(1, report.galleries().size(), report.notes().toString());
        assertTrue(galleryNotes(report).isEmpty(), galleryNotes(report).toString());
        ReportAssertions.assertPngNotBlank(report.galleries().get(0));
        assertTrue(Files.readString(report.html()).contains("12 test images captioned predicted (true)"));

        // Each thumbnail is the upsampler's output (12x8 for the 6x4 images), not the original image.
        for (int n = 0; n < 12; n++) {
            String id = "Test/" + CLASSES.get(n / 4) + "/" + n % 4 + ".png";
            Path png = Thumbnails.file(run, new ThumbnailKey(dataset.name(), "nearest", id));
            assertEquals(NEAREST.upsample(picture(n / 4, n % 4), SIZE), ImageDecoder.read(png), id);
        }
    }

    @Test
    void idxItemsWithoutFilesOfTheirOwnGetThumbnails(@TempDir Path dir) throws Exception {
        String file = "t10k-images-idx3-ubyte.gz";
        Dataset dataset = colours("idx:" + dir.resolve("mnist-like"), n -> {
            RgbImage img = picture(n / 4, n % 4);
            return new DatasetItem(file + "#" + n, n / 4, () -> img);
        });
        Path run = run(dataset, dir);
        Thumbnails.Folder folder = Thumbnails.Folder.of(run, dataset.name(), "nearest");
        assertEquals(12, folder.files().size(), folder.files().toString());
        RgbImage thumb = ImageDecoder.read(folder.of(file + "#5").orElseThrow());
        assertEquals(12, thumb.width());
        assertEquals(8, thumb.height());
        assertEquals(NEAREST.upsample(picture(1, 1), SIZE), thumb);

        ReportBuilder.Result report = ReportBuilder.build(List.of(run), run);
        assertEquals(1, report.galleries().size(), report.notes().toString());
        assertFalse(report.notes().stream().anyMatch(n -> n.contains("thumbnail")), report.notes().toString());
    }
}
