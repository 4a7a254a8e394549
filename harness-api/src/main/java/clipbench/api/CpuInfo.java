package clipbench.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU model and the instruction-set flags that change inference speed, from /proc/cpuinfo: a run's
 * provenance names the model ({@link Environment}), a bench row also says whether the runtimes could use AVX-512,
 * VNNI, BF16 or AMX on the machine that made it.
 *
 * @param model model name, or "unknown"
 * @param flags the speed-relevant flags present, sorted, space-separated (may be empty)
 */
public record CpuInfo(String model, String flags) {
    /** Flags kept: vector widths, FMA, and the dot-product / low-precision extensions runtimes dispatch on. */
    static final Set<String> RELEVANT = Set.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8",
            "asimd", "sve", "sve2", "bf16", "i8mm");

    /**
     * True for AMD CPUs with AVX-512, where oneDNN's wide kernels computed wrong convolutions (libtorch 2.7.1) and
     * gradients (TensorFlow 2.18) on the machine of 2026-12-08, so the DJL and TensorFlow backends cap them.
     */
    public boolean amdWithAvx512() {
        return model.contains("AMD") && (" " + flags + " ").contains(" avx512f ");
    }

    /** This machine's CPU ("unknown" and no flags where /proc/cpuinfo cannot be read). */
    public static CpuInfo current() {
        return read(Path.of("/proc/cpuinfo"));
    }

    /** The CPU a /proc/cpuinfo-style file describes ("unknown" and no flags where it cannot be read). */
    public static CpuInfo read(Path file) {
        try {
            return parse(Files.isReadable(file) ? Files.readAllLines(file) : List.of());
        } catch (IOException e) {
            return new CpuInfo("unknown", "");
        }
    }

    /** The first model name and flags of a /proc/cpuinfo text (x86 {@code flags}, ARM {@code Features}). */
    public static CpuInfo parse(List<String> lines) {
        String model = "unknown";
        Set<String> flags = new TreeSet<>();
        boolean flagsSeen = false;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (model.equals("unknown") && key.equals("model name")) {
                model = value;
            } else if (!flagsSeen && (key.equals("flags") || key.equals("Features"))) {
                flagsSeen = true;
                for (String f : value.split("\\s+")) {
                    if (RELEVANT.contains(f)) {
                        flags.add(f);
                    }
                }
            }
        }
        return new CpuInfo(model, String.join(" ", flags));
    }
}
