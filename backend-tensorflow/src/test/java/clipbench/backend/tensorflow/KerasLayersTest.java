package clipbench.backend.tensorflow;

import static clipbench.backend.tensorflow.KerasTestModels.cfg;
import static clipbench.backend.tensorflow.KerasTestModels.check;
import static clipbench.backend.tensorflow.KerasTestModels.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.backend.tensorflow.KerasReference.Nd;
import clipbench.backend.tensorflow.KerasTestModels.Builder;
import clipbench.keras.KerasModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Each Keras layer type built with TF ops ({@link KerasGraph}) against the plain-Java NHWC reference
 * ({@link KerasReference}), within {@value KerasTestModels#TOLERANCE}, on tiny models with random weights.
 */
class KerasLayersTest {
    private static final int[] ONE = {1, 1};
    private static final int[] TWO = {2, 2};
    private static final int[] K3 = {3, 3};

    private static int[] sq(int k) {
        return new int[] {k, k};
    }

    @Test
    void conv2dSamePaddingStride1() {
        for (int k : new int[] {1, 2, 3, 5}) {
            KerasModel m = new Builder("conv_same", 7, 6, 3, k).conv("conv", 3, 4, sq(k), ONE, "same", ONE, true,
                    "linear").build();
            check("Conv2D " + k + "x" + k + " same stride 1 on 7x6", m, input(1, -1, 1, 2, 7, 6, 3), 2, 7, 6, 4);
        }
    }

    /** Keras's same padding at stride 2 pads the odd cell at the bottom/right (PyTorch would pad symmetrically). */
    @Test
    void conv2dStride2SamePaddingOnEvenAndOddSizes() {
        int[][] sizes = {{8, 8}, {7, 7}, {7, 8}, {6, 9}, {224, 3}};
        for (int[] hw : sizes) {
            for (int k : new int[] {1, 2, 3, 4}) {
                KerasModel m = new Builder("conv_s2", hw[0], hw[1], 3, k).conv("conv", 3, 5, sq(k), TWO, "same", ONE,
                        true, "linear").build();
                check("Conv2D " + k + "x" + k + " same stride 2 on " + hw[0] + "x" + hw[1], m,
                        input(2, -1, 1, 1, hw[0], hw[1], 3), 1, (hw[0] + 1) / 2, (hw[1] + 1) / 2, 5);
            }
        }
    }

    @Test
    void conv2dValidPaddingStridesAndDilation() {
        Nd x = input(3, -1, 1, 2, 9, 8, 3);
        check("Conv2D 3x3 valid stride 2", new Builder("c", 9, 8, 3, 1).conv("conv", 3, 4, K3, TWO, "valid", ONE,
                true, "linear").build(), x, 2, 4, 3, 4);
        check("Conv2D 3x3 valid dilation 2", new Builder("c", 9, 8, 3, 2).conv("conv", 3, 4, K3, ONE, "valid", TWO,
                true, "linear").build(), x, 2, 5, 4, 4);
        check("Conv2D 3x3 same dilation 2", new Builder("c", 9, 8, 3, 3).conv("conv", 3, 4, K3, ONE, "same", TWO,
                true, "linear").build(), x, 2, 9, 8, 4);
        check("Conv2D 3x1 same strides [1,2]", new Builder("c", 9, 8, 3, 4).conv("conv", 3, 4, new int[] {3, 1},
                new int[] {1, 2}, "same", ONE, true, "linear").build(), x, 2, 9, 4, 4);
        check("Conv2D 1x7 valid (Inception's factorised kernel)", new Builder("c", 9, 8, 3, 5).conv("conv", 3, 2,
                new int[] {1, 7}, ONE, "valid", ONE, false, "linear").build(), x, 2, 9, 2, 2);
    }

    @Test
    void conv2dFusedActivationsAndUseBias() {
        Nd x = input(4, -1, 1, 2, 5, 5, 3);
        for (String activation : new String[] {"linear", "relu", "relu6", "sigmoid", "tanh", "softmax"}) {
            for (boolean bias : new boolean[] {true, false}) {
                KerasModel m = new Builder("c", 5, 5, 3, 7).conv("conv", 3, 4, K3, ONE, "same", ONE, bias, activation)
                        .build();
                check("Conv2D activation " + activation + (bias ? " with bias" : " without bias"), m, x);
            }
        }
    }

    @Test
    void depthwiseConv2dWithDepthMultiplier() {
        for (int[] hw : new int[][] {{8, 8}, {7, 7}, {7, 6}}) {
            for (int mult : new int[] {1, 2, 3}) {
                Nd x = input(5, -1, 1, 2, hw[0], hw[1], 4);
                check("DepthwiseConv2D x" + mult + " 3x3 same stride 1 on " + hw[0] + "x" + hw[1],
                        new Builder("d", hw[0], hw[1], 4, mult).depthwise("dw", 4, mult, K3, ONE, "same", ONE, false,
                                "linear").build(), x, 2, hw[0], hw[1], 4 * mult);
                check("DepthwiseConv2D x" + mult + " 3x3 same stride 2 on " + hw[0] + "x" + hw[1],
                        new Builder("d", hw[0], hw[1], 4, mult + 10).depthwise("dw", 4, mult, K3, TWO, "same", ONE,
                                true, "relu6").build(), x, 2, (hw[0] + 1) / 2, (hw[1] + 1) / 2, 4 * mult);
                check("DepthwiseConv2D x" + mult + " 3x3 valid stride 2 on " + hw[0] + "x" + hw[1],
                        new Builder("d", hw[0], hw[1], 4, mult + 20).depthwise("dw", 4, mult, K3, TWO, "valid", ONE,
                                true, "linear").build(), x, 2, (hw[0] - 1) / 2, (hw[1] - 1) / 2, 4 * mult);
            }
        }
        Nd x = input(6, -1, 1, 1, 9, 9, 2);
        check("DepthwiseConv2D x2 3x3 same dilation 2", new Builder("d", 9, 9, 2, 30).depthwise("dw", 2, 2, K3, ONE,
                "same", TWO, true, "linear").build(), x, 1, 9, 9, 4);
        check("DepthwiseConv2D x1 5x5 same stride 2 on 9x9", new Builder("d", 9, 9, 2, 31).depthwise("dw", 2, 1,
                sq(5), TWO, "same", ONE, true, "linear").build(), x, 1, 5, 5, 2);
    }

    @Test
    void batchNormalizationInInference() {
        Nd x = input(7, -2, 2, 2, 4, 5, 6);
        for (boolean center : new boolean[] {true, false}) {
            for (boolean scale : new boolean[] {true, false}) {
                for (Object axis : new Object[] {-1, 3, new int[] {3}}) {
                    for (double eps : new double[] {1e-3, 1e-5}) {
                        KerasModel m = new Builder("bn", 4, 5, 6, 8).batchNorm("bn", 6, axis, eps, center, scale)
                                .build();
                        check("BatchNormalization center=" + center + " scale=" + scale + " axis="
                                + (axis instanceof int[] a ? Arrays.toString(a) : axis) + " eps=" + eps, m, x,
                                2, 4, 5, 6);
                    }
                }
            }
        }
        KerasModel afterDense = new Builder("bn", 4, 5, 6, 9).layer("flat", "Flatten", cfg())
                .dense("fc", 120, 7, "linear").batchNorm("bn", 7, -1, 1e-3, true, true).build();
        check("BatchNormalization after Dense (rank 2)", afterDense, x, 2, 7);
    }

    @Test
    void reluWithMaxValueSlopeAndThreshold() {
        Nd x = input(8, -8, 8, 2, 4, 4, 3);
        Object[][] configs = {
                {"max_value", 6.0, "negative_slope", 0.0, "threshold", 0.0},
                {"max_value", null, "negative_slope", 0.0, "threshold", 0.0},
                {"max_value", 2.5},
                {"negative_slope", 0.2},
                {"max_value", 4.0, "negative_slope", 0.1, "threshold", 0.3},
        };
        for (Object[] c : configs) {
            KerasModel m = new Builder("relu", 4, 4, 3, 1).layer("relu", "ReLU", cfg(c)).build();
            check("ReLU " + Arrays.toString(c), m, x, 2, 4, 4, 3);
        }
    }

    @Test
    void activationLayers() {
        Nd x = input(9, -7, 7, 2, 3, 4, 5);
        for (String a : new String[] {"relu", "relu6", "softmax", "linear", "sigmoid", "tanh"}) {
            KerasModel m = new Builder("act", 3, 4, 5, 1).layer("act", "Activation", cfg("activation", a)).build();
            check("Activation " + a, m, x, 2, 3, 4, 5);
        }
    }

    @Test
    void zeroPadding2d() {
        Nd x = input(10, 0.5, 1, 1, 5, 4, 2);
        Object[] paddings = {1, new int[] {1, 2}, new int[][] {{0, 1}, {0, 1}}, new int[][] {{2, 0}, {1, 3}}};
        int[][] shapes = {{1, 7, 6, 2}, {1, 7, 8, 2}, {1, 6, 5, 2}, {1, 7, 8, 2}};
        for (int i = 0; i < paddings.length; i++) {
            KerasModel m = new Builder("pad", 5, 4, 2, 1).layer("pad", "ZeroPadding2D", cfg("padding", paddings[i],
                    "data_format", "channels_last")).build();
            check("ZeroPadding2D " + KerasTestModels.JSON.valueToTree(paddings[i]), m, x, shapes[i]);
        }
        // MobileNetV2's stem: pad bottom/right by one, then a valid stride-2 conv
        KerasModel stem = new Builder("stem", 8, 8, 3, 2).layer("pad", "ZeroPadding2D", cfg("padding",
                new int[][] {{0, 1}, {0, 1}})).conv("conv", 3, 4, K3, TWO, "valid", ONE, false, "linear").build();
        check("ZeroPadding2D [[0,1],[0,1]] + Conv2D valid stride 2", stem, input(11, -1, 1, 2, 8, 8, 3), 2, 4, 4, 4);
    }

    @Test
    void addAndConcatenate() {
        Builder b = new Builder("merge", 6, 5, 3, 12);
        b.conv("a", 3, 4, K3, ONE, "same", ONE, true, "relu", "input_1");
        b.conv("b", 3, 4, ONE, ONE, "same", ONE, true, "linear", "input_1");
        b.conv("c", 3, 4, sq(5), ONE, "same", ONE, false, "linear", "input_1");
        Nd x = input(13, -1, 1, 2, 6, 5, 3);
        check("Add of two", b.layer("add2", "Add", cfg(), "a", "b").build(), x, 2, 6, 5, 4);
        check("Add of three", b.layer("add3", "Add", cfg(), "a", "b", "c").build(), x, 2, 6, 5, 4);
        check("Concatenate axis -1", b.layer("cat", "Concatenate", cfg("axis", -1), "a", "input_1", "c").build(), x,
                2, 6, 5, 11);
        check("Concatenate axis 3 then Conv2D", b.layer("cat3", "Concatenate", cfg("axis", 3), "c", "a")
                .conv("after", 8, 2, K3, TWO, "same", ONE, true, "linear").build(), x, 2, 3, 3, 2);
    }

    @Test
    void maxPooling() {
        for (int[] hw : new int[][] {{8, 8}, {7, 7}, {9, 6}}) {
            Nd x = input(14, -3, -1, 2, hw[0], hw[1], 3); // all negative: a zero-padded max would show
            check("MaxPooling2D 2x2 (strides null) valid on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3,
                    1).layer("pool", "MaxPooling2D", cfg("pool_size", TWO, "strides", null, "padding", "valid"))
                    .build(), x, 2, hw[0] / 2, hw[1] / 2, 3);
            check("MaxPooling2D 3x3 stride 2 same on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3, 1)
                    .layer("pool", "MaxPooling2D", cfg("pool_size", K3, "strides", TWO, "padding", "same")).build(),
                    x, 2, (hw[0] + 1) / 2, (hw[1] + 1) / 2, 3);
            check("MaxPooling2D 3x3 stride 2 valid on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3, 1)
                    .layer("pool", "MaxPooling2D", cfg("pool_size", K3, "strides", TWO, "padding", "valid")).build(),
                    x, 2, (hw[0] - 1) / 2, (hw[1] - 1) / 2, 3);
        }
    }

    /** TF's (and so Keras's) average pooling with same padding divides by the cells inside the image only. */
    @Test
    void averagePoolingWithSamePaddingExcludesThePadding() {
        for (int[] hw : new int[][] {{8, 8}, {7, 7}, {5, 8}}) {
            Nd x = input(15, 1, 3, 2, hw[0], hw[1], 3); // all positive: counting the padding would lower the mean
            check("AveragePooling2D 3x3 stride 1 same on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3, 1)
                    .layer("pool", "AveragePooling2D", cfg("pool_size", K3, "strides", ONE, "padding", "same")).build(),
                    x, 2, hw[0], hw[1], 3);
            check("AveragePooling2D 3x3 stride 2 same on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3, 1)
                    .layer("pool", "AveragePooling2D", cfg("pool_size", K3, "strides", TWO, "padding", "same")).build(),
                    x, 2, (hw[0] + 1) / 2, (hw[1] + 1) / 2, 3);
            check("AveragePooling2D 2x2 stride 2 same on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1], 3, 1)
                    .layer("pool", "AveragePooling2D", cfg("pool_size", TWO, "strides", TWO, "padding", "same"))
                    .build(),
                    x, 2, (hw[0] + 1) / 2, (hw[1] + 1) / 2, 3);
            check("AveragePooling2D 2x2 (strides null) valid on " + hw[0] + "x" + hw[1], new Builder("p", hw[0], hw[1],
                    3, 1).layer("pool", "AveragePooling2D", cfg("pool_size", TWO, "padding", "valid")).build(), x,
                    2, hw[0] / 2, hw[1] / 2, 3);
        }
        Nd corner = KerasReference.run(new Builder("p", 7, 7, 1, 1).layer("pool", "AveragePooling2D",
                cfg("pool_size", K3, "strides", ONE, "padding", "same")).build(), Nd.of(new int[] {1, 7, 7, 1},
                filled(49, 1f)));
        assertEquals(1.0, corner.data()[0], 1e-12, "the reference must leave the padding out of the mean");
    }

    @Test
    void globalPoolingFlattenDenseAndDropout() {
        Nd x = input(16, -1, 1, 3, 4, 3, 5);
        check("GlobalAveragePooling2D", new Builder("g", 4, 3, 5, 1).layer("gap", "GlobalAveragePooling2D",
                cfg("data_format", "channels_last")).build(), x, 3, 5);
        check("GlobalAveragePooling2D keepdims + Flatten", new Builder("g", 4, 3, 5, 1).layer("gap",
                "GlobalAveragePooling2D", cfg("keepdims", true)).layer("flat", "Flatten", cfg()).build(), x, 3, 5);
        KerasModel flat = new Builder("f", 4, 3, 5, 1).layer("flat", "Flatten", cfg("data_format", "channels_last"))
                .build();
        Nd flattened = KerasTestModels.runTf(flat, x);
        assertArrayEquals(x.floats(), flattened.floats(), "Flatten keeps NHWC order");
        check("Flatten", flat, x, 3, 60);
        check("Flatten + Dense relu + Dropout + Dense softmax", new Builder("head", 4, 3, 5, 2)
                .layer("flat", "Flatten", cfg()).dense("fc1", 60, 16, "relu")
                .layer("drop", "Dropout", cfg("rate", 0.5)).dense("fc2", 16, 5, "softmax").build(), x, 3, 5);
        check("Dense on a feature map (every position)", new Builder("fm", 4, 3, 5, 4).dense("fc", 5, 6, "relu")
                .build(), x, 3, 4, 3, 6);
        for (String a : new String[] {"linear", "sigmoid", "tanh", "relu6"}) {
            check("GlobalAveragePooling2D + Dense " + a, new Builder("head", 4, 3, 5, 3).layer("gap",
                    "GlobalAveragePooling2D", cfg()).dense("fc", 5, 7, a).build(), x, 3, 7);
        }
    }

    @Test
    void mobileNetV2AndInceptionStyleBlocks() {
        Builder mb = new Builder("mbv2", 16, 16, 3, 40)
                .layer("Conv1_pad", "ZeroPadding2D", cfg("padding", new int[][] {{0, 1}, {0, 1}}))
                .conv("Conv1", 3, 8, K3, TWO, "valid", ONE, false, "linear")
                .batchNorm("bn_Conv1", 8, -1, 1e-3, true, true)
                .layer("Conv1_relu", "ReLU", cfg("max_value", 6.0, "negative_slope", 0.0, "threshold", 0.0))
                .depthwise("dw", 8, 1, K3, ONE, "same", ONE, false, "linear")
                .batchNorm("dw_bn", 8, -1, 1e-3, true, true)
                .layer("dw_relu", "ReLU", cfg("max_value", 6.0))
                .conv("project", 8, 8, ONE, ONE, "same", ONE, false, "linear")
                .batchNorm("project_bn", 8, -1, 1e-3, true, true)
                .layer("add", "Add", cfg(), "Conv1_relu", "project_bn")
                .conv("expand", 8, 24, ONE, ONE, "same", ONE, false, "linear")
                .layer("pad2", "ZeroPadding2D", cfg("padding", new int[][] {{0, 1}, {0, 1}}))
                .depthwise("dw2", 24, 1, K3, TWO, "valid", ONE, false, "linear")
                .layer("relu2", "ReLU", cfg("max_value", 6.0))
                .layer("avg", "AveragePooling2D", cfg("pool_size", sq(4), "strides", sq(4), "padding", "valid"))
                .layer("flatten", "Flatten", cfg())
                .dense("fc", 24, 5, "softmax");
        check("MobileNetV2-style stem + inverted residual + head", mb.build(), input(41, 0, 1, 2, 16, 16, 3), 2, 5);

        Builder ib = new Builder("inception", 19, 19, 3, 50)
                .conv("conv1", 3, 8, K3, TWO, "valid", ONE, false, "linear")
                .batchNorm("bn1", 8, 3, 1e-3, true, false)
                .layer("act1", "Activation", cfg("activation", "relu"))
                .layer("pool1", "MaxPooling2D", cfg("pool_size", K3, "strides", TWO, "padding", "valid"))
                .conv("b1", 8, 4, ONE, ONE, "same", ONE, false, "relu", "pool1")
                .conv("b2a", 8, 4, ONE, ONE, "same", ONE, false, "relu", "pool1")
                .conv("b2b", 4, 6, new int[] {1, 3}, ONE, "same", ONE, false, "relu", "b2a")
                .conv("b2c", 6, 6, new int[] {3, 1}, ONE, "same", ONE, false, "relu", "b2b")
                .layer("b3", "AveragePooling2D", cfg("pool_size", K3, "strides", ONE, "padding", "same"), "pool1")
                .conv("b3c", 8, 2, ONE, ONE, "same", ONE, false, "relu", "b3")
                .layer("mixed", "Concatenate", cfg("axis", 3), "b1", "b2c", "b3c")
                .layer("gap", "GlobalAveragePooling2D", cfg())
                .dense("fc", 12, 5, "softmax");
        check("InceptionV3-style stem + mixed block + head", ib.build(), input(51, 0, 1, 2, 19, 19, 3), 2, 5);
    }

    @Test
    void unsupportedConfigsNameTheLayer() {
        Nd x = input(60, 0, 1, 1, 4, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasTestModels.runTf(
                new Builder("bad", 4, 4, 3, 1).layer("swishy", "Activation", cfg("activation", "swish")).build(), x));
        assertTrue(e.getMessage().contains("'swishy'") && e.getMessage().contains("swish"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KerasTestModels.runTf(new Builder("bad", 4, 4, 3, 1)
                .layer("conv_nchw", "Conv2D", cfg("filters", 2, "kernel_size", K3, "data_format", "channels_first"))
                .weight("conv_nchw", "kernel", 0, 1, 3, 3, 3, 2).weight("conv_nchw", "bias", 0, 1, 2).build(), x));
        assertTrue(e.getMessage().contains("'conv_nchw'") && e.getMessage().contains("channels_first"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KerasTestModels.runTf(new Builder("bad", 4, 4, 3, 1)
                .layer("conv_nokernel", "Conv2D", cfg("filters", 2, "kernel_size", K3, "use_bias", false)).build(), x));
        assertTrue(e.getMessage().contains("conv_nokernel/kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KerasTestModels.runTf(new Builder("bad", 4, 4, 3, 1)
                .conv("conv_wrong_in", 5, 2, K3, ONE, "same", ONE, false, "linear").build(), x));
        assertTrue(e.getMessage().contains("'conv_wrong_in'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Builder("bad", 4, 4, 3, 1)
                .layer("lstm_1", "LSTM", cfg("units", 3)).build());
        assertTrue(e.getMessage().contains("'lstm_1'") && e.getMessage().contains("LSTM"), e.getMessage());
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }
}
