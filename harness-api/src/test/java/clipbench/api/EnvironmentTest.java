package clipbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentTest {
    @Test
    void cpuModelIsTheFirstModelNameOfCpuinfo(@TempDir Path dir) throws IOException {
        Path info = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: Test CPU @ 3GHz\n"
                + "processor\t: 1\nmodel name\t: Test CPU @ 3GHz\n");
        assertEquals(Optional.of("Test CPU @ 3GHz"), Environment.cpuModel(info));
        assertEquals(Optional.empty(), Environment.cpuModel(dir.resolve("absent")));
    }

    @Test
    void describesJvmOsAndCpu() {
        Map<String, Object> m = Environment.describe();
        assertEquals(System.getProperty("java.version"), ((Map<?, ?>) m.get("java")).get("java.version"));
        assertEquals(System.getProperty("os.arch"), ((Map<?, ?>) m.get("os")).get("os.arch"));
        assertTrue((Integer) ((Map<?, ?>) m.get("cpu")).get("available_processors") > 0);
    }
}
