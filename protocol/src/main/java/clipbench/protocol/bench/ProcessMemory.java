package clipbench.protocol.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory of this process. Peak RSS is per process, which is why each benchmark combination runs in its own
 * JVM: native runtimes (ONNX Runtime, libtorch, TensorFlow) allocate outside the Java heap.
 */
public final class ProcessMemory {
    static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Peak resident set size of this process in MiB (Linux {@code VmHWM}); an error where it is unknown. */
    public static double peakRssMb() throws IOException {
        if (!Files.isReadable(STATUS)) {
            throw new IOException(STATUS + ": not readable; peak RSS is only measured on Linux");
        }
        return vmHwmMb(Files.readAllLines(STATUS));
    }

    /** The {@code VmHWM} line of a /proc/PID/status text, in MiB. */
    static double vmHwmMb(List<String> status) throws IOException {
        for (String line : status) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).strip().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    return Long.parseLong(parts[0]) / 1024.0;
                }
                throw new IOException(STATUS + ": cannot read '" + line + "'");
            }
        }
        throw new IOException(STATUS + ": has no VmHWM line");
    }

    /** Sum of each heap pool's peak use in MiB: an upper bound of the peak heap (pools peak at different times). */
    public static double heapPeakMb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    /**
     * This JVM's {@code -X} options (e.g. {@code -Xmx}, {@code -XX:MaxDirectMemorySize}): runtimes that copy
     * inputs into direct buffers free them only when the heap is collected, so these settings move peak RSS.
     */
    public static String jvmOptions() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X")).toList());
    }
}
