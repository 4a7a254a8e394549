package clipbench.nativeenv;

/**
 * The C environment of this process. Native runtimes (libtorch, oneDNN, OpenMP) read their switches with
 * {@code getenv}, once, when they load; Java's {@code System.getenv} is a copy taken when the JVM started and
 * cannot change them. So a backend sets its defaults here, before its runtime starts, each unless the user set it.
 */
public final class NativeEnvironment {
    /** oneDNN's cap on the instruction sets its kernels may use (read by libtorch's and TensorFlow's oneDNN). */
    public static final String ONEDNN_ISA = "ONEDNN_MAX_CPU_ISA";

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
