package clipbench.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --backend-option KEY=VALUE} parsing and the settings a backend receives. */
class BackendOptionsTest {
    @Test
    void settingsAreParsedSortedAndImmutable() {
        Map<String, String> s = BackendOptions.parseSettings(List.of("onnx.spinning=false", "onnx.cache = a=b "));
        assertEquals(List.of("onnx.cache", "onnx.spinning"), List.copyOf(s.keySet()));
        assertEquals("a=b", s.get("onnx.cache"), "only the first '=' separates");
        BackendOptions o = new BackendOptions(2, Device.CPU, s);
        assertEquals(s, o.settings());
        assertThrows(UnsupportedOperationException.class, () -> o.settings().put("x", "y"));
        assertEquals(Map.of(), BackendOptions.defaults().settings());
        assertEquals(Map.of(), BackendOptions.parseSettings(null));
    }

    @Test
    void malformedEntriesNameThemselves() {
        for (String bad : List.of("onnx.spinning", "=1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BackendOptions.parseSettings(List.of(bad)));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("KEY=VALUE"), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> BackendOptions.parseSettings(List.of("a.b=1", "a.b=2")));
        assertTrue(twice.getMessage().contains("a.b") && twice.getMessage().contains("twice"), twice.getMessage());
    }

    @Test
    void eachKeyBelongsToABackendInUse() {
        Map<String, String> s = Map.of("onnx.spinning", "false", "djl.x", "1");
        BackendOptions.requireBackendPrefixes(s, List.of("onnx", "djl"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendOptions.requireBackendPrefixes(s, List.of("onnx")));
        assertTrue(e.getMessage().contains("djl.x"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BackendOptions.requireBackendPrefixes(Map.of("spinning", "false"), List.of("onnx")));
        assertEquals(Map.of("onnx.spinning", "false"), BackendOptions.settingsOf(s, "onnx"));
        assertEquals(Map.of(), BackendOptions.settingsOf(Map.of("onnxx.a", "1"), "onnx"));
    }

    @Test
    void aBackendWithoutOptionsRefusesAny() {
        BackboneProvider none = new BackboneProvider() {
            @Override
            public String id() {
                return "plain";
            }

            @Override
            public String description() {
                return "";
            }

            @Override
            public String artifactFormat() {
                return "plain";
            }

            @Override
            public String runtimeVersion() {
                return "0";
            }

            @Override
            public Backbone open(clipbench.api.model.ModelCard card, BackendOptions options) {
                throw new UnsupportedOperationException();
            }
        };
        none.checkSettings(Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> none.checkSettings(Map.of("plain.x", "1")));
        assertTrue(e.getMessage().contains("plain.x") && e.getMessage().contains("'plain'"), e.getMessage());
    }
}
