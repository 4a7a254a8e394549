package clipbench.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Session set-up shared by every model this backend opens: options, device choice, errors naming files. */
final class OrtSessions {
    static final String CUDA_UNAVAILABLE = "ONNX Runtime CUDA provider not available: use the onnxruntime_gpu"
            + " artifact (Maven profile gpu) on a machine with a GPU, or --device cpu";

    private OrtSessions() {
    }

    /** Opens something on the CPU or on CUDA. */
    interface Opener<T> {
        T open(boolean gpu) throws IOException;
    }

    /** CPU as asked; GPU or a clear error; AUTO tries CUDA, then the CPU. */
    static <T> T onDevice(Device device, Opener<T> opener) throws IOException {
        if (device == Device.CPU) {
            return opener.open(false);
        }
        String cudaProblem = cudaProblem();
        if (device == Device.GPU) {
            if (cudaProblem != null) {
                throw new IllegalStateException(CUDA_UNAVAILABLE + " (" + cudaProblem + ")");
            }
            return opener.open(true);
        }
        if (cudaProblem == null) {
            try {
                return opener.open(true);
            } catch (IOException e) {
                // AUTO: a model the CUDA provider cannot take still runs on the CPU
            }
        }
        return opener.open(false);
    }

    /** Session options for {@code options} (its settings parsed as {@code settings}) at optimisation {@code level}. */
    private static OrtSession.SessionOptions options(BackendOptions options, OrtSettings settings, boolean gpu,
                                                     OrtSession.SessionOptions.OptLevel level) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            settings.applyTo(so);
            so.setOptimizationLevel(level);
            if (gpu) {
                so.addCUDA();
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    /**
     * A session for {@code file} with {@code options}; with {@code onnx.optimized-cache} the optimised model is
     * loaded from the cache (no optimisation) or optimised once and saved there. At int8 the session runs the
     * quantised copy ({@link QuantizedModels}, kept in the {@code onnx.optimized-cache} folder, or the default
     * one when that cache is off).
     */
    static OrtSession create(OrtEnvironment env, Path source, BackendOptions options, boolean gpu) throws IOException {
        OrtSettings settings = OrtSettings.parse(options.settings());
        Path file = switch (options.precision()) {
            case FP32 -> source;
            case INT8 -> QuantizedModels.int8(source, settings.cacheDir() != null ? settings.cacheDir()
                    : OrtSettings.DEFAULT_CACHE_DIR);
            default -> throw new IllegalArgumentException("--precision " + options.precision().id()
                    + ": not supported on backend onnx");
        };
        try {
            if (settings.cacheDir() == null || settings.optimization() == OrtSession.SessionOptions.OptLevel.NO_OPT) {
                try (OrtSession.SessionOptions so = options(options, settings, gpu, settings.optimization())) {
                    return create(env, file, so);
                }
            }
            OptimizedModelCache cache = new OptimizedModelCache(settings.cacheDir());
            OptimizedModelCache.Entry entry = cache.entry(file, env.getVersion(), settings.optimization().name(), gpu);
            if (cache.valid(entry)) {
                // already optimised: loading it optimises nothing again
                try (OrtSession.SessionOptions so = options(options, settings, gpu,
                        OrtSession.SessionOptions.OptLevel.NO_OPT)) {
                    return create(env, entry.model(), so);
                }
            }
            Path written = cache.temporary(entry);
            try (OrtSession.SessionOptions so = options(options, settings, gpu, settings.optimization())) {
                so.setOptimizedModelFilePath(written.toString());
                // initializers go to the entry's own external-data file (named in the saved model, so the final name)
                so.addConfigEntry("session.optimized_model_external_initializers_file_name",
                        entry.data().getFileName().toString());
                OrtSession session = create(env, file, so);
                try {
                    cache.commit(entry, written);
                } catch (IOException e) {
                    // a cache that cannot be written costs the next load its optimisation, nothing else
                    System.err.println("clipbench: ONNX Runtime optimised-model cache " + settings.cacheDir()
                            + " not written: " + e.getMessage());
                }
                return session;
            } finally {
                Files.deleteIfExists(written);
            }
        } catch (OrtException e) {
            throw new IOException(file + ": ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    private static OrtSession create(OrtEnvironment env, Path file, OrtSession.SessionOptions so) throws IOException {
        try {
            return env.createSession(file.toString(), so);
        } catch (OrtException e) {
            throw new IOException(file + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Closes a session after a failure, keeping the failure as the main error. */
    static void closeQuietly(OrtSession session, Exception failure) {
        try {
            session.close();
        } catch (OrtException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    static Path requireFile(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "ONNX model file not found");
        }
        return file;
    }

    /** Null when CUDA can be used, else why not. */
    private static String cudaProblem() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return "this onnxruntime build has providers " + OrtEnvironment.getAvailableProviders();
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.addCUDA();
            return null;
        } catch (OrtException e) {
            return e.getMessage();
        }
    }
}
