package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.clip.image.ImageDecoder;
import clipbench.clip.image.PilResample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clipbench upsample}: the PNG is what the upsampler makes; a missing package fails before any work. */
class UpsampleCommandIT {
    /** Imported networks stay in the build folder, not the user's model cache. */
    private static final Map<String, String> ENV = Map.of("CLIPBENCH_MODELS",
            Path.of("target/esrgan-models").toAbsolutePath().toString());

    @Test
    void writesWhatTheUpsamplerMakes(@TempDir Path tmp) throws Exception {
        RgbImage emoji = ImageDecoder.read(CliProcess.root()
                .resolve("testdata/images/emoji-fruit/Test/strawberry/strawberry-shift.png"));
        RgbImage small = PilResample.resize(emoji, 28, 28, PilResample.Filter.BICUBIC);
        Path in = tmp.resolve("small.png");
        ImageIO.write(small.toBufferedImage(), "png", in.toFile());

        Path bicubic = tmp.resolve("out/bicubic.png");
        CliProcess.Result b = CliProcess.runWithEnv(CliProcess.vocab(), ENV, "upsample", in.toString(),
                "--upsampler", "bicubic", "--size", "224", "--out", bicubic.toString());
        assertEquals(0, b.exitCode(), b.all());
        assertArrayEquals(PilResample.resize(small, 224, 224, PilResample.Filter.BICUBIC).pixels(),
                ImageDecoder.read(bicubic).pixels());

        Path esrgan = tmp.resolve("esrgan.png");
        CliProcess.Result e = CliProcess.runWithEnv(CliProcess.vocab(), ENV, "upsample", in.toString(),
                "--upsampler", "esrgan-slim", "--size", "224", "--out", esrgan.toString(), "--threads", "2");
        assertEquals(0, e.exitCode(), e.all());
        assertTrue(e.out().contains("esrgan-slim-x8") && e.out().contains("upsample_seconds"), e.out());
        System.setProperty("clipbench.models", ENV.get("CLIPBENCH_MODELS"));
        Upsampler direct = Plugins.createUpsampler("esrgan-slim", new BackendOptions(2, clipbench.api.spi.Device.CPU));
        try {
            assertArrayEquals(direct.upsample(small, 224).pixels(), ImageDecoder.read(esrgan).pixels());
        } finally {
            ((AutoCloseable) direct).close();
        }
    }

    @Test
    void aMissingPackageOrImageIsNamedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("never.png");
        Path image = CliProcess.root().resolve("testdata/images/emoji-fruit/Test/strawberry/strawberry-shift.png");
        Map<String, String> noNpm = Map.of("CLIPBENCH_NPM", tmp.resolve("empty-npm").toString(),
                "CLIPBENCH_MODELS", tmp.resolve("models").toString());
        CliProcess.Result r = CliProcess.runWithEnv(CliProcess.vocab(), noNpm, "upsample", image.toString(),
                "--upsampler", "esrgan-medium", "--out", out.toString());
        assertTrue(r.exitCode() != 0, r.all());
        assertTrue(r.err().contains("@upscalerjs/esrgan-medium") && r.err().contains("npm install"), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("models")));

        CliProcess.Result m = CliProcess.run("upsample", tmp.resolve("nope.png").toString(), "--upsampler", "bicubic",
                "--out", out.toString());
        assertTrue(m.exitCode() != 0 && m.err().contains("nope.png"), m.all());
        assertFalse(Files.exists(out));
    }

    @Test
    void aRunNamesTheNetworkAndScaleInResultsAndCacheKeys(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Path cache = tmp.resolve("cache");
        CliProcess.Result r = CliProcess.runWithEnv(CliProcess.vocab(), ENV, "run", "--backend", "onnx", "--model",
                CliEndToEndIT.VIT, "--dataset", CliEndToEndIT.FRUIT, "--downscale", "28", "--protocol", "zero-shot",
                "--upsampler", "esrgan-slim,bicubic", "--threads", "2", "--cache", cache.toString(), "--out",
                out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        int column = List.of(lines.get(0).split(",")).indexOf("upsampler");
        assertEquals(List.of("esrgan-slim-x8", "bicubic"),
                lines.stream().skip(1).map(l -> l.split(",")[column]).toList(), "28 px to 224: x8, once");
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.filter(f -> f.toString().endsWith(".json")).anyMatch(f -> {
                try {
                    return Files.readString(f).contains("\"esrgan-slim-x8\"");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), "a cache block keyed by esrgan-slim-x8");
        }
    }

    @Test
    void twoSettingsForOneComputationAreRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliProcess.Result r = CliProcess.runWithEnv(CliProcess.vocab(), ENV, "run", "--backend", "onnx", "--model",
                CliEndToEndIT.VIT, "--dataset", CliEndToEndIT.FRUIT, "--downscale", "28", "--protocol", "zero-shot",
                "--upsampler", "esrgan-slim,esrgan-slim:x8", "--cache", "none", "--out", out.toString());
        assertTrue(r.exitCode() != 0 && r.err().contains("esrgan-slim-x8"), r.all());
        assertFalse(Files.exists(out));
    }
}
