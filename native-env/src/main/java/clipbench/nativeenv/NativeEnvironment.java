package clipbench.nativeenv;

/**
 * The C environment of this process. Native runtimes (libtorch, oneDNN, OpenMP) read their switches with
 * {@code getenv}, once, when they load; Java's {@code System.getenv} is a copy taken when the JVM started and
 * cannot change them. So a backend sets its defaults here, before its runtime starts, each unless the user set it.
 */
public final class NativeEnvironment {
    /** oneDNN's cap on the instruction sets its kernels may use (read by libtorch's and TensorFlow's oneDNN). */
    public static final String ONEDNN_ISA = "ONEDNN_MAX_CPU_ISA";

    /**
     * The one cap both backends set where oneDNN's wider kernels computed wrong results (AMD CPUs with AVX-512):
     * libtorch's and TensorFlow's oneDNN read the same variable of the one process, and the first setter wins, so
     * they must ask for the same value or the order in which the backends start would decide (TensorFlow alone was
     * right at AVX2, libtorch's gradients were not).
     */
    public static final String ONEDNN_SAFE_ISA = "SSE41";

    private NativeEnvironment() {
    }

    /**
     * Sets {@code variable} to {@code value} unless the process was started with it; does nothing where JNA
     * cannot reach the C library (the runtime then runs with its own defaults).
     */
    public static void setDefault(String variable, String value) {
        if (System.getenv(variable) != null) {
            return;
        }
        try {
            LibC.INSTANCE.setenv(variable, value, 0);
        } catch (LinkageError | RuntimeException e) {
            // no JNA native support here
        }
    }

    /** The value native code sees, or "" when unset or unreadable. */
    public static String get(String variable) {
        try {
            String v = LibC.INSTANCE.getenv(variable);
            return v == null ? "" : v;
        } catch (LinkageError | RuntimeException e) {
            return "";
        }
    }

    /** The C library's {@code setenv} and {@code getenv}. */
    private interface LibC extends com.sun.jna.Library {
        LibC INSTANCE = com.sun.jna.Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }
}
