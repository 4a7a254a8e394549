package clipbench.keras;

import static clipbench.keras.OnnxReferenceTest.ENV;
import static clipbench.keras.OnnxReferenceTest.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import clipbench.keras.OnnxReferenceTest.Nd;
import clipbench.keras.OnnxReferenceTest.Net;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every layer type exported by {@link OnnxExport}, run on ONNX Runtime and compared with the plain NHWC
 * reference in {@link OnnxReferenceTest} (random weights, fixed seeds): max abs difference at most 1e-5.
 */
class OnnxExportTest {
    static final double TOL = 1e-5;

    @AfterAll
    static void printErrors() {
        System.out.println("ONNX-ERR summary (max abs diff per case):");
        new TreeMap<>(OnnxReferenceTest.ERRORS).forEach((k, v) -> System.out.printf("  %-40s %.3g%n", k, v));
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
    void conv2d(int h, int w, int k, int s, int d, String padding) throws Exception {
        Net n = new Net("conv", h, w, 3, 1000L * h + 10L * w + k);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':[" + k + "," + k + "],'strides':[" + s + "," + s
                + "],'dilation_rate':[" + d + "," + d + "],'padding':'" + padding + "','activation':'linear',"
                + "'use_bias':true,'data_format':'channels_last'}");
        KerasModel m = n.build();
        assertArrayEquals(KerasShapes.outputShape(m, "c"), OnnxExport.outputShape(m));
        check("Conv2D " + padding + " " + h + "x" + w + " k" + k + " s" + s + " d" + d, m, TOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "relu6", "sigmoid", "tanh", "softmax", "linear"})
    void conv2dFusedActivationNoBias(String act) throws Exception {
        Net n = new Net("conv_act", 6, 5, 2, 7);
        n.conv("c", "input", 2, "{'filters':5,'kernel_size':3,'strides':1,'padding':'same','use_bias':false,"
                + "'activation':'" + act + "'}");
        check("Conv2D activation " + act, n.build(), TOL);
    }

    @Test
    void conv2dGroups() throws Exception {
        Net n = new Net("conv_groups", 6, 6, 4, 8);
        n.conv("c", "input", 4, "{'filters':6,'kernel_size':3,'strides':2,'padding':'same','groups':2}");
        check("Conv2D groups=2", n.build(), TOL);
    }

    // --------------------------------------------------------------------------------------- DepthwiseConv2D

    @ParameterizedTest(name = "{0}x{1} k{2} s{3} mult {4} {5}")
    @CsvSource({
        "8, 8, 3, 2, 1, same",
        "7, 7, 3, 2, 2, same",
        "6, 5, 3, 1, 1, same",
        "9, 8, 5, 2, 3, same",
        "8, 8, 3, 1, 2, valid",
    })
    void depthwise(int h, int w, int k, int s, int mult, String padding) throws Exception {
        Net n = new Net("dw", h, w, 3, 31L * h + w + mult);
        n.depthwise("dw", "input", 3, "{'kernel_size':[" + k + "," + k + "],'strides':[" + s + "," + s
                + "],'padding':'" + padding + "','depth_multiplier':" + mult + ",'use_bias':" + (mult != 2)
                + ",'activation':'" + (mult == 1 ? "relu" : "linear") + "'}");
        KerasModel m = n.build();
        assertArrayEquals(KerasShapes.outputShape(m, "dw"), OnnxExport.outputShape(m));
        check("DepthwiseConv2D " + padding + " " + h + "x" + w + " k" + k + " s" + s + " m" + mult, m, TOL);
    }

    @Test
    void depthwiseDilated() throws Exception {
        Net n = new Net("dw_dil", 9, 9, 2, 9);
        n.depthwise("dw", "input", 2, "{'kernel_size':3,'strides':1,'dilation_rate':2,'padding':'same'}");
        check("DepthwiseConv2D dilation 2", n.build(), TOL);
    }

    // ------------------------------------------------------------------------------------ BatchNormalization

    @ParameterizedTest(name = "center {0} scale {1} epsilon {2}")
    @CsvSource({"true, true, 0.001", "true, false, 0.001", "false, true, 0.00001", "false, false, 0.1"})
    void batchNorm(boolean center, boolean scale, double eps) throws Exception {
        Net n = new Net("bn", 5, 4, 3, 11);
        n.conv("c", "input", 3, "{'filters':6,'kernel_size':3,'padding':'same'}");
        n.bn("bn", "c", 6, "{'axis':3,'center':" + center + ",'scale':" + scale + ",'epsilon':" + eps + "}");
        check("BatchNormalization c" + center + " s" + scale + " eps" + eps, n.build(), TOL);
    }

    @Test
    void batchNormDefaultEpsilonAndAfterDense() throws Exception {
        Net n = new Net("bn_dense", 3, 3, 2, 12);
        n.bn("bn0", "input", 2, "{'axis':-1}"); // no epsilon: Keras's 1e-3
        n.layer("Flatten", "f", "{}", "bn0");
        n.dense("d", "f", 18, "{'units':7,'activation':'linear'}");
        n.bn("bn1", "d", 7, "{'axis':-1,'epsilon':0.001}");
        check("BatchNormalization default eps / rank 2", n.build(), TOL);
    }

    // ------------------------------------------------------------------------------------- ReLU, Activation

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{'max_value':6,'negative_slope':0,'threshold':0}", "{'max_value':0.3}",
        "{'negative_slope':0.1}", "{'max_value':0.4,'negative_slope':0.2}", "{'max_value':null}"})
    void relu(String cfg) throws Exception {
        Net n = new Net("relu", 4, 4, 3, 13);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer("ReLU", "r", cfg, "c");
        check("ReLU " + cfg.replace('\'', ' ').replace(" ", ""), n.build(), TOL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "relu6", "softmax", "linear", "sigmoid", "tanh"})
    void activation(String act) throws Exception {
        Net n = new Net("act", 4, 3, 3, 14);
        n.conv("c", "input", 3, "{'filters':5,'kernel_size':1}");
        n.layer("Activation", "a4", "{'activation':'" + act + "'}", "c"); // on a feature map (softmax: channels)
        n.layer("Flatten", "f", "{}", "a4");
        n.dense("d", "f", 60, "{'units':4}");
        n.layer("Activation", "a2", "{'activation':'" + act + "'}", "d"); // on a vector
        check("Activation " + act, n.build(), TOL);
        check("Activation " + act + " (feature map out)", n.build("a4"), TOL);
    }

    // ---------------------------------------------------------------------------------------- ZeroPadding2D

    @ParameterizedTest
    @ValueSource(strings = {"[[0,1],[0,1]]", "[[2,0],[1,3]]", "2", "[1,2]"})
    void zeroPadding(String padding) throws Exception {
        Net n = new Net("pad", 5, 4, 2, 15);
        n.layer("ZeroPadding2D", "p", "{'padding':" + padding + ",'data_format':'channels_last'}", "input");
        n.conv("c", "p", 2, "{'filters':3,'kernel_size':3,'strides':2,'padding':'valid'}");
        check("ZeroPadding2D " + padding, n.build(), TOL);
        check("ZeroPadding2D " + padding + " (alone)", n.build("p"), 0);
    }

    // ------------------------------------------------------------------------------------ Add, Concatenate

    @Test
    void addTwoAndThree() throws Exception {
        Net n = new Net("add", 5, 5, 3, 16);
        n.conv("a", "input", 3, "{'filters':4,'kernel_size':3,'padding':'same'}");
        n.conv("b", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer("Add", "ab", "{}", "a", "b");
        n.conv("c", "ab", 4, "{'filters':4,'kernel_size':1}");
        n.layer("Add", "abc", "{}", "a", "b", "c");
        check("Add (2 and 3 inputs)", n.build(), TOL);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 3, 1, 2})
    void concatenate(int axis) throws Exception {
        Net n = new Net("concat", 4, 4, 3, 17);
        n.conv("a", "input", 3, "{'filters':2,'kernel_size':3,'padding':'same'}");
        n.conv("b", "input", 3, "{'filters':" + (axis == -1 || axis == 3 ? 5 : 2) + ",'kernel_size':1}");
        n.layer("Concatenate", "cat", "{'axis':" + axis + "}", "a", "b", "a");
        KerasModel m = n.build();
        assertArrayEquals(KerasShapes.outputShape(m, "cat"), OnnxExport.outputShape(m));
        check("Concatenate axis " + axis, m, TOL);
    }

    // ------------------------------------------------------------------------------------------------ pooling

    @ParameterizedTest(name = "{0} {1}x{2} pool {3} strides {4} {5}")
    @CsvSource({
        "MaxPooling2D, 8, 8, 3, 2, valid",
        "MaxPooling2D, 7, 7, 3, 2, same",
        "MaxPooling2D, 8, 8, 2, null, valid",
        "MaxPooling2D, 8, 7, 3, 2, same",
        "AveragePooling2D, 7, 7, 3, 1, same", // InceptionV3's: padding excluded from the mean at the border
        "AveragePooling2D, 8, 8, 3, 2, same", // asymmetric: padding only bottom/right
        "AveragePooling2D, 7, 6, 3, 2, same",
        "AveragePooling2D, 7, 7, 7, 7, valid", // MobileNetV2's 7x7 head
        "AveragePooling2D, 8, 8, 2, null, valid",
    })
    void pooling(String cls, int h, int w, int k, String s, String padding) throws Exception {
        Net n = new Net("pool", h, w, 3, 19L * h + w + k);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':1}");
        n.layer(cls, "p", "{'pool_size':[" + k + "," + k + "],'strides':" + (s.equals("null") ? "null" : "[" + s + ","
                + s + "]") + ",'padding':'" + padding + "','data_format':'channels_last'}", "c");
        KerasModel m = n.build();
        assertArrayEquals(KerasShapes.outputShape(m, "p"), OnnxExport.outputShape(m));
        check(cls + " " + padding + " " + h + "x" + w + " k" + k + " s" + s, m, TOL);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void globalAveragePooling(boolean keepdims) throws Exception {
        Net n = new Net("gap", 5, 6, 3, 20);
        n.conv("c", "input", 3, "{'filters':7,'kernel_size':3}");
        n.layer("GlobalAveragePooling2D", "g", keepdims ? "{'keepdims':true}" : "{'data_format':'channels_last'}", "c");
        KerasModel m = n.build();
        assertArrayEquals(keepdims ? new int[] {1, 1, 7} : new int[] {7}, OnnxExport.outputShape(m));
        check("GlobalAveragePooling2D keepdims " + keepdims, m, TOL);
    }

    // -------------------------------------------------------------------------------------- Flatten, Dense

    @Test
    void flattenKeepsKerasOrder() throws Exception {
        Net n = new Net("flatten", 3, 4, 2, 21);
        n.conv("c", "input", 2, "{'filters':5,'kernel_size':1}");
        n.layer("Flatten", "f", "{'data_format':'channels_last'}", "c");
        KerasModel m = n.build();
        assertArrayEquals(new int[] {60}, OnnxExport.outputShape(m));
        check("Flatten 3x4x5", m, TOL);
        n.dense("d", "f", 60, "{'units':6,'activation':'softmax'}");
        check("Flatten 3x4x5 + Dense softmax", n.build(), TOL);
    }

    @Test
    void flattenOfOneByOne() throws Exception {
        Net n = new Net("flatten1", 7, 7, 3, 22);
        n.conv("c", "input", 3, "{'filters':8,'kernel_size':1}");
        n.layer("AveragePooling2D", "p", "{'pool_size':[7,7],'strides':[7,7],'padding':'valid'}", "c");
        n.layer("Flatten", "f", "{}", "p");
        n.dense("d", "f", 8, "{'units':3,'use_bias':false,'activation':'relu'}");
        n.layer("Dropout", "drop", "{'rate':0.5}", "d");
        n.dense("out", "drop", 3, "{'units':5,'activation':'softmax'}");
        check("Flatten 1x1 + Dense + Dropout", n.build(), TOL);
    }

    @Test
    void denseOnAFeatureMapActsOnChannels() throws Exception {
        Net n = new Net("dense4", 3, 3, 4, 23);
        n.dense("d", "input", 4, "{'units':5,'activation':'tanh'}");
        n.conv("c", "d", 5, "{'filters':2,'kernel_size':3}");
        check("Dense on feature map", n.build(), TOL);
    }

    @Test
    void dropoutIsIdentity() throws Exception {
        Net n = new Net("dropout", 4, 4, 3, 24);
        n.layer("Dropout", "d", "{'rate':0.9}", "input");
        check("Dropout", n.build(), 0);
    }

    // -------------------------------------------------------------------------------------- a larger graph

    /** Inception- and MobileNet-like branches: ZeroPadding, stride-2 convs, BN, ReLU6, pools, Add, Concatenate. */
    @Test
    void multiBranchGraph() throws Exception {
        Net n = new Net("branches", 15, 14, 3, 25);
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
        assertArrayEquals(KerasShapes.outputShape(m, "logits"), OnnxExport.outputShape(m));
        check("multi-branch graph (softmax out)", m, TOL);
        check("multi-branch graph (cut at gap)", m.cutAt("gap"), TOL);
        check("multi-branch graph (cut at mixed)", m.cutAt("mixed"), TOL);
    }

    // ------------------------------------------------------------------------------------ the ONNX contract

    @Test
    void inputAndOutputFollowClipbenchConventions(@TempDir Path dir) throws Exception {
        Net n = new Net("contract", 9, 7, 3, 26);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'strides':2,'padding':'same'}");
        n.layer("GlobalAveragePooling2D", "g", "{}", "c");
        KerasModel m = n.build();
        Path file = dir.resolve("sub/model.onnx");
        OnnxExport.write(m, file);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(OnnxExport.toBytes(m), bytes, "write and toBytes give the same model");
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = ENV.createSession(file.toString(), o)) {
            Map<String, NodeInfo> in = s.getInputInfo();
            assertEquals(java.util.Set.of(OnnxExport.INPUT), in.keySet());
            TensorInfo ti = (TensorInfo) in.get(OnnxExport.INPUT).getInfo();
            assertArrayEquals(new long[] {-1, 3, 9, 7}, ti.getShape());
            assertEquals("N", ti.getDimensionNames()[0]);
            TensorInfo to = (TensorInfo) s.getOutputInfo().get(OnnxExport.OUTPUT).getInfo();
            assertArrayEquals(new long[] {-1, 4}, to.getShape());
            assertEquals("clipbench-keras-import", s.getMetadata().getProducerName());
            // dynamic batch: 1 and 3 images give the same per-image result
            Nd x = OnnxReferenceTest.randomInput(3, m.inputShape(), 5);
            Nd all = OnnxReferenceTest.ort(s, OnnxReferenceTest.nhwcToNchw(x), 3, 3, 9, 7);
            Nd first = OnnxReferenceTest.ort(s, Arrays.copyOf(OnnxReferenceTest.nhwcToNchw(x), 3 * 9 * 7), 1, 3, 9, 7);
            assertArrayEquals(new int[] {3, 4}, all.shape());
            assertArrayEquals(Arrays.copyOf(all.v(), 4), first.v(), 1e-6f);
        }
        assertTrue(bytes.length < 4096, "small model, " + bytes.length + " bytes");
    }

    @Test
    void headerFieldsAreIrVersion8AndOpset13() {
        Net n = new Net("header", 2, 2, 3, 27);
        n.layer("Dropout", "d", "{}", "input");
        byte[] b = OnnxExport.toBytes(n.build());
        // field 1 (ir_version) varint 8, then producer_name; opset_import { domain "" version 13 }
        assertEquals(0x08, b[0]);
        assertEquals(8, b[1]);
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(s.contains(new String(new byte[] {0x42, 0x04, 0x0a, 0x00, 0x10, 13},
                java.nio.charset.StandardCharsets.ISO_8859_1)), "opset_import {domain: '', version: 13}");
    }

    @Test
    void featureMapOutputIsChannelsLastLikeKeras() throws Exception {
        Net n = new Net("fmap", 6, 5, 3, 28);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'strides':2,'padding':'same'}");
        KerasModel m = n.build();
        assertArrayEquals(new int[] {3, 3, 4}, OnnxExport.outputShape(m));
        check("feature-map output NHWC", m, TOL);
    }

    @Test
    void layersMayBeNamedLikeTheGraphInputAndOutput() throws Exception {
        Net n = new Net("names", 4, 4, 3, 29);
        n.conv("image", "input", 3, "{'filters':2,'kernel_size':1}");
        n.conv("embedding", "image", 2, "{'filters':3,'kernel_size':3,'padding':'same'}");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "embedding");
        check("layers named image / embedding", n.build(), TOL);
    }

    // ---------------------------------------------------------------------------------------------- errors

    @Test
    void unsupportedConfigsNameTheLayerAndField() {
        assertRefused("{'filters':2,'kernel_size':3,'padding':'causal'}", "Conv2D", "padding");
        assertRefused("{'filters':2,'kernel_size':3,'data_format':'channels_first'}", "Conv2D", "data_format");
        assertRefused("{'filters':2,'kernel_size':3,'activation':'elu'}", "Conv2D", "activation");
        assertRefused("{'filters':2}", "Conv2D", "kernel_size");
        Net relu = new Net("bad_relu", 4, 4, 3, 1);
        relu.layer("ReLU", "odd_relu", "{'threshold':0.5}", "input");
        assertMessage(relu.build(), "odd_relu", "threshold");
        Net act = new Net("bad_act", 4, 4, 3, 1);
        act.layer("Activation", "odd_act", "{'activation':'selu'}", "input");
        assertMessage(act.build(), "odd_act", "activation");
        Net bn = new Net("bad_bn", 4, 4, 3, 1);
        bn.bn("odd_bn", "input", 3, "{'axis':1}");
        assertMessage(bn.build(), "odd_bn", "axis");
        Net missing = new Net("missing", 4, 4, 3, 1);
        missing.layer("Conv2D", "no_kernel", "{'filters':2,'kernel_size':1}", "input");
        assertMessage(missing.build(), "no_kernel", "no_kernel/kernel");
        Net wrong = new Net("wrong_shape", 4, 4, 3, 1);
        wrong.conv("c", "input", 2, "{'filters':2,'kernel_size':1}"); // kernel made for 2 input channels
        assertMessage(wrong.build(), "'c'", "shape");
        Net pad = new Net("bad_pad", 4, 4, 3, 1);
        pad.layer("ZeroPadding2D", "odd_pad", "{'padding':[[1,2,3],[1,2]]}", "input");
        assertMessage(pad.build(), "odd_pad", "padding");
        Net small = new Net("too_small", 2, 2, 3, 1);
        small.conv("big", "input", 3, "{'filters':2,'kernel_size':3}");
        assertMessage(small.build(), "big", "window");
    }

    private static void assertRefused(String convCfg, String cls, String field) {
        Net n = new Net("bad", 4, 4, 3, 1);
        n.layer(cls, "the_layer", convCfg, "input");
        n.weight("the_layer/kernel", -1, 1, 3, 3, 3, 2);
        n.weight("the_layer/bias", -1, 1, 2);
        assertMessage(n.build(), "the_layer", field);
    }

    private static void assertMessage(KerasModel m, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
        }
    }

    @Test
    void referenceCatchesAWrongPaddingSide() throws OrtException {
        // sanity check of the test itself: with the extra pixel on the top/left (what a symmetric or
        // SAME_LOWER export would do) the 8x8 stride-2 result differs clearly from Keras's
        Net n = new Net("sides", 8, 8, 1, 3);
        n.conv("c", "input", 1, "{'filters':1,'kernel_size':3,'strides':2,'padding':'same','use_bias':false}");
        KerasModel m = n.build();
        Nd x = OnnxReferenceTest.randomInput(1, m.inputShape(), 1);
        Nd keras = OnnxReferenceTest.run(m, x);
        // same conv on the input padded 1 on top/left and 0 bottom/right, valid
        Net shifted = new Net("sides2", 8, 8, 1, 3);
        shifted.layer("ZeroPadding2D", "p", "{'padding':[[1,0],[1,0]]}", "input");
        shifted.conv("c", "p", 1, "{'filters':1,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        Nd other = OnnxReferenceTest.run(shifted.build(), x);
        assertArrayEquals(keras.shape(), other.shape());
        assertTrue(OnnxReferenceTest.maxAbsDiff(keras.v(), other.v()) > 0.05);
        check("Conv2D same 8x8 k3 s2 (1 channel)", m, TOL);
    }
}
