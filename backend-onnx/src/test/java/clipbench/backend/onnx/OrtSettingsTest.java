package clipbench.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and checking of the {@code onnx.*} backend options. */
class OrtSettingsTest {
    private static void fails(Map<String, String> settings, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtSettings.parse(settings));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "the error should mention '" + m + "': " + e.getMessage());
        }
    }

    @Test
    void noOptionsGiveTheDefaults() {
        assertEquals(OrtSettings.DEFAULTS, OrtSettings.parse(Map.of()));
        assertEquals(OptLevel.ALL_OPT, OrtSettings.DEFAULTS.optimization());
        assertNull(OrtSettings.DEFAULTS.cacheDir());
        assertFalse(OrtSettings.DEFAULTS.spinning(), "ORT's spinning is off unless asked for");
        assertTrue(OrtSettings.parse(Map.of("onnx.spinning", "true")).spinning());
    }

    @Test
    void everyOptionIsRead() {
        OrtSettings s = OrtSettings.parse(Map.of("onnx.optimization", "Extended", "onnx.inter-op-threads", "2",
                "onnx.execution", "parallel", "onnx.spinning", "false", "onnx.memory-pattern", "off",
                "onnx.cpu-arena", "0", "onnx.dynamic-block-base", "4", "onnx.optimized-cache", "/tmp/ort-cache",
                "onnx.source", "Checkpoint", "onnx.checkpoint-cache", "/tmp/graphs"));
        assertEquals(new OrtSettings(OptLevel.EXTENDED_OPT, 2, true, false, false, false, 4, Path.of("/tmp/ort-cache"),
                        OnnxSource.Choice.CHECKPOINT, Path.of("/tmp/graphs")),
                s);
        assertEquals(OnnxSource.Choice.AUTO, OrtSettings.DEFAULTS.source());
        assertTrue(OrtSettings.DEFAULTS.checkpointCache().endsWith(Path.of(".cache", "clipbench", "onnx-checkpoint")));
        assertEquals(OnnxSource.Choice.EXPORT, OrtSettings.parse(Map.of("onnx.source", "export")).source());
        assertEquals(OptLevel.BASIC_OPT, OrtSettings.parse(Map.of("onnx.optimization", "basic")).optimization());
        assertEquals(OptLevel.NO_OPT, OrtSettings.parse(Map.of("onnx.optimization", "none")).optimization());
        assertTrue(OrtSettings.parse(Map.of("onnx.optimized-cache", "on")).cacheDir().endsWith(
                Path.of(".cache", "clipbench", "ort-optimized")));
        assertNull(OrtSettings.parse(Map.of("onnx.optimized-cache", "off")).cacheDir());
    }

    @Test
    void otherBackendsKeysAreLeftToThem() {
        assertEquals(OrtSettings.DEFAULTS, OrtSettings.parse(Map.of("djl.whatever", "x")));
    }

    @Test
    void badValuesAndUnknownKeysNameTheOption() {
        fails(Map.of("onnx.optimization", "max"), "onnx.optimization=max", "all, extended, basic or none");
        fails(Map.of("onnx.inter-op-threads", "0"), "onnx.inter-op-threads=0", ">= 1");
        fails(Map.of("onnx.inter-op-threads", "two"), "onnx.inter-op-threads=two");
        fails(Map.of("onnx.dynamic-block-base", "-1"), "onnx.dynamic-block-base=-1", ">= 0");
        fails(Map.of("onnx.execution", "async"), "onnx.execution=async", "sequential or parallel");
        fails(Map.of("onnx.spinning", "maybe"), "onnx.spinning=maybe", "true or false");
        fails(Map.of("onnx.optimized-cache", ""), "onnx.optimized-cache");
        fails(Map.of("onnx.source", "python"), "onnx.source=python", "auto, export or checkpoint");
        fails(Map.of("onnx.checkpoint-cache", " "), "onnx.checkpoint-cache", "a folder");
        fails(Map.of("onnx.spining", "false"), "onnx.spining", "unknown", "onnx.spinning");
    }

    @Test
    void theProviderChecksTheSameWay() {
        OnnxBackboneProvider provider = new OnnxBackboneProvider();
        provider.checkSettings(Map.of("onnx.spinning", "false"));
        assertThrows(IllegalArgumentException.class, () -> provider.checkSettings(Map.of("onnx.threads", "2")));
        assertFalse(OrtSettings.KEYS.isEmpty());
    }
}
