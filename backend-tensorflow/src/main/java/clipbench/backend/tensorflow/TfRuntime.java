package clipbench.backend.tensorflow;

import clipbench.nativeenv.NativeEnvironment;
import clipbench.api.CpuInfo;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TFE_Context;
import org.tensorflow.internal.c_api.TFE_ContextOptions;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Session settings from {@link BackendOptions}, and the device choice.
 *
 * <p>Threads: {@code intra_op_parallelism_threads} is set from the options (inter-op then 1). TensorFlow
 * keeps one CPU thread pool per process, sized by the first session created in it, unless the environment
 * sets {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} (then each session gets its own pool of the requested
 * size); the tests set it.
 *
 * <p>{@value #ONEDNN_ISA_VARIABLE}=SSE41 ({@link NativeEnvironment#ONEDNN_SAFE_ISA}) on AMD CPUs with AVX-512, unless
 * the environment sets it: there the oneDNN kernels TensorFlow 2.18 picks give wrong gradients (nsfwjs MobileNetV2
 * cut below its last two blocks: the BatchNormalization gamma and depthwise kernel gradients of blocks 15-16 off by
 * 7 % from central differences, on an "AMD EPYC" with avx512f; capped at AVX2 or SSE4.1, or with
 * {@code TF_ENABLE_ONEDNN_OPTS=0}, they agree), as libtorch's oneDNN gives wrong convolutions there. TensorFlow alone
 * would be right at AVX2, but the variable is one per process and backend-djl needs SSE4.1: with two values, the
 * backend that started first would decide for both. It is set with the C library's {@code setenv} before
 * TensorFlow creates its first kernel, and the runtime version says so.
 */
final class TfRuntime {
    static final String GPU_UNAVAILABLE = "TensorFlow Java GPU natives not present: use the linux-x86_64-gpu"
            + " classifier (Maven profile gpu) on a GPU machine, or --device cpu";

    /** oneDNN's cap on the instruction sets its kernels may use. */
    static final String ONEDNN_ISA_VARIABLE = NativeEnvironment.ONEDNN_ISA;

    static {
        if (CpuInfo.current().amdWithAvx512()) {
            NativeEnvironment.setDefault(ONEDNN_ISA_VARIABLE, NativeEnvironment.ONEDNN_SAFE_ISA);
        }
    }

    private TfRuntime() {
    }

    /**
     * Makes sure the environment defaults above are set (this class's initialiser sets them): the graph builders
     * call it, so no TensorFlow kernel runs before them, whichever entry point comes first.
     */
    static void ensureNativeDefaults() {
        // nothing more: calling it initialises the class
    }

    /** "tensorflow 2.18.0", plus " / oneDNN ISA SSE41" where oneDNN is capped (capped kernels compute differently). */
    static String version() {
        String cap = oneDnnCap();
        return "tensorflow " + TensorFlow.version() + (cap.isEmpty() ? "" : " / oneDNN ISA " + cap);
    }

    /** oneDNN's instruction-set cap as TensorFlow sees it ("" when none). */
    static String oneDnnCap() {
        return NativeEnvironment.get(ONEDNN_ISA_VARIABLE);
    }

    /** Whether to run on a GPU: never for CPU, always for GPU (failing clearly without one), else if present. */
    static boolean useGpu(BackendOptions options) {
        if (options.device() == Device.CPU) {
            return false;
        }
        List<String> devices = devices(config(options, true));
        boolean present = devices.stream().anyMatch(d -> d.endsWith("GPU"));
        if (options.device() == Device.GPU && !present) {
            throw new IllegalStateException(GPU_UNAVAILABLE + " (TensorFlow " + TensorFlow.version()
                    + " lists only " + devices + ")");
        }
        return present;
    }

    static ConfigProto config(BackendOptions options, boolean gpu) {
        ConfigProto.Builder config = ConfigProto.newBuilder();
        if (options.intraOpThreads() > 0) {
            config.setIntraOpParallelismThreads(options.intraOpThreads()).setInterOpParallelismThreads(1);
        }
        if (gpu) {
            config.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        } else {
            config.putDeviceCount("GPU", 0);
        }
        return config.build();
    }

    /** {@code name TYPE} of every device TensorFlow sees with this configuration. */
    static List<String> devices(ConfigProto config) {
        try (PointerScope scope = new PointerScope()) {
            TF_Status status = TF_Status.newStatus();
            TFE_ContextOptions options = TFE_ContextOptions.newContextOptions();
            byte[] bytes = config.toByteArray();
            tensorflow.TFE_ContextOptionsSetConfig(options, new BytePointer(bytes), bytes.length, status);
            status.throwExceptionIfNotOK();
            TFE_Context context = TFE_Context.newContext(options, status);
            status.throwExceptionIfNotOK();
            TF_DeviceList list = tensorflow.TFE_ContextListDevices(context, status);
            status.throwExceptionIfNotOK();
            try {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < tensorflow.TF_DeviceListCount(list); i++) {
                    out.add(tensorflow.TF_DeviceListName(list, i, status).getString() + " "
                            + tensorflow.TF_DeviceListType(list, i, status).getString());
                }
                return out;
            } finally {
                tensorflow.TF_DeleteDeviceList(list);
            }
        }
    }
}
