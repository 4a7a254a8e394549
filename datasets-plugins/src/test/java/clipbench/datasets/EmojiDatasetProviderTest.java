package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * emoji on the real npm package {@code emoji-datasource-google}, installed outside the repository. Its folder is
 * the system property {@code clipbench.emojiDir}, else the environment variable {@code CLIPBENCH_EMOJI_DIR}, else
 * {@code ~/.cache/clipbench/npm/node_modules/emoji-datasource-google} (where CI installs it).
 */
class EmojiDatasetProviderTest {
    static final String INSTALL = "mkdir -p \"$HOME/.cache/clipbench/npm\" && npm install --prefix"
            + " \"$HOME/.cache/clipbench/npm\" --no-save --no-audit --no-fund emoji-datasource-google@16.0.0";
    private static Path google;
    private final EmojiDatasetProvider provider = new EmojiDatasetProvider();

    @TempDir
    Path tmp;

    static Path googlePackage() {
        String configured = System.getProperty("clipbench.emojiDir");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("CLIPBENCH_EMOJI_DIR");
        }
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache/clipbench/npm/node_modules/emoji-datasource-google");
        if (!Files.isRegularFile(dir.resolve("emoji.json")) || !Files.isDirectory(dir.resolve("img/google/64"))) {
            fail("the npm package emoji-datasource-google is not at " + dir + " (set -Dclipbench.emojiDir=DIR or"
                    + " CLIPBENCH_EMOJI_DIR to its folder). Install it with: " + INSTALL);
        }
        return dir;
    }

    @BeforeAll
    static void find() {
        google = googlePackage();
    }

    @Test
    void everyEmojiByName() throws IOException {
        Dataset d = provider.open(google.toString());
        assertEquals("emoji:google", d.name());
        assertEquals(List.of("Test"), d.splits());
        assertEquals(OptionalInt.of(64), d.nativeResolution());
        assertTrue(d.classes().size() > 1500, "classes: " + d.classes().size());
        assertTrue(d.items("Test").size() >= d.classes().size());
        assertEquals(List.of(), d.warnings());
        ClassInfo apple = d.classes().stream().filter(c -> c.originalName().equals("RED APPLE")).findFirst().orElseThrow();
        assertEquals("red apple", apple.promptName());
        DatasetItem item = d.items("Test").stream().filter(i -> i.id().equals("img/google/64/1f34e.png"))
                .findFirst().orElseThrow();
        assertEquals(apple.index(), item.label());
        RgbImage img = item.load();
        assertEquals(64, img.width());
        assertEquals(64, img.height());
        assertEquals(0xFFFFFF, img.rgb(0, 0), "transparent corner composited on white");
        double[] mean = new double[3];
        int n = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (img.rgb(x, y) != 0xFFFFFF) {
                    for (int c = 0; c < 3; c++) {
                        mean[c] += img.channel(x, y, c);
                    }
                    n++;
                }
            }
        }
        assertTrue(n > 1000 && mean[0] > 1.5 * mean[1] && mean[0] > 1.5 * mean[2], "a red apple is red");
    }

    @Test
    void subcategoryFilter() throws IOException {
        Dataset d = provider.open(google + "?subcategory=food-fruit");
        assertEquals("emoji:google?subcategory=food-fruit", d.name());
        List<String> prompts = d.classes().stream().map(ClassInfo::promptName).toList();
        assertTrue(prompts.containsAll(List.of("red apple", "green apple", "banana", "grapes", "lemon", "strawberry")),
                prompts::toString);
        assertEquals(d.classes().size(), d.items("Test").size(), "one image per fruit");
        assertTrue(d.classes().size() >= 18 && d.classes().size() <= 30, prompts::toString);
        for (DatasetItem item : d.items("Test")) {
            assertTrue(Files.size(google.resolve(item.id())) > 0);
        }
    }

    @Test
    void labelBySubcategoryWithinACategory() throws IOException {
        Dataset d = provider.open(google + "?label=subcategory&category=Food%20%26%20Drink");
        List<String> originals = d.classes().stream().map(ClassInfo::originalName).toList();
        assertTrue(originals.containsAll(List.of("drink", "food-fruit", "food-vegetable", "food-sweet")), originals::toString);
        assertEquals("food fruit", d.classes().get(originals.indexOf("food-fruit")).promptName());
        assertTrue(d.items("Test").size() > 100);
        int fruit = originals.indexOf("food-fruit");
        assertTrue(d.items("Test").stream().filter(i -> i.label() == fruit).count() >= 18);
        Dataset byCategory = provider.open(google + "?label=category");
        List<String> cats = byCategory.classes().stream().map(ClassInfo::promptName).toList();
        assertTrue(cats.contains("food and drink") && cats.contains("smileys and emotion"), cats::toString);
    }

    @Test
    void skinToneVariationsAreOptionalItemsOfTheirClass() throws IOException {
        Dataset plain = provider.open(google + "?subcategory=hand-fingers-open");
        Dataset skin = provider.open(google + "?subcategory=hand-fingers-open&skin=true");
        assertEquals(plain.classes(), skin.classes());
        assertTrue(skin.items("Test").size() >= 5 * plain.items("Test").size(),
                plain.items("Test").size() + " vs " + skin.items("Test").size());
        assertNotEquals(plain.fingerprint(), skin.fingerprint());
    }

    @Test
    void captionsAreNameAndShortNamesOfTheItemsEmoji() throws IOException {
        Dataset d = provider.open(google + "?subcategory=food-fruit");
        DatasetItem apple = d.items("Test").stream().filter(i -> i.id().equals("img/google/64/1f34e.png"))
                .findFirst().orElseThrow();
        assertEquals(List.of("red apple", "apple"), d.captions(apple));
        Dataset flags = provider.open(google + "?subcategory=country-flag");
        DatasetItem egypt = flags.items("Test").stream().filter(i -> i.id().equals("img/google/64/1f1ea-1f1ec.png"))
                .findFirst().orElseThrow();
        assertEquals(List.of("egypt flag", "flag eg"), flags.captions(egypt));
        assertTrue(d.items("Test").stream().allMatch(i -> !d.captions(i).isEmpty()), "every emoji has a caption");
        assertEquals(List.of(), d.captions(new DatasetItem("img/google/64/none.png", 0, () -> null)));
        // skin-tone variations share their emoji's captions
        Dataset skin = provider.open(google + "?subcategory=hand-fingers-open&skin=true");
        DatasetItem wave = skin.items("Test").stream().filter(i -> i.id().equals("img/google/64/1f44b-1f3fd.png"))
                .findFirst().orElseThrow();
        assertEquals(List.of("waving hand sign", "wave"), skin.captions(wave));
    }

    @Test
    void badOptionsAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.open(google + "?subcategory=food-pizza"));
        assertTrue(e.getMessage().contains("food-pizza") && e.getMessage().contains("food-fruit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(google + "?label=colour"));
        assertTrue(e.getMessage().contains("[name, category, subcategory]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(google + "?vendor=apple"));
        assertTrue(e.getMessage().contains("emoji-datasource-apple"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(google + "?filter=x"));
        assertTrue(e.getMessage().contains("'filter'"), e.getMessage());
    }

    /**
     * A node_modules folder with the real google package (linked) and a small fake apple package built from it
     * (a few google images, one missing, one empty), to test vendors as train/test of each other.
     */
    private Path nodeModules() throws IOException {
        Path modules = tmp.resolve("node_modules");
        Files.createDirectories(modules);
        Files.createSymbolicLink(modules.resolve("emoji-datasource-google"), google);
        Path apple = modules.resolve("emoji-datasource-apple");
        Path img = Files.createDirectories(apple.resolve("img/apple/64"));
        Files.copy(google.resolve("emoji.json"), apple.resolve("emoji.json"));
        for (String f : List.of("1f34e.png", "1f34f.png", "1f34c.png", "1f347.png")) {
            Files.copy(google.resolve("img/google/64/" + f), img.resolve(f));
        }
        Files.write(img.resolve("1f34b.png"), new byte[0]); // lemon: empty file; others of food-fruit are missing
        return modules;
    }

    @Test
    void vendorsAsTrainingAndTestOfEachOther() throws IOException {
        Path modules = nodeModules();
        Dataset d = provider.open(modules + "?subcategory=food-fruit&train=google&test=apple");
        assertEquals("emoji:google->apple?subcategory=food-fruit", d.name());
        assertEquals(List.of("Training", "Test"), d.splits());
        assertEquals(d.classes().size(), d.items("Training").size());
        assertEquals(List.of("emoji-datasource-apple/img/apple/64/1f347.png", "emoji-datasource-apple/img/apple/64/1f34c.png",
                "emoji-datasource-apple/img/apple/64/1f34e.png", "emoji-datasource-apple/img/apple/64/1f34f.png"),
                d.items("Test").stream().map(DatasetItem::id).toList());
        assertTrue(d.items("Training").get(0).id().startsWith("emoji-datasource-google/img/google/64/"));
        Path lemon = modules.resolve("emoji-datasource-apple/img/apple/64/1f34b.png");
        Path pear = modules.resolve("emoji-datasource-apple/img/apple/64/1f350.png");
        List<String> w = d.warnings();
        assertTrue(w.stream().anyMatch(s -> s.startsWith(lemon.toString()) && s.contains("0 bytes")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(pear.toString()) && s.contains("no such file")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.contains("class 'PEAR'") && s.contains("'Test'")), w::toString);
        // the same label in both splits
        int apple = d.classes().stream().filter(c -> c.promptName().equals("red apple")).findFirst().orElseThrow().index();
        assertEquals(1, d.items("Test").stream().filter(i -> i.label() == apple).count());
        assertEquals(1, d.items("Training").stream().filter(i -> i.label() == apple).count());
        assertEquals(64, d.items("Test").get(0).load().width());

        // several vendors need a choice; the folder above node_modules works too
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(modules.toString()));
        assertTrue(e.getMessage().contains("[apple, google]"), e.getMessage());
        Dataset appleOnly = provider.open(tmp + "?vendor=apple&subcategory=food-fruit");
        assertEquals(List.of("Test"), appleOnly.splits());
        assertEquals(4, appleOnly.classes().size());
    }

    @Test
    void aFolderWithoutPackagesIsAnError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> provider.open(empty.toString()));
        assertTrue(e.getMessage().startsWith(empty.toString()) && e.getMessage().contains("npm install"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsIt() {
        assertInstanceOf(EmojiDatasetProvider.class, Plugins.dataset("emoji"));
    }
}
