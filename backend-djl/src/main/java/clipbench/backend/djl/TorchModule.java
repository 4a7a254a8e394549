package clipbench.backend.djl;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One TorchScript file loaded by DJL's PyTorch engine: its methods ({@code forward}, or exported ones such as
 * CLIP's {@code encode_image}) can be run on tensors. Each call gets its own native memory scope, freed when
 * the call returns, and runs without autograd on the caller's thread with the module's thread count.
 */
final class TorchModule implements AutoCloseable {
    static final String FORWARD = "forward";

    final Path file;
    final ai.djl.Device device;
    private final int threads;
    private final Model model;
    private final PtSymbolBlock block;
    private final Set<String> methods;

    private TorchModule(Path file, ai.djl.Device device, int threads, Model model) {
        this.file = file;
        this.device = device;
        this.threads = threads;
        this.model = model;
        this.block = (PtSymbolBlock) model.getBlock();
        this.methods = Set.copyOf(Arrays.asList(JniUtils.getMethodNames(block)));
    }

    /** Fails with the file's name when it is missing; touches no native code. */
    static Path requireFile(Path file, String what) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, what + " not found");
        }
        return file;
    }

    /** Loads a TorchScript file onto a device (its tensors are mapped there), in eval mode, frozen. */
    static TorchModule load(Path file, ai.djl.Device device, int threads) throws IOException {
        requireFile(file, "TorchScript file");
        DjlRuntime.engine();
        Model model = Model.newInstance(file.getFileName().toString(), device, DjlRuntime.ENGINE);
        try {
            // a path to a regular file makes PtModel load exactly that file
            model.load(file, null, Map.of("mapLocation", "true"));
            if (!(model.getBlock() instanceof PtSymbolBlock)) {
                throw new IOException(file + ": DJL did not load a TorchScript module (" + model.getBlock() + ")");
            }
            JniUtils.enableInferenceMode((PtSymbolBlock) model.getBlock());
            return new TorchModule(file, device, threads, model);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            if (e instanceof NoSuchFileException) {
                throw (NoSuchFileException) e;
            }
            throw new IOException(file + ": PyTorch cannot load this file as TorchScript (save it with"
                    + " torch.jit.trace/script(...).save): " + pytorchMessage(e), e);
        }
    }

    /** The module's methods, e.g. {@code [encode_image, encode_text, forward]}. */
    Set<String> methods() {
        return new TreeSet<>(methods);
    }

    boolean has(String method) {
        return methods.contains(method);
    }

    /**
     * Runs {@code method} on one tensor made from {@code data} and converts its tensor output (the first tensor
     * of a tuple or list output) with {@code read}, before the call's native memory is freed. A direct
     * {@code data} ({@link DirectInput}) becomes the tensor without a copy and may be reused once this returns.
     */
    <T> T run(String method, ByteBuffer data, Shape shape, DataType type, Function<NDArray, T> read) {
        if (!methods.contains(method)) {
            throw new IllegalStateException(file + ": the TorchScript module has no method '" + method
                    + "' (it has " + methods() + ")");
        }
        DjlRuntime.useThreads(threads);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (PtNDManager scope = (PtNDManager) model.getNDManager().newSubManager(device)) {
            PtNDArray input = scope.create(data, shape, type);
            try (IValue in = IValue.from(input); IValue out = IValueUtils.runMethod(block, method, in)) {
                return read.apply(tensor(out, scope, method));
            }
        } catch (ai.djl.engine.EngineException e) {
            throw new IllegalStateException(file + ": PyTorch failed running '" + method + "' on a " + type + " "
                    + dims(shape) + " input: " + pytorchMessage(e), e);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private PtNDArray tensor(IValue out, PtNDManager scope, String method) {
        if (out.isTensor()) {
            return out.toTensor(scope);
        }
        if (out.isTensorList()) {
            PtNDArray[] tensors = out.toTensorArray(scope);
            if (tensors.length > 0) {
                return tensors[0];
            }
        } else if (out.isTuple() || out.isList()) {
            IValue[] items = out.isTuple() ? out.toIValueTuple() : out.toIValueArray();
            try {
                for (IValue item : items) {
                    if (item.isTensor()) {
                        return item.toTensor(scope);
                    }
                }
            } finally {
                for (IValue item : items) {
                    item.close();
                }
            }
        }
        throw new IllegalStateException(file + ": method '" + method + "' returned " + out.getType()
                + ", expected a tensor");
    }

    /**
     * What PyTorch said, in one line: the final {@code SomethingError: ...} line of a TorchScript traceback (the
     * interpreter puts the real cause last), else the message's first line.
     */
    static String pytorchMessage(Throwable e) {
        String[] lines = String.valueOf(e.getMessage()).strip().split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].matches("^[A-Za-z_.]*(Error|Exception): .*")) {
                return lines[i].strip();
            }
        }
        return lines[0].strip();
    }

    /** {@code [1, 3, 224, 224]}. */
    static String dims(Shape shape) {
        return Arrays.toString(shape.getShape());
    }

    /** The module's memory scope; each call makes a child scope and frees it before returning. */
    ai.djl.ndarray.NDManager manager() {
        return model.getNDManager();
    }

    /** Native arrays still held in the module's scope (for leak tests). */
    int liveArrays() {
        return ((ai.djl.ndarray.BaseNDManager) model.getNDManager()).getManagedArrays().size();
    }

    @Override
    public void close() {
        model.close();
    }
}
