package clipbench.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The machine and JVM a run used, for its provenance (numbers of float code can depend on them). */
public final class Environment {
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    private Environment() {
    }

    /** {@code java}, {@code os} and {@code cpu}, each a map of text and numbers. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("java", properties("java.version", "java.vendor", "java.vm.name", "java.vm.version"));
        m.put("os", properties("os.name", "os.version", "os.arch"));
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("available_processors", Runtime.getRuntime().availableProcessors());
        cpuModel(CPU_INFO).ifPresent(model -> cpu.put("model", model));
        m.put("cpu", cpu);
        return m;
    }

    private static Map<String, Object> properties(String... names) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String name : names) {
            m.put(name, System.getProperty(name, ""));
        }
        return m;
    }

    /** The first "model name" of a /proc/cpuinfo-style file, when there is one. */
    static Optional<String> cpuModel(Path cpuInfo) {
        String model = CpuInfo.read(cpuInfo).model();
        return model.equals("unknown") ? Optional.empty() : Optional.of(model); // provenance states what it can read
    }
}
