package clipbench.backend.tensorflow;

import clipbench.checkpoint.ClipCheckpoints;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.Safetensors;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Hugging Face {@code TFCLIPModel}'s serving signature: {@code serving_default} taking {@code pixel_values}
 * float32 {@code [N,3,H,W]}, {@code input_ids} and {@code attention_mask} int32 {@code [N,L]} together, giving
 * L2-normalised {@code image_embeds} and {@code text_embeds}. No real Hugging Face export can be made here (no
 * Python TensorFlow), so the SavedModel is an imitation built from the tiny ViT with the same signature.
 */
class TfHfSignatureTest {
    private static final Path VIT = TfFixtures.fixture("tiny-clip-vit");

    @Test
    void servingDefaultOfTfClipModelGivesBothTowers(@TempDir Path dir) throws IOException {
        ModelCard fixture = ModelCards.load(VIT);
        exportHfLike(fixture, dir.resolve("hf"));
        TfFixtures.writeCard(VIT, dir, Map.of("model", "hf"));
        ModelCard card = ModelCards.load(dir);
        try (Backbone hf = new TfBackboneProvider().open(card, BackendOptions.defaults());
             Backbone built = new TfBackboneProvider().open(fixture, BackendOptions.defaults())) {
            assertTrue(hf.capabilities().contains(Capability.TEXT_TOWER));
            ImageBatch images = sineImages(0, 3, 224);
            double image = maxAbsDiff(hf.embedImages(images), normalised(built.embedImages(images)));
            int[][] tokens = ContractFixtures.goldenTokens();
            double text = maxAbsDiff(hf.embedTokens(tokens), normalised(built.embedTokens(tokens)));
            System.out.printf("[hf] serving_default vs built (normalised): image %.3e, text %.3e%n", image, text);
            assertEquals(0, image, 1e-6);
            assertEquals(0, text, 1e-6);
        }
    }

    /** A SavedModel with TFCLIPModel's serving signature around the tiny ViT's towers. */
    private static void exportHfLike(ModelCard card, Path out) throws IOException {
        Safetensors checkpoint = Safetensors.open(card.requireArtifact("safetensors", "checkpoint"));
        ClipArchitecture arch = ClipArchitecture.infer(checkpoint, ClipCheckpoints.cardJson(card));
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            GraphParams params = GraphParams.variables(tf, checkpoint);
            ClipGraph clip = new ClipGraph(tf, params);
            Placeholder<TFloat32> pixels = tf.withName("pixel_values").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 3, -1, -1)));
            Placeholder<TInt32> ids = tf.withName("input_ids").placeholder(TInt32.class,
                    Placeholder.shape(Shape.of(-1, -1)));
            Placeholder<TInt32> mask = tf.withName("attention_mask").placeholder(TInt32.class,
                    Placeholder.shape(Shape.of(-1, -1)));
            Operand<TFloat32> image = normalise(tf, clip.encodeImage(pixels, arch));
            Operand<TFloat32> text = normalise(tf, clip.encodeText(tf.dtypes.cast(ids, TInt64.class), arch.text()));
            Signature signature = Signature.builder().key("serving_default").input("pixel_values", pixels)
                    .input("input_ids", ids).input("attention_mask", mask)
                    .output("image_embeds", tf.withName("image_embeds").identity(image))
                    .output("text_embeds", tf.withName("text_embeds").identity(text)).build();
            try (Session session = new Session(graph)) {
                params.initialize(session);
                SavedModelBundle.exporter(out.toString()).withFunction(SessionFunction.create(signature, session))
                        .export();
            }
        }
    }

    private static Operand<TFloat32> normalise(Ops tf, Operand<TFloat32> x) {
        return tf.math.div(x, tf.math.sqrt(tf.sum(tf.math.square(x), tf.constant(1), Sum.keepDims(true))));
    }

    private static float[][] normalised(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (float v : rows[i]) {
                sum += (double) v * v;
            }
            out[i] = new float[rows[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (rows[i][j] / Math.sqrt(sum));
            }
        }
        return out;
    }
}
