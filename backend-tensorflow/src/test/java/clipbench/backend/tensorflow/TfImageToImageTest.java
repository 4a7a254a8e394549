package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The super-resolution fixture (testdata/models/tiny-sr) built from its checkpoint with TF ops. */
class TfImageToImageTest {
    private static final Path SR = TfFixtures.fixture("tiny-sr");
    private final TfBackboneProvider provider = new TfBackboneProvider();

    @Test
    void espcnMatchesPyTorch() throws IOException {
        JsonNode expected = ContractFixtures.readJson(SR.resolve("expected.json"));
        int size = expected.path("input").path("shape").get(2).asInt();
        float[] input = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < size; h++) {
                for (int w = 0; w < size; w++) {
                    input[(c * size + h) * size + w] = (float) (0.5 + 0.5 * Math.sin(0.1 * (c * 1000 + h * 37 + w)));
                }
            }
        }
        float[] want = ContractFixtures.floats(expected.path("output"));
        try (ImageToImage sr = provider.openImageToImage(ModelCards.load(SR), BackendOptions.defaults())) {
            ImageTensor out = sr.run(new ImageTensor(1, 3, size, size, input));
            assertArrayEquals(new int[] {1, 3, 4 * size, 4 * size},
                    new int[] {out.count(), out.channels(), out.height(), out.width()});
            double max = maxAbsDiff(out.data(), want);
            System.out.printf("[sr] tiny-sr through TF ops vs expected.json: max |diff| = %.3e%n", max);
            assertTrue(max <= expected.path("tolerance").asDouble(1e-5), "max |diff| " + max);

            // a batch of two (the second image flipped) gives each image's own output
            float[] flipped = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                flipped[i] = input[input.length - 1 - i];
            }
            float[] both = Arrays.copyOf(input, 2 * input.length);
            System.arraycopy(flipped, 0, both, input.length, input.length);
            ImageTensor pair = sr.run(new ImageTensor(2, 3, size, size, both));
            float[] second = sr.run(new ImageTensor(1, 3, size, size, flipped)).data();
            assertEquals(0, maxAbsDiff(Arrays.copyOf(pair.data(), want.length), out.data()), 1e-6);
            assertEquals(0, maxAbsDiff(Arrays.copyOfRange(pair.data(), want.length, 2 * want.length), second), 1e-6);
        }
    }

    /** The channel order given to DepthToSpace reproduces PyTorch's PixelShuffle exactly. */
    @Test
    void depthToSpaceOrderIsPixelShuffle() {
        int c = 3;
        int r = 4;
        int h = 2;
        int w = 3;
        float[] pytorch = new float[c * r * r * h * w]; // NCHW [1, c*r*r, h, w], values = their own index
        for (int i = 0; i < pytorch.length; i++) {
            pytorch[i] = i;
        }
        int[] order = SrGraph.depthToSpaceOrder(c, r);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
            var nhwc = tf.gather(tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1})), tf.constant(order),
                    tf.constant(3));
            var out = tf.linalg.transpose(tf.nn.depthToSpace(nhwc, (long) r), tf.constant(new int[] {0, 3, 1, 2}));
            try (Session session = new Session(graph);
                 TFloat32 in = TFloat32.tensorOf(Shape.of(1, c * r * r, h, w), DataBuffers.of(pytorch));
                 Result result = session.runner().feed(x, in).fetch(out).run()) {
                TFloat32 y = (TFloat32) result.get(0);
                for (int ch = 0; ch < c; ch++) {
                    for (int oy = 0; oy < h * r; oy++) {
                        for (int ox = 0; ox < w * r; ox++) {
                            // torch.nn.PixelShuffle: out[c][y*r+i][x*r+j] = in[c*r*r + i*r + j][y][x]
                            int src = ((ch * r * r + (oy % r) * r + ox % r) * h + oy / r) * w + ox / r;
                            assertEquals(pytorch[src], y.getFloat(0, ch, oy, ox), 0, "at " + ch + "," + oy + "," + ox);
                        }
                    }
                }
            }
        }
    }

    @Test
    void cardWithoutArchitectureIsRefused(@TempDir Path dir) throws IOException {
        Files.copy(SR.resolve("sr.safetensors"), dir.resolve("sr.safetensors"));
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), "{\"name\": \"x\", \"image_size\": 32, \"preprocess\":"
                + " \"scale01\", \"artifacts\": {\"safetensors\": {\"checkpoint\": \"sr.safetensors\"}}}");
        ModelCard card = ModelCards.load(dir);
        IOException e = assertThrows(IOException.class, () -> provider.openImageToImage(card, BackendOptions.defaults()));
        assertTrue(e.getMessage().contains("sr.safetensors") && e.getMessage().contains("espcn"), e.getMessage());
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(b.length, a.length, "length");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
