package clipbench.backend.tensorflow;

import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * Writes a SavedModel (tag {@code serve}) of CLIP built from a model card's safetensors checkpoint, with the
 * signatures this backend reads: {@value ClipGraph#IMAGE_SIGNATURE} (input {@code image} float32
 * {@code [N,3,S,S]}, output {@code embedding} float32 {@code [N,E]}) and, when the checkpoint has a text
 * tower, {@value ClipGraph#TEXT_SIGNATURE} (input {@code text} int64 {@code [N,context]}, output
 * {@code embedding}). The weights are variables named as in the state dict, stored in {@code variables/}.
 */
public final class TfExporter {
    private TfExporter() {
    }

    public static void export(ModelCard card, Path out) throws IOException {
        if (ClipCheckpoints.file(card).isEmpty()) {
            throw new IOException(card.directory() + ": the model card lists no safetensors checkpoint"
                    + " (artifacts.safetensors.checkpoint) to export");
        }
        if (Files.exists(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(out + ": already exists and is not empty; choose a new folder");
                }
            }
        }
        ClipCheckpoint opened = ClipCheckpoints.open(card);
        Checkpoint checkpoint = opened.weights();
        ClipArchitecture arch = opened.architecture();
        Files.createDirectories(out);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            GraphParams params = GraphParams.variables(tf, checkpoint);
            List<Signature> signatures = new ClipGraph(tf, params).signatures(arch, arch.text() != null);
            try (Session session = new Session(graph, TfRuntime.config(BackendOptions.defaults(), false))) {
                params.initialize(session);
                SavedModelBundle.Exporter exporter = SavedModelBundle.exporter(out.toString()).withTags(TfModel.TAG);
                for (Signature signature : signatures) {
                    exporter.withFunction(SessionFunction.create(signature, session));
                }
                exporter.export();
            }
        } catch (RuntimeException e) {
            throw new IOException(out + ": exporting " + opened.files() + " failed: " + e.getMessage(), e);
        }
    }

    /** {@code TfExporter MODEL_DIR OUT_DIR}: what {@code clipbench export --backend tensorflow} calls. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: TfExporter MODEL_DIR OUT_DIR");
            System.exit(2);
        }
        export(ModelCards.load(Path.of(args[0])), Path.of(args[1]));
        System.out.println("wrote " + args[1]);
    }
}
