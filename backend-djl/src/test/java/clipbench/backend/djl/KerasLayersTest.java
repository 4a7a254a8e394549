package clipbench.backend.djl;

import static clipbench.backend.djl.KerasTestModels.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.KerasModel;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Each Keras layer type, alone or in tiny graphs, run by {@link KerasNet} on libtorch against the plain NHWC
 * reference ({@link KerasReference}), within 1e-5. Two images per batch, so batching is covered too.
 */
class KerasLayersTest {
    private static final double TOLERANCE = 1e-5;
    private static final Map<String, Double> ERRORS = new TreeMap<>();

    /** Runs {@code model} both ways on two random images and returns the largest absolute difference. */
    private static double check(String what, KerasTestModels b, KerasModel model) {
        int[] in = model.inputShape();
        int count = 2;
        float[] nhwc = b.images(count);
        float[][] got;
        try (KerasNet net = KerasNet.build(model, ai.djl.Device.cpu(), 0)) {
            got = net.run(KerasTestModels.nchw(nhwc, count, in[0], in[1], in[2]), count, in[0], in[1]);
        }
        int per = in[0] * in[1] * in[2];
        double worst = 0;
        for (int n = 0; n < count; n++) {
            float[] image = java.util.Arrays.copyOfRange(nhwc, n * per, (n + 1) * per);
            double[] want = KerasReference.run(model, image);
            assertEquals(want.length, got[n].length, what + ": output length");
            for (int i = 0; i < want.length; i++) {
                assertTrue(Double.isFinite(got[n][i]), what + ": value " + i + " is " + got[n][i]);
                worst = Math.max(worst, Math.abs(got[n][i] - want[i]));
            }
        }
        ERRORS.merge(what, worst, Math::max);
        assertTrue(worst <= TOLERANCE, what + ": max |libtorch - reference| = " + worst);
        return worst;
    }

    @AfterAll
    static void report() {
        ERRORS.forEach((k, v) -> System.out.printf("keras layer %-48s max abs error %.3g%n", k, v));
    }

    @Test
    void conv2dValidWithBiasAndActivation() {
        KerasTestModels b = new KerasTestModels("conv", 7, 6, 3, 1);
        b.conv("c", input(), 3, 3, 5, "{'filters': 5, 'kernel_size': [3, 3], 'strides': [1, 1], 'padding': 'valid',"
                + " 'activation': 'relu', 'use_bias': true}");
        check("Conv2D valid 3x3 relu", b, b.model("c"));
    }

    @Test
    void conv2dSameStrideTwoOnEvenAndOddSizes() {
        // even: 8 -> 4, pads 0 above and 1 below (Keras/TF); odd: 7 -> 4, pads 1 and 1; 9 -> 5, pads 1 and 1
        int[][] sizes = {{8, 8}, {7, 9}, {8, 7}, {6, 10}};
        for (int[] s : sizes) {
            for (int k : new int[] {1, 3, 5}) {
                KerasTestModels b = new KerasTestModels("conv-s2", s[0], s[1], 3, 10L * k + s[0]);
                b.conv("c", input(), k, 3, 4, "{'filters': 4, 'kernel_size': " + k + ", 'strides': 2,"
                        + " 'padding': 'same', 'activation': 'linear', 'use_bias': false}");
                check("Conv2D same stride 2 (even/odd)", b, b.model("c"));
            }
        }
    }

    @Test
    void conv2dSameStrideOneAndDilated() {
        KerasTestModels b = new KerasTestModels("conv-same", 6, 7, 2, 3);
        b.conv("c1", input(), 3, 2, 3, "{'filters': 3, 'kernel_size': [3, 3], 'padding': 'same'}");
        b.conv("c2", "c1", 2, 3, 3, "{'filters': 3, 'kernel_size': [2, 2], 'padding': 'same', 'strides': [1, 1]}");
        b.conv("c3", "c2", 3, 3, 2, "{'filters': 2, 'kernel_size': 3, 'padding': 'same', 'dilation_rate': 2}");
        check("Conv2D same stride 1, even kernel, dilation 2", b, b.model("c3"));
    }

    @Test
    void depthwiseConv2d() {
        int[][] sizes = {{8, 8}, {7, 7}, {9, 6}};
        for (int[] s : sizes) {
            for (int mult : new int[] {1, 2}) {
                KerasTestModels b = new KerasTestModels("dw", s[0], s[1], 3, 100L * mult + s[1]);
                b.depthwise("d1", input(), 3, 3, mult, "{'kernel_size': [3, 3], 'strides': [2, 2], 'padding': 'same',"
                        + " 'depth_multiplier': " + mult + ", 'use_bias': false}");
                b.depthwise("d2", "d1", 3, 3 * mult, 1, "{'kernel_size': [3, 3], 'strides': [1, 1],"
                        + " 'padding': 'valid', 'depth_multiplier': 1, 'use_bias': true, 'activation': 'relu6'}");
                check("DepthwiseConv2D same s2 / valid, multiplier", b, b.model("d2"));
            }
        }
    }

    @Test
    void batchNormalizationWithEveryCenterAndScale() {
        for (boolean center : new boolean[] {true, false}) {
            for (boolean scale : new boolean[] {true, false}) {
                KerasTestModels b = new KerasTestModels("bn", 5, 4, 3, center ? scale ? 1 : 2 : scale ? 3 : 4);
                b.batchNorm("bn", input(), 3, center, scale);
                check("BatchNormalization (center/scale)", b, b.model("bn"));
            }
        }
        KerasTestModels b = new KerasTestModels("bn-dense", 3, 3, 2, 5);
        b.layer("flat", "Flatten", "{}", input());
        b.dense("fc", "flat", 18, 6, "linear");
        b.batchNorm("bn", "fc", 6, true, true);
        check("BatchNormalization after Dense", b, b.model("bn"));
    }

    @Test
    void reluLayers() {
        KerasTestModels b = new KerasTestModels("relu", 4, 5, 3, 6);
        b.layer("scaled", "Activation", "{'activation': 'linear'}", input());
        b.layer("r6", "ReLU", "{'max_value': 6.0}", input());
        b.layer("r", "ReLU", "{'max_value': null}", input());
        b.layer("leaky", "ReLU", "{'max_value': 0.8, 'negative_slope': 0.1, 'threshold': 0.0}", input());
        b.layer("thr", "ReLU", "{'max_value': 0.9, 'negative_slope': 0.2, 'threshold': 0.3}", input());
        b.layer("thr0", "ReLU", "{'negative_slope': 0.0, 'threshold': 0.25}", input());
        b.layer("all", "Concatenate", "{'axis': -1}", "r6", "r", "leaky", "thr", "thr0", "scaled");
        check("ReLU (max_value, negative_slope, threshold)", b, b.model("all"));
        // ReLU6 really clips: scale the input up
        KerasTestModels big = new KerasTestModels("relu6", 4, 4, 2, 7);
        big.conv("c", input(), 1, 2, 2, "{'filters': 2, 'kernel_size': 1, 'use_bias': false}");
        big.layer("r6", "ReLU", "{'max_value': 6}", "c");
        big.weight("c", "kernel", -20f, 20f, 1, 1, 2, 2); // values far above 6 and below 0
        check("ReLU (max_value, negative_slope, threshold)", big, big.model("r6"));
    }

    @Test
    void activations() {
        for (String a : new String[] {"relu", "relu6", "softmax", "linear", "sigmoid", "tanh"}) {
            KerasTestModels b = new KerasTestModels("act", 3, 4, 5, a.hashCode());
            b.conv("c", input(), 1, 5, 5, "{'filters': 5, 'kernel_size': 1}");
            b.layer("a", "Activation", "{'activation': '" + a + "'}", "c");
            check("Activation " + a, b, b.model("a"));
        }
    }

    @Test
    void zeroPadding() {
        String[] paddings = {"[[0, 1], [0, 1]]", "2", "[1, 2]", "[[2, 0], [1, 3]]"};
        for (String p : paddings) {
            KerasTestModels b = new KerasTestModels("pad", 4, 3, 2, p.length());
            b.layer("p", "ZeroPadding2D", "{'padding': " + p + "}", input());
            b.conv("c", "p", 3, 2, 2, "{'filters': 2, 'kernel_size': 3, 'strides': 2, 'padding': 'valid'}");
            check("ZeroPadding2D (+ valid conv)", b, b.model("c"));
        }
    }

    @Test
    void addAndConcatenate() {
        KerasTestModels b = new KerasTestModels("merge", 5, 5, 3, 8);
        b.conv("a", input(), 1, 3, 3, "{'filters': 3, 'kernel_size': 1}");
        b.conv("c", input(), 3, 3, 3, "{'filters': 3, 'kernel_size': 3, 'padding': 'same'}");
        b.layer("sum", "Add", "{}", input(), "a", "c");
        check("Add (three inputs)", b, b.model("sum"));
        b.conv("d", "sum", 1, 3, 2, "{'filters': 2, 'kernel_size': 1}");
        b.layer("cat", "Concatenate", "{'axis': 3}", "sum", "d", "a");
        b.layer("cat2", "Concatenate", "{'axis': -1}", "cat", input());
        check("Concatenate channels (axis 3 / -1)", b, b.model("cat2"));
        b.layer("rows", "Concatenate", "{'axis': 1}", "d", "d");
        check("Concatenate height (axis 1)", b, b.model("rows"));
    }

    @Test
    void maxPooling() {
        String[] configs = {
            "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'valid'}",
            "{'pool_size': [2, 2], 'strides': [2, 2], 'padding': 'same'}",
            "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'same'}",
            "{'pool_size': [3, 3], 'strides': [1, 1], 'padding': 'same'}",
            "{'pool_size': [2, 2], 'strides': null, 'padding': 'valid'}"};
        for (String cfg : configs) {
            for (int[] s : new int[][] {{7, 7}, {8, 8}, {6, 9}}) {
                KerasTestModels b = new KerasTestModels("max", s[0], s[1], 3, cfg.length() + s[1]);
                // all-negative values: a zero-padded max would show
                b.layer("neg", "ReLU", "{'negative_slope': 1.0, 'threshold': 2.0}", input());
                b.layer("m", "MaxPooling2D", cfg, "neg");
                check("MaxPooling2D (valid / same, -inf padding)", b, b.model("m"));
            }
        }
    }

    @Test
    void averagePoolingLeavesSamePaddingOutOfTheAverage() {
        String[] configs = {
            "{'pool_size': [3, 3], 'strides': [1, 1], 'padding': 'same'}",
            "{'pool_size': [2, 2], 'strides': [2, 2], 'padding': 'same'}",
            "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'same'}",
            "{'pool_size': [2, 3], 'strides': [1, 2], 'padding': 'same'}",
            "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'valid'}"};
        for (String cfg : configs) {
            for (int[] s : new int[][] {{7, 7}, {8, 8}, {6, 9}}) {
                KerasTestModels b = new KerasTestModels("avg", s[0], s[1], 3, cfg.length() * 7 + s[0]);
                b.layer("a", "AveragePooling2D", cfg, input());
                check("AveragePooling2D (same: padding not counted)", b, b.model("a"));
            }
        }
        // MobileNetV2's head: 7x7 average over the whole 7x7 map
        KerasTestModels b = new KerasTestModels("avg-head", 7, 7, 4, 9);
        b.layer("a", "AveragePooling2D", "{'pool_size': [7, 7], 'strides': [7, 7], 'padding': 'valid'}", input());
        b.layer("f", "Flatten", "{}", "a");
        check("AveragePooling2D 7x7 + Flatten", b, b.model("f"));
    }

    @Test
    void globalPoolingFlattenDenseDropout() {
        KerasTestModels b = new KerasTestModels("head", 4, 3, 5, 10);
        b.layer("g", "GlobalAveragePooling2D", "{}", input());
        b.dense("fc", "g", 5, 4, "relu");
        b.layer("drop", "Dropout", "{'rate': 0.5}", "fc");
        b.dense("out", "drop", 4, 3, "softmax");
        check("GlobalAveragePooling2D + Dense + Dropout + softmax", b, b.model("out"));
    }

    @Test
    void flattenFollowsKerasChannelsLastOrder() {
        KerasTestModels b = new KerasTestModels("flat", 3, 4, 2, 11);
        b.layer("f", "Flatten", "{}", input());
        check("Flatten (NHWC order)", b, b.model("f"));
        b.dense("fc", "f", 24, 5, "tanh");
        check("Dense after Flatten of a 3x4x2 map", b, b.model("fc"));
        b.dense("fc4", input(), 2, 3, "sigmoid");
        check("Dense on a feature map (last axis)", b, b.model("fc4"));
    }

    @Test
    void aFeatureMapOutputIsFlattenedInKerasOrder() {
        KerasTestModels b = new KerasTestModels("map", 5, 4, 3, 12);
        b.conv("c", input(), 3, 3, 6, "{'filters': 6, 'kernel_size': 3, 'strides': 2, 'padding': 'same'}");
        check("feature-map output (NHWC order)", b, b.model("c"));
    }

    @Test
    void aMobileNetV2StyleBlock() {
        KerasTestModels b = new KerasTestModels("mnv2-block", 9, 9, 3, 13);
        b.layer("pad", "ZeroPadding2D", "{'padding': [[0, 1], [0, 1]]}", input());
        b.conv("conv1", "pad", 3, 3, 8, "{'filters': 8, 'kernel_size': [3, 3], 'strides': [2, 2], 'padding': 'valid',"
                + " 'use_bias': false}");
        b.batchNorm("bn1", "conv1", 8, true, true);
        b.layer("relu1", "ReLU", "{'max_value': 6.0}", "bn1");
        b.conv("expand", "relu1", 1, 8, 16, "{'filters': 16, 'kernel_size': 1, 'use_bias': false}");
        b.batchNorm("bn2", "expand", 16, true, true);
        b.layer("relu2", "ReLU", "{'max_value': 6.0}", "bn2");
        b.depthwise("dw", "relu2", 3, 16, 1, "{'kernel_size': [3, 3], 'padding': 'same', 'use_bias': false}");
        b.batchNorm("bn3", "dw", 16, true, true);
        b.layer("relu3", "ReLU", "{'max_value': 6.0}", "bn3");
        b.conv("project", "relu3", 1, 16, 8, "{'filters': 8, 'kernel_size': 1, 'use_bias': false}");
        b.batchNorm("bn4", "project", 8, true, true);
        b.layer("add", "Add", "{}", "relu1", "bn4");
        b.layer("gap", "GlobalAveragePooling2D", "{}", "add");
        b.dense("fc", "gap", 8, 5, "softmax");
        check("MobileNetV2-style block", b, b.model("fc"));
    }

    @Test
    void anInceptionStyleBlock() {
        KerasTestModels b = new KerasTestModels("inception-block", 11, 11, 3, 14);
        b.conv("c0", input(), 3, 3, 6, "{'filters': 6, 'kernel_size': 3, 'strides': 2, 'padding': 'valid',"
                + " 'use_bias': false}");
        b.batchNorm("bn0", "c0", 6, false, true);
        b.batchNorm("bn0b", "bn0", 6, true, false);
        b.layer("a0", "Activation", "{'activation': 'relu'}", "bn0b");
        b.conv("b1", "a0", 1, 6, 4, "{'filters': 4, 'kernel_size': 1, 'padding': 'same', 'use_bias': false}");
        b.conv("b2", "a0", 3, 6, 4, "{'filters': 4, 'kernel_size': 3, 'padding': 'same', 'use_bias': false}");
        b.layer("p", "AveragePooling2D", "{'pool_size': [3, 3], 'strides': [1, 1], 'padding': 'same'}", "a0");
        b.conv("b3", "p", 1, 6, 2, "{'filters': 2, 'kernel_size': 1, 'padding': 'same', 'use_bias': false}");
        b.layer("mp", "MaxPooling2D", "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'valid'}", "a0");
        b.layer("mix", "Concatenate", "{'axis': 3}", "b1", "b2", "b3");
        b.layer("down", "MaxPooling2D", "{'pool_size': [3, 3], 'strides': [2, 2], 'padding': 'valid'}", "mix");
        b.layer("mix2", "Concatenate", "{'axis': -1}", "down", "mp");
        b.layer("avg", "AveragePooling2D", "{'pool_size': [2, 2], 'strides': [2, 2], 'padding': 'valid'}", "mix2");
        b.layer("flat", "Flatten", "{}", "avg");
        b.dense("fc", "flat", 16, 3, "softmax");
        check("Inception-style block", b, b.model("fc"));
    }
}
