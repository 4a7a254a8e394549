package clipbench.keras.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.KerasModel;
import clipbench.keras.KerasShapes;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Keras layer type, alone and in small graphs with random weights (fixed seeds), run by one runtime and
 * compared with {@link KerasReference}: max abs difference at most {@link #tolerance()} (1e-5). A runtime subclass
 * only says how it runs a model ({@link #runner()}); a configuration it does not support ({@link #unsupported()})
 * must be refused with an {@link IllegalArgumentException} naming the layer, never computed differently.
 * Adding a layer type: the reference, the three runtime builds, and one case here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KerasLayerContractTest {
    /** Configurations a runtime may refuse. */
    public enum Feature { CONV_GROUPS, RELU_THRESHOLD, BATCH_NORM_AXIS_LIST }

    private final Map<String, Double> errors = new TreeMap<>();

    /** How this runtime runs a model. */
    protected abstract KerasRunner runner();

    /** What the runtime refuses (none by default). */
    protected Set<Feature> unsupported() {
        return Set.of();
    }

    protected double tolerance() {
        return 1e-5;
    }

    @AfterAll
    void printErrors() {
        System.out.printf("keras layer contract %s: %d cases, max abs diff %.3g%n", getClass().getSimpleName(),
                errors.size(), errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
        errors.forEach((k, v) -> System.out.printf("  %-60s %.3g%n", k, v));
    }

    // ------------------------------------------------------------------------------------------------ checking

    /** Two random images in [-1, 1) (seed 42), within {@link #tolerance()}. */
    protected double check(String label, KerasModel m) {
        return check(label, m, Nd.random(2, m.inputShape(), 42), tolerance());
    }

    /**
     * Runs {@code m} on {@code x} both ways; equal shapes (or the runtime's output flattened per image) and values
     * within {@code tol}. {@code expectedShape}, when given, is the output shape with the batch.
     */
    protected double check(String label, KerasModel m, Nd x, double tol, int... expectedShape) {
        Nd want = KerasReference.run(m, x);
        int[] keras = KerasShapes.outputShape(m, m.output());
        int[] wantShape = Arrays.copyOfRange(want.shape(), 1, want.shape().length);
        for (int k = 0; k < keras.length && k < wantShape.length; k++) {
            keras[k] = keras[k] == KerasModel.ANY ? wantShape[k] : keras[k]; // an open size is whatever came in
        }
        assertArrayEquals(keras, wantShape, label + ": KerasShapes");
        if (expectedShape.length > 0) {
            assertArrayEquals(expectedShape, want.shape(), label + ": reference output shape");
        }
        Nd got;
        try {
            got = runner().run(m, x);
        } catch (Exception e) {
            throw new AssertionError(label + ": " + e, e);
        }
        if (got.shape().length == 2 && want.shape().length > 2) { // flattened per image, NHWC order
            assertArrayEquals(new int[] {want.count(), want.v().length / want.count()}, got.shape(), label + ": shape");
        } else {
            assertArrayEquals(want.shape(), got.shape(), label + ": output shape");
        }
        double d = Nd.maxAbsDiff(want.v(), got.v());
        errors.merge(label, d, Math::max);
        assertTrue(d <= tol, label + ": max abs diff " + d + " > " + tol);
        return d;
    }

    /** {@link #check} where the runtime supports {@code f}; otherwise it must refuse, naming {@code layer}. */
    protected void checkOrRefused(Feature f, String layer, String label, KerasModel m) {
        if (!unsupported().contains(f)) {
            check(label, m);
            return;
        }
        Nd x = Nd.random(1, m.inputShape(), 42);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runner().run(m, x), label);
        assertTrue(e.getMessage().contains(layer), "'" + e.getMessage() + "' should name " + layer);
        errors.merge(label + " (refused)", 0.0, Math::max);
    }

    private static int[] sq(int k) {
        return new int[] {k, k};
    }

    // ------------------------------------------------------------------------------------------------ Conv2D

    @ParameterizedTest(name = "{0}x{1} k{2} s{3} d{4} {5}")
    @CsvSource({
        "8, 8, 3, 2, 1, same", // even: pad total 1 -> 0 top, 1 bottom (asymmetric)
        "7, 7, 3, 2, 1, same", // odd: pad total 2 -> 1, 1
        "6, 7, 3, 2, 1, same", // one axis even, one odd
        "8, 9, 4, 2, 1, same", // even kernel: totals 2 and 3
        "9, 9, 2, 2, 1, same", // total 1 with an even kernel
        "8, 8, 5, 3, 1, same", // stride 3: total 3 -> 1, 2
        "5, 5, 1, 2, 1, same", // 1x1 stride 2: no padding
        "7, 7, 3, 1, 2, same", // dilation
        "7, 6, 3, 1, 1, same",
        "8, 8, 3, 2, 1, valid",
        "7, 9, 3, 1, 2, valid",
        "9, 9, 5, 3, 1, valid",
    })
    void conv2d(int h, int w, int k, int s, int d, String padding) {
        KerasTestNet n = new KerasTestNet("conv", h, w, 3, 1000L * h + 10L * w + k);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':[" + k + "," + k + "],'strides':[" + s + "," + s
                + "],'dilation_rate':[" + d + "," + d + "],'padding':'" + padding + "','activation':'linear',"
                + "'use_bias':true,'data_format':'channels_last'}");
        check("Conv2D " + padding + " " + h + "x" + w + " k" + k + " s" + s + " d" + d, n.build());
    }

    /** Keras's same padding at stride 2 pads the odd cell at the bottom/right (PyTorch would pad symmetrically). */
    @Test
    void conv2dSameStride2OnEvenAndOddSizes() {
        for (int[] hw : new int[][] {{8, 8}, {7, 7}, {7, 8}, {6, 9}, {6, 10}, {224, 3}}) {
            for (int k : new int[] {1, 2, 3, 4, 5}) {
                KerasTestNet n = new KerasTestNet("conv_s2", hw[0], hw[1], 3, 10L * k + hw[0]);
                n.conv("c", "input", 3, "{'filters':5,'kernel_size':" + k + ",'strides':2,'padding':'same',"
                        + "'use_bias':" + (k % 2 == 0) + "}");
                check("Conv2D " + k + "x" + k + " same stride 2 on " + hw[0] + "x" + hw[1], n.build(),
                        Nd.random(2, n.build().inputShape(), hw[1], -1, 1), tolerance(), 2, (hw[0] + 1) / 2,
                        (hw[1] + 1) / 2, 5);
            }
        }
    }

    @Test
    void conv2dSameStride1EvenKernelsDilationAndRectangles() {
        for (int k : new int[] {1, 2, 3, 5}) {
            KerasTestNet n = new KerasTestNet("conv_same", 7, 6, 3, k);
            n.conv("c", "input", 3, "{'filters':4,'kernel_size':" + k + ",'padding':'same'}");
            check("Conv2D " + k + "x" + k + " same stride 1 on 7x6", n.build());
        }
        KerasTestNet chain = new KerasTestNet("conv_chain", 6, 7, 2, 3);
        chain.conv("c1", "input", 2, "{'filters':3,'kernel_size':[3,3],'padding':'same'}");
        chain.conv("c2", "c1", 3, "{'filters':3,'kernel_size':[2,2],'padding':'same','strides':[1,1]}");
        chain.conv("c3", "c2", 3, "{'filters':2,'kernel_size':3,'padding':'same','dilation_rate':2}");
        check("Conv2D chain: same, even kernel, dilation 2", chain.build());
        String[][] rect = {
            {"{'filters':4,'kernel_size':[3,1],'strides':[1,2],'padding':'same'}", "Conv2D 3x1 same strides [1,2]"},
            {"{'filters':2,'kernel_size':[1,7],'padding':'valid','use_bias':false}", "Conv2D 1x7 valid (Inception)"},
            {"{'filters':4,'kernel_size':3,'strides':2,'padding':'valid'}", "Conv2D 3x3 valid stride 2 on 9x8"},
            {"{'filters':4,'kernel_size':3,'dilation_rate':2,'padding':'valid'}", "Conv2D 3x3 valid dilation 2 on 9x8"},
        };
        for (int i = 0; i < rect.length; i++) {
            KerasTestNet n = new KerasTestNet("conv_rect", 9, 8, 3, 40 + i);
            n.conv("c", "input", 3, rect[i][0]);
            check(rect[i][1], n.build());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "relu6", "sigmoid", "tanh", "softmax", "linear"})
    void conv2dFusedActivation(String act) {
        for (boolean bias : new boolean[] {false, true}) {
            KerasTestNet n = new KerasTestNet("conv_act", 6, 5, 2, bias ? 17 : 7);
            n.conv("c", "input", 2, "{'filters':5,'kernel_size':3,'strides':1,'padding':'same','use_bias':" + bias
                    + ",'activation':'" + act + "'}");
            check("Conv2D activation " + act + (bias ? " with bias" : " no bias"), n.build());
        }
    }

    @Test
    void conv2dGroups() {
        KerasTestNet n = new KerasTestNet("conv_groups", 6, 6, 4, 8);
        n.conv("grouped", "input", 4, "{'filters':6,'kernel_size':3,'strides':2,'padding':'same','groups':2}");
        checkOrRefused(Feature.CONV_GROUPS, "grouped", "Conv2D groups=2", n.build());
    }

    // --------------------------------------------------------------------------------------- DepthwiseConv2D

    @ParameterizedTest(name = "{0}x{1} k{2} s{3} mult {4} {5}")
    @CsvSource({
        "8, 8, 3, 2, 1, same",
        "7, 7, 3, 2, 2, same",
        "6, 5, 3, 1, 1, same",
        "9, 8, 5, 2, 3, same",
        "8, 8, 3, 1, 2, valid",
        "7, 6, 3, 2, 3, valid",
        "9, 9, 5, 2, 1, same",
        "8, 7, 3, 2, 3, same",
    })
    void depthwise(int h, int w, int k, int s, int mult, String padding) {
        KerasTestNet n = new KerasTestNet("dw", h, w, 3, 31L * h + w + mult);
        n.depthwise("dw", "input", 3, "{'kernel_size':[" + k + "," + k + "],'strides':[" + s + "," + s
                + "],'padding':'" + padding + "','depth_multiplier':" + mult + ",'use_bias':" + (mult != 2)
                + ",'activation':'" + (mult == 1 ? "relu" : mult == 3 ? "relu6" : "linear") + "'}");
        check("DepthwiseConv2D " + padding + " " + h + "x" + w + " k" + k + " s" + s + " m" + mult, n.build());
    }

    /** Every size parity, multiplier and padding / stride pair, on 4 channels. */
    @Test
    void depthwiseGrid() {
        String[] configs = {"'strides':1,'padding':'same','use_bias':false,'activation':'linear'",
            "'strides':2,'padding':'same','use_bias':true,'activation':'relu6'",
            "'strides':2,'padding':'valid','use_bias':true,'activation':'linear'"};
        for (int[] hw : new int[][] {{8, 8}, {7, 7}, {7, 6}}) {
            for (int mult = 1; mult <= 3; mult++) {
                for (int c = 0; c < configs.length; c++) {
                    KerasTestNet n = new KerasTestNet("dw_grid", hw[0], hw[1], 4, 10L * c + mult);
                    n.depthwise("dw", "input", 4, "{'kernel_size':3,'depth_multiplier':" + mult + "," + configs[c] + "}");
                    check("DepthwiseConv2D x" + mult + " {" + configs[c].replace('\'', ' ').replace(" ", "") + "} on "
                            + hw[0] + "x" + hw[1], n.build());
                }
            }
        }
    }

    @Test
    void depthwiseDilatedAndChained() {
        KerasTestNet n = new KerasTestNet("dw_dil", 9, 9, 2, 9);
        n.depthwise("dw", "input", 2, "{'kernel_size':3,'strides':1,'dilation_rate':2,'padding':'same',"
                + "'depth_multiplier':2}");
        check("DepthwiseConv2D dilation 2, multiplier 2", n.build());
        for (int mult : new int[] {1, 2}) {
            KerasTestNet c = new KerasTestNet("dw_chain", 8, 8, 3, 100L * mult);
            c.depthwise("d1", "input", 3, "{'kernel_size':[3,3],'strides':[2,2],'padding':'same','depth_multiplier':"
                    + mult + ",'use_bias':false}");
            c.depthwise("d2", "d1", 3 * mult, "{'kernel_size':[3,3],'padding':'valid','use_bias':true,"
                    + "'activation':'relu6'}");
            check("DepthwiseConv2D same s2 then valid, multiplier " + mult, c.build());
        }
    }

    // ------------------------------------------------------------------------------------ BatchNormalization

    @ParameterizedTest(name = "center {0} scale {1} epsilon {2} axis {3}")
    @CsvSource({"true, true, 0.001, 3", "true, false, 0.001, -1", "false, true, 0.00001, 3", "false, false, 0.1, 3",
        "true, true, 0.00001, -1", "false, true, 0.001, -1"})
    void batchNorm(boolean center, boolean scale, double eps, String axis) {
        KerasTestNet n = new KerasTestNet("bn", 5, 4, 3, 11);
        n.conv("c", "input", 3, "{'filters':6,'kernel_size':3,'padding':'same'}");
        n.bn("bn", "c", 6, "{'axis':" + axis + ",'center':" + center + ",'scale':" + scale + ",'epsilon':" + eps + "}");
        check("BatchNormalization c" + center + " s" + scale + " eps" + eps + " axis " + axis, n.build());
    }

    @Test
    void batchNormGrid() {
        for (boolean center : new boolean[] {true, false}) {
            for (boolean scale : new boolean[] {true, false}) {
                for (int axis : new int[] {-1, 3}) {
                    for (double eps : new double[] {1e-3, 1e-5}) {
                        KerasTestNet n = new KerasTestNet("bn_grid", 4, 5, 6, 8);
                        n.bn("bn", "input", 6, "{'axis':" + axis + ",'center':" + center + ",'scale':" + scale
                                + ",'epsilon':" + eps + ",'momentum':0.99}");
                        check("BatchNormalization on the input center=" + center + " scale=" + scale + " axis=" + axis
                                + " eps=" + eps, n.build(), Nd.random(2, new int[] {4, 5, 6}, 7, -2, 2), tolerance());
                    }
                }
            }
        }
    }

    /** Keras also saves the axis as a one-element list. */
    @Test
    void batchNormAxisAsAList() {
        KerasTestNet n = new KerasTestNet("bn_list", 4, 5, 6, 8);
        n.bn("bn_axis_list", "input", 6, "{'axis':[3],'epsilon':0.00001}");
        checkOrRefused(Feature.BATCH_NORM_AXIS_LIST, "bn_axis_list", "BatchNormalization axis [3]", n.build());
    }

    @Test
    void batchNormDefaultEpsilonAndAfterDense() {
        KerasTestNet n = new KerasTestNet("bn_dense", 3, 3, 2, 12);
        n.bn("bn0", "input", 2, "{'axis':-1}"); // no epsilon: Keras's 1e-3
        n.layer("Flatten", "f", "{}", "bn0");
        n.dense("d", "f", 18, "{'units':7,'activation':'linear'}");
        n.bn("bn1", "d", 7, "{'axis':-1,'epsilon':0.001}");
        check("BatchNormalization default eps / rank 2", n.build());
    }

    // ------------------------------------------------------------------------------------- ReLU, Activation

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{'max_value':6,'negative_slope':0,'threshold':0}", "{'max_value':0.3}",
        "{'negative_slope':0.1}", "{'max_value':0.4,'negative_slope':0.2}", "{'max_value':null}",
        "{'max_value':6.0}"})
    void relu(String cfg) {
        KerasTestNet n = new KerasTestNet("relu", 4, 4, 3, 13);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer("ReLU", "r", cfg, "c");
        check("ReLU " + cfg.replace('\'', ' ').replace(" ", ""), n.build());
    }

    /** ReLU6 really clips, and the slope applies below zero: inputs far outside [0, 6]. */
    @Test
    void reluOnLargeValues() {
        KerasTestNet n = new KerasTestNet("relu_big", 4, 4, 3, 14);
        n.layer("ReLU", "r6", "{'max_value':6}", "input");
        n.layer("ReLU", "leaky", "{'max_value':4.0,'negative_slope':0.1}", "input");
        n.layer("Concatenate", "all", "{'axis':-1}", "r6", "leaky");
        check("ReLU max_value / slope on [-8, 8)", n.build(), Nd.random(2, n.build().inputShape(), 8, -8, 8),
                tolerance(), 2, 4, 4, 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'max_value':4.0,'negative_slope':0.1,'threshold':0.3}",
        "{'max_value':0.9,'negative_slope':0.2,'threshold':0.3}", "{'negative_slope':0.0,'threshold':0.25}"})
    void reluThreshold(String cfg) {
        KerasTestNet n = new KerasTestNet("relu_thr", 4, 4, 3, 15);
        n.layer("ReLU", "thresholded", cfg, "input");
        checkOrRefused(Feature.RELU_THRESHOLD, "thresholded", "ReLU threshold " + cfg.replace('\'', ' ')
                .replace(" ", ""), n.build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "relu6", "softmax", "linear", "sigmoid", "tanh"})
    void activation(String act) {
        KerasTestNet n = new KerasTestNet("act", 4, 3, 3, 14);
        n.conv("c", "input", 3, "{'filters':5,'kernel_size':1}");
        n.layer("Activation", "a4", "{'activation':'" + act + "'}", "c"); // on a feature map (softmax: channels)
        n.layer("Flatten", "f", "{}", "a4");
        n.dense("d", "f", 60, "{'units':4}");
        n.layer("Activation", "a2", "{'activation':'" + act + "'}", "d"); // on a vector
        check("Activation " + act, n.build());
        check("Activation " + act + " (feature map out)", n.build("a4"));
        KerasTestNet wide = new KerasTestNet("act_wide", 3, 4, 5, 1);
        wide.layer("Activation", "a", "{'activation':'" + act + "'}", "input");
        check("Activation " + act + " on [-7, 7)", wide.build(), Nd.random(2, wide.build().inputShape(), 9, -7, 7),
                tolerance(), 2, 3, 4, 5);
    }

    // ---------------------------------------------------------------------------------------- ZeroPadding2D

    @ParameterizedTest
    @ValueSource(strings = {"[[0,1],[0,1]]", "[[2,0],[1,3]]", "2", "[1,2]"})
    void zeroPadding(String padding) {
        KerasTestNet n = new KerasTestNet("pad", 5, 4, 2, 15);
        n.layer("ZeroPadding2D", "p", "{'padding':" + padding + ",'data_format':'channels_last'}", "input");
        n.conv("c", "p", 2, "{'filters':3,'kernel_size':3,'strides':2,'padding':'valid'}");
        check("ZeroPadding2D " + padding, n.build());
        check("ZeroPadding2D " + padding + " (alone)", n.build("p"), Nd.random(2, n.build().inputShape(), 42), 0);
    }

    // ------------------------------------------------------------------------------ UpSampling2D, open sizes

    @ParameterizedTest(name = "size {0}x{1}")
    @CsvSource({"2, 2", "3, 3", "2, 3", "4, 4"})
    void upSampling(int rows, int cols) {
        KerasTestNet n = new KerasTestNet("up", 4, 5, 3, 17L + 10L * rows + cols);
        n.conv("a", "input", 3, "{'filters':4,'kernel_size':3,'padding':'same'}");
        n.layer("UpSampling2D", "u", "{'size':[" + rows + "," + cols + "],'interpolation':'nearest',"
                + "'data_format':'channels_last'}", "a");
        n.conv("c", "u", 4, "{'filters':3,'kernel_size':3,'padding':'same'}");
        check("UpSampling2D " + rows + "x" + cols, n.build(), Nd.random(2, n.build().inputShape(), 42), tolerance(),
                2, 4 * rows, 5 * cols, 3);
        check("UpSampling2D " + rows + "x" + cols + " (alone)", n.build("u"));
    }

    /**
     * UpscalerJS's custom {@code PixelShuffle<N>x} ({@code tf.depthToSpace(x, N, 'NHWC')}, DCR order, not torch's
     * pixel_shuffle) after a convolution to 3 N^2 channels, and its {@code MultiplyBeta} (x 0.2).
     */
    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {2, 3, 4})
    void pixelShuffleAndMultiplyBeta(int b) {
        KerasTestNet n = new KerasTestNet("shuffle", 3, 4, 3, 31L + b);
        n.conv("pre", "input", 3, "{'filters':" + (3 * b * b) + ",'kernel_size':3,'padding':'same'}");
        n.layer("MultiplyBeta", "beta", "{'beta':0.2}", "pre");
        n.layer("PixelShuffle" + b + "x", "shuffle", "{'scale':" + b + "}", "beta");
        n.conv("sr", "shuffle", 3, "{'filters':3,'kernel_size':3,'padding':'same'}");
        check("PixelShuffle" + b + "x + MultiplyBeta", n.build(), Nd.random(2, n.build().inputShape(), 42),
                tolerance(), 2, 3 * b, 4 * b, 3);
        check("PixelShuffle" + b + "x (alone)", n.build("shuffle"));
    }

    @Test
    void pixelShuffleScaleMustMatchItsClass() {
        KerasTestNet n = new KerasTestNet("shuffle_bad", 3, 3, 3, 5);
        n.conv("pre", "input", 3, "{'filters':12,'kernel_size':1}");
        n.layer("PixelShuffle2x", "shuffle", "{'scale':4}", "pre");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasShapes.outputShapes(n.build()));
        assertTrue(e.getMessage().contains("shuffle"), e.getMessage());
    }

    /**
     * A model whose input height and width are open ({@code [null, null, null, 3]}, as super-resolution networks
     * are saved) runs at any size: an RDN-like block (same convolutions, concatenation, residual adds,
     * up-sampling) at 6x6 and 9x7.
     */
    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"6, 6", "9, 7"})
    void openInputSize(int h, int w) {
        KerasTestNet n = new KerasTestNet("open", 5, 5, 3, 23);
        n.conv("f", "input", 3, "{'filters':4,'kernel_size':3,'padding':'same'}");
        n.conv("g", "f", 4, "{'filters':2,'kernel_size':3,'padding':'same'}");
        n.layer("Activation", "g_relu", "{'activation':'relu'}", "g");
        n.layer("Concatenate", "cat", "{'axis':3}", "f", "g_relu");
        n.conv("lff", "cat", 6, "{'filters':4,'kernel_size':1,'padding':'valid'}");
        n.layer("Add", "res", "{}", "lff", "f");
        n.conv("up", "res", 4, "{'filters':4,'kernel_size':5,'padding':'same'}");
        n.layer("UpSampling2D", "u", "{'size':[2,2],'interpolation':'nearest'}", "up");
        n.conv("sr", "u", 4, "{'filters':3,'kernel_size':3,'padding':'same'}");
        KerasModel fixed = n.build();
        KerasModel open = new KerasModel("open", new int[] {KerasModel.ANY, KerasModel.ANY, 3}, fixed.layers(),
                fixed.output(), fixed.weights());
        check("open input size " + h + "x" + w, open, Nd.random(1, new int[] {h, w, 3}, 42), tolerance(),
                1, 2 * h, 2 * w, 3);
    }

    // ------------------------------------------------------------------------------------ Add, Concatenate

    @Test
    void addTwoAndThree() {
        KerasTestNet n = new KerasTestNet("add", 5, 5, 3, 16);
        n.conv("a", "input", 3, "{'filters':4,'kernel_size':3,'padding':'same'}");
        n.conv("b", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer("Add", "ab", "{}", "a", "b");
        n.conv("c", "ab", 4, "{'filters':4,'kernel_size':1}");
        n.layer("Add", "abc", "{}", "a", "b", "c");
        check("Add (2 and 3 inputs)", n.build());
        KerasTestNet in = new KerasTestNet("add_input", 5, 5, 3, 8);
        in.conv("a", "input", 3, "{'filters':3,'kernel_size':1}");
        in.layer("Add", "sum", "{}", "input", "a");
        check("Add (with the graph input)", in.build());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 3, 1, 2})
    void concatenate(int axis) {
        KerasTestNet n = new KerasTestNet("concat", 4, 4, 3, 17);
        n.conv("a", "input", 3, "{'filters':2,'kernel_size':3,'padding':'same'}");
        n.conv("b", "input", 3, "{'filters':" + (axis == -1 || axis == 3 ? 5 : 2) + ",'kernel_size':1}");
        n.layer("Concatenate", "cat", "{'axis':" + axis + "}", "a", "b", "a");
        check("Concatenate axis " + axis, n.build());
        if (axis == -1 || axis == 3) {
            // A tensor repeated in a concatenation, read by a convolution straight after.
            KerasTestNet r = new KerasTestNet("concat_conv", 4, 4, 3, 18);
            r.conv("a", "input", 3, "{'filters':2,'kernel_size':3,'padding':'same'}");
            r.conv("b", "input", 3, "{'filters':5,'kernel_size':1}");
            r.layer("Concatenate", "cat", "{'axis':" + axis + "}", "a", "b", "a");
            r.conv("after", "cat", 9, "{'filters':2,'kernel_size':3,'padding':'same'}");
            check("Concatenate axis " + axis + " repeating a tensor, then Conv2D", r.build());
            n.layer("Concatenate", "cat_in", "{'axis':" + axis + "}", "cat", "input");
            n.conv("after", "cat_in", 12, "{'filters':2,'kernel_size':3,'strides':2,'padding':'same'}");
            check("Concatenate axis " + axis + " with the input, then Conv2D", n.build());
        }
    }

    // ------------------------------------------------------------------------------------------------ pooling

    @ParameterizedTest(name = "{0} {1}x{2} pool {3} strides {4} {5}")
    @CsvSource({
        "MaxPooling2D, 8, 8, 3, 2, valid",
        "MaxPooling2D, 7, 7, 3, 2, same",
        "MaxPooling2D, 8, 8, 2, null, valid",
        "MaxPooling2D, 8, 7, 3, 2, same",
        "MaxPooling2D, 9, 6, 3, 1, same",
        "MaxPooling2D, 8, 8, 2, 2, same",
        "AveragePooling2D, 7, 7, 3, 1, same", // InceptionV3's: padding excluded from the mean at the border
        "AveragePooling2D, 8, 8, 3, 2, same", // asymmetric: padding only bottom/right
        "AveragePooling2D, 7, 6, 3, 2, same",
        "AveragePooling2D, 7, 7, 7, 7, valid", // MobileNetV2's 7x7 head
        "AveragePooling2D, 8, 8, 2, null, valid",
        "AveragePooling2D, 5, 8, 2, 2, same",
        "AveragePooling2D, 6, 9, 3, 2, valid",
    })
    void pooling(String cls, int h, int w, int k, String s, String padding) {
        KerasTestNet n = new KerasTestNet("pool", h, w, 3, 19L * h + w + k);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer(cls, "p", "{'pool_size':[" + k + "," + k + "],'strides':" + (s.equals("null") ? "null" : "[" + s + ","
                + s + "]") + ",'padding':'" + padding + "','data_format':'channels_last'}", "c");
        check(cls + " " + padding + " " + h + "x" + w + " k" + k + " s" + s, n.build());
        // on the input alone: all negative (a zero-padded max would show) / all positive (counting padding would
        // lower the mean)
        KerasTestNet alone = new KerasTestNet("pool_alone", h, w, 3, 1);
        alone.layer(cls, "p", "{'pool_size':[" + k + "," + k + "],'strides':" + (s.equals("null") ? "null" : "[" + s
                + "," + s + "]") + ",'padding':'" + padding + "'}", "input");
        boolean max = cls.startsWith("Max");
        check(cls + " " + padding + " " + h + "x" + w + " k" + k + " s" + s + (max ? " on [-3, -1)" : " on [1, 3)"),
                alone.build(), Nd.random(2, alone.build().inputShape(), 14, max ? -3 : 1, max ? -1 : 3), tolerance());
    }

    @Test
    void averagePoolingRectangularWindow() {
        KerasTestNet n = new KerasTestNet("avg_rect", 7, 9, 3, 21);
        n.layer("AveragePooling2D", "a", "{'pool_size':[2,3],'strides':[1,2],'padding':'same'}", "input");
        check("AveragePooling2D 2x3 strides [1,2] same", n.build());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void globalAveragePooling(boolean keepdims) {
        KerasTestNet n = new KerasTestNet("gap", 5, 6, 3, 20);
        n.conv("c", "input", 3, "{'filters':7,'kernel_size':3}");
        n.layer("GlobalAveragePooling2D", "g", keepdims ? "{'keepdims':true}" : "{'data_format':'channels_last'}", "c");
        check("GlobalAveragePooling2D keepdims " + keepdims, n.build());
        n.layer("Flatten", "f", "{}", "g");
        check("GlobalAveragePooling2D keepdims " + keepdims + " + Flatten", n.build());
    }

    // -------------------------------------------------------------------------------------- Flatten, Dense

    @Test
    void flattenKeepsKerasOrder() {
        KerasTestNet n = new KerasTestNet("flatten", 3, 4, 2, 21);
        n.conv("c", "input", 2, "{'filters':5,'kernel_size':1}");
        n.layer("Flatten", "f", "{'data_format':'channels_last'}", "c");
        check("Flatten 3x4x5", n.build());
        n.dense("d", "f", 60, "{'units':6,'activation':'softmax'}");
        check("Flatten 3x4x5 + Dense softmax", n.build());
        KerasTestNet alone = new KerasTestNet("flatten_alone", 4, 3, 5, 1);
        alone.layer("Flatten", "f", "{}", "input");
        check("Flatten of the input (exact)", alone.build(), Nd.random(3, alone.build().inputShape(), 16), 0, 3, 60);
    }

    @Test
    void flattenOfOneByOne() {
        KerasTestNet n = new KerasTestNet("flatten1", 7, 7, 3, 22);
        n.conv("c", "input", 3, "{'filters':8,'kernel_size':1}");
        n.layer("AveragePooling2D", "p", "{'pool_size':[7,7],'strides':[7,7],'padding':'valid'}", "c");
        n.layer("Flatten", "f", "{}", "p");
        n.dense("d", "f", 8, "{'units':3,'use_bias':false,'activation':'relu'}");
        n.layer("Dropout", "drop", "{'rate':0.5}", "d");
        n.dense("out", "drop", 3, "{'units':5,'activation':'softmax'}");
        check("Flatten 1x1 + Dense + Dropout", n.build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "relu", "relu6", "sigmoid", "tanh", "softmax"})
    void dense(String act) {
        KerasTestNet n = new KerasTestNet("dense", 4, 3, 5, act.length());
        n.layer("GlobalAveragePooling2D", "gap", "{}", "input");
        n.dense("fc", "gap", 5, "{'units':7,'activation':'" + act + "'}");
        check("GlobalAveragePooling2D + Dense " + act, n.build());
    }

    @Test
    void denseOnAFeatureMapActsOnChannels() {
        KerasTestNet n = new KerasTestNet("dense4", 3, 3, 4, 23);
        n.dense("d", "input", 4, "{'units':5,'activation':'tanh'}");
        n.conv("c", "d", 5, "{'filters':2,'kernel_size':3}");
        check("Dense on feature map", n.build());
        check("Dense on feature map (map out)", n.build("d"));
    }

    @Test
    void dropoutIsIdentity() {
        KerasTestNet n = new KerasTestNet("dropout", 4, 4, 3, 24);
        n.layer("Dropout", "d", "{'rate':0.9}", "input");
        check("Dropout", n.build(), Nd.random(2, n.build().inputShape(), 42), 0);
    }

    // -------------------------------------------------------------------------------------- larger graphs

    /** Inception- and MobileNet-like branches: ZeroPadding, stride-2 convs, BN, ReLU6, pools, Add, Concatenate. */
    @Test
    void multiBranchGraph() {
        KerasTestNet n = new KerasTestNet("branches", 15, 14, 3, 25);
        n.layer("ZeroPadding2D", "pad", "{'padding':[[0,1],[0,1]]}", "input");
        n.conv("stem", "pad", 3, "{'filters':8,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        n.bn("stem_bn", "stem", 8, "{'epsilon':0.001}");
        n.layer("ReLU", "stem_relu", "{'max_value':6}", "stem_bn");
        // inverted residual
        n.conv("expand", "stem_relu", 8, "{'filters':16,'kernel_size':1,'use_bias':false}");
        n.bn("expand_bn", "expand", 16, "{}");
        n.layer("ReLU", "expand_relu", "{'max_value':6}", "expand_bn");
        n.depthwise("dw", "expand_relu", 16, "{'kernel_size':3,'padding':'same','use_bias':false}");
        n.bn("dw_bn", "dw", 16, "{}");
        n.layer("ReLU", "dw_relu", "{'max_value':6}", "dw_bn");
        n.conv("project", "dw_relu", 16, "{'filters':8,'kernel_size':1,'use_bias':false}");
        n.bn("project_bn", "project", 8, "{}");
        n.layer("Add", "res", "{}", "stem_relu", "project_bn");
        // inception block
        n.conv("b1", "res", 8, "{'filters':4,'kernel_size':1,'use_bias':false}");
        n.bn("b1_bn", "b1", 4, "{'scale':false}");
        n.layer("Activation", "b1_act", "{'activation':'relu'}", "b1_bn");
        n.conv("b3", "res", 8, "{'filters':6,'kernel_size':[1,3],'padding':'same','use_bias':false}");
        n.conv("b3b", "b3", 6, "{'filters':6,'kernel_size':[3,1],'padding':'same','use_bias':false}");
        n.bn("b3_bn", "b3b", 6, "{'scale':false}");
        n.layer("Activation", "b3_act", "{'activation':'relu'}", "b3_bn");
        n.layer("AveragePooling2D", "bp", "{'pool_size':[3,3],'strides':[1,1],'padding':'same'}", "res");
        n.conv("bp_conv", "bp", 8, "{'filters':3,'kernel_size':1}");
        n.layer("MaxPooling2D", "bm", "{'pool_size':[3,3],'strides':[1,1],'padding':'same'}", "res");
        n.layer("Concatenate", "mixed", "{'axis':3}", "b1_act", "b3_act", "bp_conv", "bm");
        n.layer("MaxPooling2D", "down", "{'pool_size':[3,3],'strides':[2,2],'padding':'valid'}", "mixed");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "down");
        n.dense("fc", "gap", 21, "{'units':10,'activation':'relu'}");
        n.layer("Dropout", "drop", "{'rate':0.5}", "fc");
        n.dense("logits", "drop", 10, "{'units':5,'activation':'softmax'}");
        KerasModel m = n.build();
        check("multi-branch graph (softmax out)", m);
        check("multi-branch graph (cut at gap)", m.cutAt("gap"));
        check("multi-branch graph (cut at mixed)", m.cutAt("mixed"));
    }

    /** MobileNetV2's stem, an inverted residual with a stride-2 depthwise, and its pooled head, on 16x16. */
    @Test
    void mobileNetV2StyleNetwork() {
        KerasTestNet n = new KerasTestNet("mbv2", 16, 16, 3, 40);
        n.layer("ZeroPadding2D", "Conv1_pad", "{'padding':[[0,1],[0,1]]}", "input");
        n.conv("Conv1", "Conv1_pad", 3, "{'filters':8,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        n.bn("bn_Conv1", "Conv1", 8, "{'axis':-1,'epsilon':0.001}");
        n.layer("ReLU", "Conv1_relu", "{'max_value':6.0,'negative_slope':0.0,'threshold':0.0}", "bn_Conv1");
        n.depthwise("dw", "Conv1_relu", 8, "{'kernel_size':3,'padding':'same','use_bias':false}");
        n.bn("dw_bn", "dw", 8, "{}");
        n.layer("ReLU", "dw_relu", "{'max_value':6.0}", "dw_bn");
        n.conv("project", "dw_relu", 8, "{'filters':8,'kernel_size':1,'use_bias':false}");
        n.bn("project_bn", "project", 8, "{}");
        n.layer("Add", "add", "{}", "Conv1_relu", "project_bn");
        n.conv("expand", "add", 8, "{'filters':24,'kernel_size':1,'use_bias':false}");
        n.layer("ZeroPadding2D", "pad2", "{'padding':[[0,1],[0,1]]}", "expand");
        n.depthwise("dw2", "pad2", 24, "{'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        n.layer("ReLU", "relu2", "{'max_value':6.0}", "dw2");
        n.layer("AveragePooling2D", "avg", "{'pool_size':[4,4],'strides':[4,4],'padding':'valid'}", "relu2");
        n.layer("Flatten", "flatten", "{}", "avg");
        n.dense("fc", "flatten", 24, "{'units':5,'activation':'softmax'}");
        check("MobileNetV2-style stem + inverted residual + head", n.build(),
                Nd.random(2, n.build().inputShape(), 41, 0, 1), tolerance(), 2, 5);
    }

    /** InceptionV3's stem and a mixed block with factorised 1x3 / 3x1 kernels, on 19x19. */
    @Test
    void inceptionV3StyleNetwork() {
        KerasTestNet n = new KerasTestNet("inception", 19, 19, 3, 50);
        n.conv("conv1", "input", 3, "{'filters':8,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        n.bn("bn1", "conv1", 8, "{'axis':3,'scale':false}");
        n.layer("Activation", "act1", "{'activation':'relu'}", "bn1");
        n.layer("MaxPooling2D", "pool1", "{'pool_size':[3,3],'strides':[2,2],'padding':'valid'}", "act1");
        n.conv("b1", "pool1", 8, "{'filters':4,'kernel_size':1,'padding':'same','use_bias':false,'activation':'relu'}");
        n.conv("b2a", "pool1", 8, "{'filters':4,'kernel_size':1,'use_bias':false,'activation':'relu'}");
        n.conv("b2b", "b2a", 4, "{'filters':6,'kernel_size':[1,3],'padding':'same','use_bias':false,"
                + "'activation':'relu'}");
        n.conv("b2c", "b2b", 6, "{'filters':6,'kernel_size':[3,1],'padding':'same','use_bias':false,"
                + "'activation':'relu'}");
        n.layer("AveragePooling2D", "b3", "{'pool_size':[3,3],'strides':[1,1],'padding':'same'}", "pool1");
        n.conv("b3c", "b3", 8, "{'filters':2,'kernel_size':1,'use_bias':false,'activation':'relu'}");
        n.layer("Concatenate", "mixed", "{'axis':3}", "b1", "b2c", "b3c");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "mixed");
        n.dense("fc", "gap", 12, "{'units':5,'activation':'softmax'}");
        check("InceptionV3-style stem + mixed block + head", n.build(), Nd.random(2, n.build().inputShape(), 51, 0, 1),
                tolerance(), 2, 5);
    }

    @Test
    void featureMapOutputIsChannelsLastLikeKeras() {
        KerasTestNet n = new KerasTestNet("fmap", 6, 5, 3, 28);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'strides':2,'padding':'same'}");
        check("feature-map output NHWC", n.build(), Nd.random(2, n.build().inputShape(), 42), tolerance(), 2, 3, 3, 4);
    }

    @Test
    void layersMayBeNamedLikeGraphTensors() {
        KerasTestNet n = new KerasTestNet("names", 4, 4, 3, 29);
        n.conv("image", "input", 3, "{'filters':2,'kernel_size':1}");
        n.conv("embedding", "image", 2, "{'filters':3,'kernel_size':3,'padding':'same'}");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "embedding");
        check("layers named image / embedding", n.build());
    }

    /** The batch does not mix images: one image alone gives the same values as in a batch of three. */
    @Test
    void imagesInABatchAreIndependent() throws Exception {
        KerasTestNet n = new KerasTestNet("batch", 6, 6, 3, 30);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'strides':2,'padding':'same'}");
        n.bn("bn", "c", 4, "{}");
        n.layer("GlobalAveragePooling2D", "g", "{}", "bn");
        KerasModel m = n.build();
        Nd three = Nd.random(3, m.inputShape(), 5);
        Nd all = runner().run(m, three);
        Nd first = runner().run(m, new Nd(new int[] {1, 6, 6, 3}, three.item(0)));
        assertEquals(3, all.count());
        assertArrayEquals(all.item(0), first.v(), 1e-6f);
    }
}
