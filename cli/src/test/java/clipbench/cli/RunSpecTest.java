package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.Device;
import clipbench.protocol.Shots;
import clipbench.protocol.finetune.FineTuneMode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RunSpecTest {
    private static RunSpec.Builder minimal() {
        return RunSpec.builder().backends(List.of("onnx")).model(Path.of("m")).dataset("imagefolder:x")
                .out(Path.of("o"));
    }

    @Test
    void defaultsAreTheOnesRunDocuments() {
        RunSpec s = minimal().build();
        assertEquals(List.of("zero-shot"), s.protocols());
        assertEquals(List.of("bicubic"), s.upsamplers());
        assertEquals("clip7", s.templates());
        assertEquals(List.of(1, 2, 4, 8, 16, Shots.ALL), s.ks());
        assertEquals(3, s.seeds());
        assertEquals(List.of("lite", "pro"), s.heads());
        assertEquals(8, s.validationPerClass());
        assertEquals(20, s.confusedPairs());
        assertEquals(0, s.downscale());
        assertEquals(0, s.testPerClass());
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "clipbench", "embeddings"), s.cache());
        assertNull(s.shotsFrom());
        assertEquals(false, s.resume());
        assertEquals(0, s.threads());
        assertEquals(Device.CPU, s.device());
        assertEquals(32, s.batchSize());
    }

    @Test
    void validationErrorsNameTheSetting() {
        assertError("backend", b -> b.backends(List.of(" ", "")));
        assertError("model", b -> b.model(null));
        assertError("dataset", b -> b.dataset(""));
        assertError("out", b -> b.out(null));
        assertError("protocol", b -> b.protocols(List.of("few-shot")));
        assertError("upsampler", b -> b.upsamplers(List.of()));
        assertError("k", b -> b.k(List.of("1", "two")));
        assertError("k", b -> b.k(List.of("0")));
        assertError("seeds", b -> b.seeds(0));
        assertError("val-per-class", b -> b.validationPerClass(-1));
        assertError("confusions", b -> b.confusedPairs(-1));
        assertError("downscale", b -> b.downscale(-1));
        assertError("test-per-class", b -> b.testPerClass(-1));
        assertError("threads", b -> b.threads(-1));
        assertError("device", b -> b.device("tpu"));
        assertError("batch-size", b -> b.batchSize(0));
        assertError("prep-threads", b -> b.prepThreads(-1));
        assertError("k", b -> b.k(List.of("-1")));
    }

    /** A value named twice would run (or count) twice: refused in every list, naming the duplicate. */
    @Test
    void duplicatesInAnyListAreRefusedNamingTheValue() {
        assertError("backend", b -> b.backends(List.of("onnx", " onnx")), "'onnx' twice");
        assertError("protocol", b -> b.protocols(List.of("k-shot", "zero-shot", "k-shot")), "'k-shot' twice");
        assertError("upsampler", b -> b.upsamplers(List.of("bicubic", "bicubic")), "'bicubic' twice");
        assertError("heads", b -> b.heads(List.of("lite", "lite")), "'lite' twice");
        assertError("k", b -> b.k(List.of("2", "all", "2")), "'2' twice");
        assertError("k", b -> b.k(List.of("all", "ALL")), "'ALL' twice");
    }

    @Test
    void finetuneIsAListOfModesDefaultHeadWrittenToRunJsonOnlyWhenGiven() {
        RunSpec plain = minimal().build();
        assertEquals(List.of(FineTuneMode.HEAD), plain.finetune());
        assertTrue(!plain.asMap().containsKey("finetune"), "runs before fine-tuning still resume");
        RunSpec tuned = minimal().protocols(List.of("k-shot")).finetune(List.of("head", " last:2", "all")).build();
        assertEquals(List.of("head", "last:2", "all"), tuned.finetune().stream().map(FineTuneMode::label).toList());
        assertEquals(List.of("head", "last:2", "all"), tuned.asMap().get("finetune"));
        assertEquals(tuned, tuned.toBuilder().build());
        assertError("finetune", b -> b.protocols(List.of("k-shot")).finetune(List.of("last:-1")), "N >= 0");
        assertError("finetune", b -> b.protocols(List.of("k-shot")).finetune(List.of("first:2")), "'first:2'");
        assertError("finetune", b -> b.protocols(List.of("k-shot")).finetune(List.of("all", "all")), "'all'");
        assertError("finetune", b -> b.finetune(List.of("last:1")), "k-shot");
    }

    /** A batch that cannot be allocated (or overflows an int) is refused before anything runs. */
    @Test
    void batchSizeIsBounded() {
        assertError("batch-size", b -> b.batchSize(100_000), "100000");
        assertEquals(RunSpec.MAX_BATCH_SIZE, minimal().batchSize(RunSpec.MAX_BATCH_SIZE).build().batchSize());
    }

    private static void assertError(String key, UnaryOperator<RunSpec.Builder> change, String detail) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(minimal()).build());
        assertTrue(e.getMessage().startsWith("run setting '" + key + "'") && e.getMessage().contains(detail),
                e.getMessage());
    }

    private static void assertError(String key, UnaryOperator<RunSpec.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(minimal()).build());
        assertTrue(e.getMessage().startsWith("run setting '" + key + "'"), e.getMessage());
    }

    @Test
    void listsAreStrippedAndCacheNoneMeansNoCache() {
        RunSpec s = minimal().backends(List.of(" onnx", "djl ", "")).k(List.of("all", " 2")).cache("none")
                .device("GPU").build();
        assertEquals(List.of("onnx", "djl"), s.backends());
        assertEquals(List.of(Shots.ALL, 2), s.ks());
        assertNull(s.cache());
        assertEquals(Device.GPU, s.device());
    }

    @Test
    void runJsonKeepsItsKeysAndValues() {
        RunSpec s = minimal().cache("none").k(List.of("1", "all")).build();
        assertEquals(List.of("backend", "model", "dataset", "protocol", "upsampler", "templates", "k", "seeds", "heads",
                "val-per-class", "confusions", "downscale", "test-per-class", "shots-from", "cache", "threads", "device",
                "batch-size", "prep-threads"), List.copyOf(s.asMap().keySet()));
        assertEquals(List.of("1", "all"), s.asMap().get("k"));
        assertEquals("none", s.asMap().get("cache"));
        assertEquals("cpu", s.asMap().get("device"));
        assertEquals(Path.of("m").toAbsolutePath().toString(), s.asMap().get("model"));
    }

    @Test
    void backendOptionsAreSortedWrittenOnlyWhenGivenAndMustNameABackendOfTheRun() {
        assertTrue(!minimal().build().asMap().containsKey("backend-option"), "absent when none is given");
        RunSpec s = minimal().backendOptions(List.of("onnx.spinning=true", " onnx.optimization=basic")).build();
        assertEquals(java.util.Map.of("onnx.optimization", "basic", "onnx.spinning", "true"), s.backendOptions());
        assertEquals(List.of("onnx.optimization=basic", "onnx.spinning=true"), s.asMap().get("backend-option"));
        assertEquals(s, s.toBuilder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> minimal().backendOptions(List.of("djl.threads=1")).build());
        assertTrue(e.getMessage().contains("djl.threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> minimal().backendOptions(List.of("onnx.spinning")).build());
        assertTrue(e.getMessage().contains("KEY=VALUE"), e.getMessage());
    }

    @Test
    void toBuilderRoundTrips() {
        RunSpec s = minimal().k(List.of("1", "all")).cache((Path) null).resume(true).shotsFrom(Path.of("r")).build();
        assertEquals(s, s.toBuilder().build());
    }

    /** Opens a run directory for {@code s} as {@code clipbench run} does. */
    private static clipbench.reports.RunDirectory open(RunSpec s, Path dir) throws java.io.IOException {
        return clipbench.reports.RunDirectory.open(dir, s.resume(), s.asMap(), RunSpec.MAY_DIFFER_ON_RESUME,
                null, s.confusedPairs());
    }

    @Test
    void aResumeIsRefusedWhenASettingThatChangesANumberDiffers(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        RunSpec.Builder base = minimal().protocols(List.of("zero-shot", "k-shot")).out(dir);
        open(base.build(), dir);
        Path runJson = dir.resolve(clipbench.reports.RunDirectory.RUN_JSON);
        String stored = java.nio.file.Files.readString(runJson);
        java.util.Map<String, UnaryOperator<RunSpec.Builder>> changes = new java.util.LinkedHashMap<>();
        changes.put("backend", b -> b.backends(List.of("djl")));
        changes.put("model", b -> b.model(Path.of("other")));
        changes.put("dataset", b -> b.dataset("imagefolder:y"));
        changes.put("protocol", b -> b.protocols(List.of("zero-shot")));
        changes.put("upsampler", b -> b.upsamplers(List.of("none")));
        changes.put("templates", b -> b.templates("photo"));
        changes.put("k", b -> b.k(List.of("1")));
        changes.put("seeds", b -> b.seeds(1));
        changes.put("heads", b -> b.heads(List.of("lite")));
        changes.put("val-per-class", b -> b.validationPerClass(2));
        changes.put("confusions", b -> b.confusedPairs(3));
        changes.put("downscale", b -> b.downscale(100));
        changes.put("test-per-class", b -> b.testPerClass(5));
        changes.put("shots-from", b -> b.shotsFrom(Path.of("earlier")));
        changes.put("device", b -> b.device("gpu"));
        for (var change : changes.entrySet()) {
            RunSpec resumed = change.getValue().apply(base.build().toBuilder()).resume(true).build();
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> open(resumed, dir), change.getKey());
            assertTrue(e.getMessage().contains("\n  " + change.getKey() + ": stored "), e.getMessage());
        }
        assertEquals(stored, java.nio.file.Files.readString(runJson), "run.json is never rewritten");
        RunSpec sameNumbers = base.build().toBuilder().threads(3).batchSize(7).prepThreads(0).cache("none")
                .resume(true).build();
        open(sameNumbers, dir);
        assertEquals(stored, java.nio.file.Files.readString(runJson));
    }
}
