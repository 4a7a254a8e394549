package clipbench.backend.tensorflow;

import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * One TensorFlow graph, its session and its signatures (by key): a loaded SavedModel, or CLIP built from
 * a checkpoint with {@link ClipGraph}. Both are called the same way, through their signatures.
 */
final class TfModel implements AutoCloseable {
    static final String TAG = SavedModelBundle.DEFAULT_TAG;

    final Path source;
    final Map<String, SessionFunction> functions;
    private final List<AutoCloseable> resources;

    private TfModel(Path source, Map<String, SessionFunction> functions, List<AutoCloseable> resources) {
        this.source = source;
        this.functions = Collections.unmodifiableMap(functions);
        this.resources = resources;
    }

    /** Loads a SavedModel directory (tag {@code serve}). */
    static TfModel loadSavedModel(Path dir, ConfigProto config) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "SavedModel directory not found");
        }
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.isRegularFile(pb)) {
            throw new NoSuchFileException(pb.toString(), null, "not a SavedModel: no saved_model.pb in " + dir);
        }
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString()).withTags(TAG).withConfigProto(config).load();
        } catch (RuntimeException e) {
            throw new IOException(dir + ": TensorFlow cannot load the SavedModel (tag '" + TAG + "'): "
                    + e.getMessage(), e);
        }
        Map<String, SessionFunction> functions = new LinkedHashMap<>();
        for (Signature signature : bundle.signatures()) {
            functions.put(signature.key(), bundle.function(signature.key()));
        }
        return new TfModel(dir, functions, List.of(bundle));
    }

    /** Builds CLIP from a checkpoint with its weights as constants (signatures as {@link ClipGraph#signatures}). */
    static TfModel build(Checkpoint checkpoint, ClipArchitecture arch, boolean withText, ConfigProto config) {
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            List<Signature> signatures = new ClipGraph(tf, GraphParams.constants(tf, checkpoint))
                    .signatures(arch, withText);
            Session session = new Session(graph, config);
            Map<String, SessionFunction> functions = new LinkedHashMap<>();
            for (Signature signature : signatures) {
                functions.put(signature.key(), SessionFunction.create(signature, session));
            }
            List<AutoCloseable> resources = new ArrayList<>(List.of(session, graph));
            return new TfModel(Path.of(checkpoint.source()), functions, resources);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** {@code key(name dtype shape, ...) -> (name dtype shape, ...)} for each signature, for error messages. */
    String describe() {
        List<String> out = new ArrayList<>();
        functions.forEach((key, f) -> out.add(key + describe(f.signature().getInputs()) + " -> "
                + describe(f.signature().getOutputs())));
        return out.toString();
    }

    private static String describe(Map<String, Signature.TensorDescription> tensors) {
        List<String> out = new ArrayList<>();
        tensors.forEach((name, t) -> out.add(name + " " + t.dataType.name().replace("DT_", "").toLowerCase()
                + t.shape));
        return "(" + String.join(", ", out) + ")";
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException(source + ": closing TensorFlow resources failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
