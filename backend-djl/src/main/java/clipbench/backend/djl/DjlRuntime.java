package clipbench.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;
import clipbench.api.CpuInfo;
import clipbench.api.spi.Device;
import clipbench.nativeenv.NativeEnvironment;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * DJL's PyTorch engine, started once per process, offline. Everything that touches native code goes through
 * {@link #engine()}, so a provider can be constructed (and listed) where libtorch is missing or broken.
 *
 * <p>Threads: libtorch keeps its intra-op thread count per OS thread (OpenMP's {@code nthreads-var}, plus a
 * process-wide default that new threads pick up), and its inter-op pool once per process. The backend
 * therefore sets the intra-op count on the calling thread before every call ({@link #useThreads}), which
 * makes two backbones with different counts give the counts they were opened with when they are called one
 * after the other, or from different threads. The inter-op pool (TorchScript {@code fork} only; CLIP towers do
 * not use it) is fixed to one thread before the engine starts unless {@value #INTEROP_PROPERTY} is set.
 */
final class DjlRuntime {
    static final String ENGINE = "PyTorch";
    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String INTEROP_PROPERTY = "ai.djl.pytorch.num_interop_threads";
    /** libtorch's switch (read once, at its first allocation) for huge pages on CPU buffers of 2 MiB or more. */
    static final String HUGE_PAGES_VARIABLE = "THP_MEM_ALLOC_ENABLE";
    /** OpenMP's switch between spinning and sleeping while a libtorch thread waits for work (see nativeDefaults). */
    static final String WAIT_POLICY_VARIABLE = "OMP_WAIT_POLICY";
    /** oneDNN's cap on the instruction sets its kernels may use (see nativeDefaults). */
    static final String ONEDNN_ISA_VARIABLE = NativeEnvironment.ONEDNN_ISA;
    static final String LIBTORCH = "ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64";
    static final String JNI = "ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0";
    static final String CUDA_UNAVAILABLE = "DJL PyTorch has no CUDA device: use the pytorch-native-cu* natives"
            + " (Maven profile gpu) on a GPU machine, or --device cpu";

    private static Engine engine;
    private static IllegalStateException failure;
    /** libtorch's own intra-op default (physical cores), used when a backbone asks for 0 threads. */
    private static int defaultThreads;

    private DjlRuntime() {
    }

    /**
     * Makes DJL offline before anything of it starts: it must never download libtorch, the JNI bridge or a
     * model. Also opts out of DJL's usage tracking. Pure Java; safe in a provider's constructor.
     */
    static void configure() {
        System.setProperty(OFFLINE_PROPERTY, "true");
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        if (System.getProperty(INTEROP_PROPERTY) == null) {
            System.setProperty(INTEROP_PROPERTY, "1");
        }
    }

    /** The PyTorch engine, started on first use; a start that failed fails the same way every time. */
    static synchronized Engine engine() {
        if (engine != null) {
            return engine;
        }
        if (failure != null) {
            throw new IllegalStateException(failure.getMessage(), failure);
        }
        configure();
        if (!Utils.isOfflineMode()) {
            // DJL reads the DJL_OFFLINE environment variable before the system property
            failure = new IllegalStateException("DJL_OFFLINE=" + System.getenv("DJL_OFFLINE") + " in the environment"
                    + " turns DJL's offline mode off, so DJL could download libtorch: unset it");
            throw failure;
        }
        nativeDefaults();
        try {
            Engine started = Engine.getEngine(ENGINE);
            defaultThreads = JniUtils.getNumThreads();
            engine = started;
            return engine;
        } catch (RuntimeException | LinkageError | AssertionError e) {
            failure = new IllegalStateException(cannotStart(e), e);
            throw failure;
        }
    }

    /**
     * Sets libtorch's native defaults in the process environment before libtorch starts, each unless already set
     * (so a user's own value wins).
     *
     * <p>{@value #HUGE_PAGES_VARIABLE}=1: libtorch's CPU allocator gives every large tensor fresh memory from the
     * system and returns it when the tensor is freed, so each layer's output page-faults anew, 4 KiB at a time: at
     * batch 8 the memory-bound operations (padding, clamping, bias copies) of MobileNetV2 spent most of their time in
     * page faults. With the variable, libtorch aligns such buffers to 2 MiB and asks for transparent huge pages
     * (madvise), 512 times fewer faults. It does nothing where the kernel's transparent huge pages are
     * {@code never}; {@code THP_MEM_ALLOC_ENABLE=0} in the environment turns it off.
     *
     * <p>{@value #WAIT_POLICY_VARIABLE}=PASSIVE: libtorch's OpenMP (libgomp, which reads it when it loads) otherwise
     * lets an idle team thread spin for about 3 ms after every parallel operation. Where the cores are shared (other
     * processes, the JVM's own threads) the spinner holds a core the other thread of the team needs, and the next
     * operation's barrier waits for a scheduler slice. ESRGAN-slim x4 with 2 threads on a 2-core machine: 0.33 s per
     * 28 px image under other agents' load, 0.017 s passive (0.015 s with 1 thread); one busy process beside it:
     * 0.23 s against 0.12 s at 100 px, MobileNetV2 batch 8 0.35 s against 0.17 s. On idle cores sleeping costs a wake
     * per operation: MobileNetV2 (many small operations) ran 0.55x at batch 1 and 0.76x at batch 16 there. clipbench's
     * own {@code run} prepares images on other threads while the backbone works, so it chooses passive (as for ONNX
     * Runtime's spinning); {@code OMP_WAIT_POLICY=ACTIVE} gives DJL's best on a dedicated machine.
     * {@code GOMP_SPINCOUNT} also overrides it (libgomp's own: 300000).
     *
     * <p>{@value #ONEDNN_ISA_VARIABLE}=SSE41 ({@link NativeEnvironment#ONEDNN_SAFE_ISA}, the value backend-tensorflow
     * sets too: the variable is one per process) on AMD CPUs with AVX-512 ({@link CpuInfo#amdWithAvx512}): there the
     * oneDNN 3.x in libtorch 2.7.1 gives wrong convolutions (seen on an "AMD EPYC" with avx512f/avx512_bf16/
     * avx512_vp2intersect): with its AVX-512 kernels, depthwise convolutions with multiplier 2 were off by up to 0.54
     * and nsfwjs InceptionV3's features by 12 %; capped at AVX2 those agreed but ESRGAN-slim's 3x3 convolutions were
     * off by 11 levels on average (of 255) and the tiny SR fixture by 1.5e-2; capped at SSE4.1 every contract agrees
     * (Keras layers 5e-6, ESRGAN 1 level on 26 of 983,040 values, nsfwjs 1e-7). The cost, on that machine:
     * MobileNetV2 88 against 65 ms per image, InceptionV3 289 against 118 (AVX2); turning oneDNN off altogether was
     * slower still for MobileNetV2 (236 ms). A wrong number is worse than a slower one; a user's own value wins.
     */
    private static void nativeDefaults() {
        NativeEnvironment.setDefault(HUGE_PAGES_VARIABLE, "1");
        NativeEnvironment.setDefault(WAIT_POLICY_VARIABLE, "PASSIVE");
        if (CpuInfo.current().amdWithAvx512()) {
            NativeEnvironment.setDefault(ONEDNN_ISA_VARIABLE, NativeEnvironment.ONEDNN_SAFE_ISA);
        }
    }

    /** oneDNN's instruction-set cap as libtorch sees it ("" when none), for provenance. */
    static String oneDnnCap() {
        return NativeEnvironment.get(ONEDNN_ISA_VARIABLE);
    }

    /** What went wrong when libtorch could not be started, and what to install. */
    static String cannotStart(Throwable e) {
        Set<String> causes = new LinkedHashSet<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            causes.add(t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.strip()));
        }
        return "DJL's PyTorch engine cannot start (" + String.join(" <- ", causes) + "). libtorch 2.7.1 must come"
                + " from the " + LIBTORCH + " jar on the classpath (or a libtorch folder named by PYTORCH_LIBRARY_PATH)"
                + " together with " + JNI + "; DJL's downloads are disabled (" + OFFLINE_PROPERTY + "=true)";
    }

    /**
     * "DJL 0.36.0 / PyTorch 2.7.1" (starts the engine), plus "/ oneDNN ISA SSE41" where oneDNN is capped: the runtime
     * version is in every cache key and results row, and capped kernels compute differently.
     */
    static String version() {
        String version = "DJL " + Engine.getDjlVersion() + " / PyTorch " + engine().getVersion();
        String cap = oneDnnCap();
        return cap.isEmpty() ? version : version + " / oneDNN ISA " + cap;
    }

    /** Null when libtorch can run on a CUDA device, else why not. */
    static String cudaProblem() {
        Engine e = engine();
        if (!e.hasCapability(StandardCapabilities.CUDA)) {
            return "this libtorch " + e.getVersion() + " build has no CUDA support; a CUDA libtorch "
                    + e.getVersion() + " can also be named by PYTORCH_LIBRARY_PATH, with PYTORCH_FLAVOR=cu128";
        }
        if (e.getGpuCount() == 0) {
            return "no CUDA device is visible";
        }
        return null;
    }

    /** The DJL device for a request; GPU fails (never falls back) without CUDA, AUTO falls back to the CPU. */
    static ai.djl.Device device(Device requested) {
        if (requested == Device.CPU) {
            engine();
            return ai.djl.Device.cpu();
        }
        String problem = cudaProblem();
        if (problem == null) {
            return ai.djl.Device.gpu();
        }
        if (requested == Device.GPU) {
            throw new IllegalStateException(CUDA_UNAVAILABLE + " (" + problem + ")");
        }
        return ai.djl.Device.cpu();
    }

    /**
     * Sets libtorch's intra-op thread count for calls made from this thread: {@code threads}, or libtorch's
     * default when 0.
     */
    static void useThreads(int threads) {
        int wanted = threads > 0 ? threads : defaultThreads;
        if (wanted > 0 && JniUtils.getNumThreads() != wanted) {
            JniUtils.setNumThreads(wanted);
        }
    }

    static int defaultThreads() {
        engine();
        return defaultThreads;
    }
}
