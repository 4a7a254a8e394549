package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** studies/demo.yaml gives the demo's runs, setting by setting, and the demo's options override it. */
class DemoStudyTest {
    private static final Path DATA = Path.of("/tmp/clipbench-data");
    private static final Path OUT = Path.of("runs/demo-x");

    /**
     * The demo's runs for one nsfwjs model (e.g. mobilenet_v2): Fashion-MNIST (when {@code fashion}) and emoji fruit
     * at 32 px.
     */
    private static List<RunSpec> demoRuns(String model, boolean fashionMnist, List<String> backends, int seeds,
                                          int testPerClass) {
        Path modelDir = DATA.resolve("models").resolve("nsfwjs-" + model.replace('_', '-'));
        RunSpec.Builder shared = RunSpec.builder().backends(backends).model(modelDir)
                .protocols(List.of("zero-shot", "k-shot")).heads(List.of("lite", "pro")).seeds(seeds)
                .cache(DATA.resolve("embeddings"));
        RunSpec fashion = shared.downscale(0).dataset("fashion-mnist:" + DemoCommand.FASHION_MNIST)
                .upsamplers(List.of("nearest", "bicubic", "esrgan-slim")).k(List.of("1", "2", "4", "8")).validationPerClass(4)
                .testPerClass(testPerClass).out(OUT.resolve(modelDir.getFileName() + "-fashion-mnist")).build();
        RunSpec emoji = shared.dataset("imagefolder:" + Cli.root().resolve("testdata/images/emoji-fruit"))
                .upsamplers(List.of("nearest", "bicubic", "esrgan-slim")).k(List.of("1", "2", "4"))
                .validationPerClass(1).testPerClass(0).downscale(32)
                .out(OUT.resolve(modelDir.getFileName() + "-emoji-fruit-32px")).build();
        return fashionMnist ? List.of(fashion, emoji) : List.of(emoji);
    }

    private static List<RunSpec> demo(String... args) throws Exception {
        DemoCommand cmd = new DemoCommand();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", DATA.toString()));
        new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
        return cmd.specs(OUT);
    }

    @Test
    void theStudyFileGivesTheDemosRuns() throws Exception {
        List<String> every = List.of("onnx", "djl", "tensorflow");
        List<RunSpec> expected = new ArrayList<>(demoRuns("mobilenet_v2", true, every, 3, 10));
        expected.addAll(demoRuns("inception_v3", false, every, 3, 10));
        List<RunSpec> actual = demo();
        assertEquals(expected, actual);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).asMap(), actual.get(i).asMap(), "run.json of run " + i);
        }
    }

    @Test
    void demoOptionsOverrideTheStudy() throws Exception {
        List<RunSpec> expected = demoRuns("mobilenet_v2", true, List.of("onnx"), 2, 5);
        assertEquals(expected, demo("--models", "mobilenet_v2", "--backends", "onnx", "--seeds", "2",
                "--test-per-class", "5"));
    }

    @Test
    void theDemoPointsTheEsrganUpsamplerAtItsDataFolderByUpscalerJsPackagesOwnProperties() {
        assertEquals(clipbench.upsamplers.UpscalerJsPackage.NPM_PROPERTY, DemoCommand.UPSCALERJS_NPM_PROPERTY);
        assertEquals(clipbench.upsamplers.UpscalerJsPackage.MODELS_PROPERTY, DemoCommand.UPSCALERJS_MODELS_PROPERTY);
    }

    @Test
    void unknownModelIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> demo("--models", "resnet"));
        assertTrue(e.getMessage().contains("resnet") && e.getMessage().contains("mobilenet_v2"), e.getMessage());
    }
}
