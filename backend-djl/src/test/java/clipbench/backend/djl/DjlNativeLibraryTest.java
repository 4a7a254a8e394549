package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clipbench.api.contract.ContractFixtures;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens in a fresh JVM: the provider's constructor loads no native code and switches DJL offline; without
 * the libtorch jar the engine fails with a message saying what to install, and nothing is downloaded.
 */
class DjlNativeLibraryTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");

    /** This test JVM's class path (surefire passes it through a manifest jar, and names it here). */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }

    private static Map<String, String> probe(List<String> classPath, Path home, String... properties)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(properties));
        command.add("-Duser.home=" + home);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(NativeProbe.class.getName());
        command.add(VIT.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String variable : List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "DJL_OFFLINE",
                "ENGINE_CACHE_DIR", "DJL_CACHE_DIR", "JAVA_TOOL_OPTIONS")) {
            pb.environment().remove(variable);
        }
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("SLF4J")) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        System.out.println("[djl] probe " + values);
        return values;
    }

    @Test
    void withoutTheLibtorchJarTheEngineSaysWhatToInstallAndDownloadsNothing(@TempDir Path home)
            throws IOException, InterruptedException {
        List<String> withoutNatives = classPath().stream().filter(p -> !p.contains("pytorch-native-")).toList();
        assumeTrue(withoutNatives.size() < classPath().size(), "no pytorch-native jar on this class path");
        Path cache = home.resolve("djl-cache");
        // no ai.djl.offline on the command line: the provider must set it itself
        Map<String, String> out = probe(withoutNatives, home, "-DENGINE_CACHE_DIR=" + cache,
                "-DDJL_CACHE_DIR=" + cache);
        assertEquals("null", out.get("offline-before"));
        assertEquals("true", out.get("offline"));
        assertEquals("djl format=torchscript", out.get("id"));
        String error = out.get("version-error");
        assertTrue(error != null && error.contains(DjlRuntime.LIBTORCH) && error.contains("ai.djl.offline=true")
                && error.contains("Offline mode"), "runtimeVersion() should fail naming the jar to install: " + out);
        String open = out.get("open-error");
        assertTrue(open != null && open.contains(DjlRuntime.LIBTORCH), "open() should fail the same way: " + out);
        assertFalse(Boolean.parseBoolean(out.get("libtorch-after-version")));
        try (Stream<Path> files = Files.exists(cache) ? Files.walk(cache) : Stream.empty()) {
            List<String> names = files.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toList());
            assertTrue(names.stream().noneMatch(n -> n.contains("libtorch")), "something was fetched: " + names);
        }
    }

    @Test
    void theConstructorLoadsNoNativeCode(@TempDir Path home) throws IOException, InterruptedException {
        // this JVM's DJL engine cache, so that libtorch is not extracted again
        String cacheDir = ai.djl.util.Utils.getEngineCacheDir().toString();
        Map<String, String> out = probe(classPath(), home, "-DENGINE_CACHE_DIR=" + cacheDir);
        assumeTrue(!"unknown".equals(out.get("libtorch-after-constructor")), "no /proc/self/maps");
        assertEquals("false", out.get("libtorch-after-constructor"), out.toString());
        assertTrue(out.getOrDefault("version", "").startsWith("DJL 0.36.0 / PyTorch 2.7.1"), out.toString());
        assertEquals("true", out.get("libtorch-after-version"), "the check should see libtorch once loaded");
        assertEquals("16", out.get("open"), out.toString());
    }
}
