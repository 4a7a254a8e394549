package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import clipbench.keras.contract.KerasReference;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is particular to {@link OnnxExport}: the graph's input and output, the header, the refusals. The layers
 * themselves are checked by {@link OnnxLayerContractTest}.
 */
class OnnxExportTest {

    // ------------------------------------------------------------------------------------ the ONNX contract

    @Test
    void inputAndOutputFollowClipbenchConventions(@TempDir Path dir) throws Exception {
        KerasTestNet n = new KerasTestNet("contract", 9, 7, 3, 26);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'strides':2,'padding':'same'}");
        n.layer("GlobalAveragePooling2D", "g", "{}", "c");
        KerasModel m = n.build();
        Path file = dir.resolve("sub/model.onnx");
        OnnxExport.write(m, file);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(OnnxExport.toBytes(m), bytes, "write and toBytes give the same model");
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = OrtRunner.ENV.createSession(file.toString(), o)) {
            Map<String, NodeInfo> in = s.getInputInfo();
            assertEquals(java.util.Set.of(OnnxExport.INPUT), in.keySet());
            TensorInfo ti = (TensorInfo) in.get(OnnxExport.INPUT).getInfo();
            assertArrayEquals(new long[] {-1, 3, 9, 7}, ti.getShape());
            assertEquals("N", ti.getDimensionNames()[0]);
            TensorInfo to = (TensorInfo) s.getOutputInfo().get(OnnxExport.OUTPUT).getInfo();
            assertArrayEquals(new long[] {-1, 4}, to.getShape());
            assertEquals("clipbench-keras-import", s.getMetadata().getProducerName());
            // dynamic batch: 1 and 3 images give the same per-image result
            Nd x = Nd.random(3, m.inputShape(), 5);
            Nd all = OrtRunner.run(s, x.nchw(), 3, 3, 9, 7);
            Nd first = OrtRunner.run(s, Arrays.copyOf(x.nchw(), 3 * 9 * 7), 1, 3, 9, 7);
            assertArrayEquals(new int[] {3, 4}, all.shape());
            assertArrayEquals(Arrays.copyOf(all.v(), 4), first.v(), 1e-6f);
        }
        assertTrue(bytes.length < 4096, "small model, " + bytes.length + " bytes");
    }

    @Test
    void headerFieldsAreIrVersion8AndOpset13() {
        KerasTestNet n = new KerasTestNet("header", 2, 2, 3, 27);
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
    void unsupportedConfigsNameTheLayerAndField() {
        assertRefused("{'filters':2,'kernel_size':3,'padding':'causal'}", "Conv2D", "padding");
        assertRefused("{'filters':2,'kernel_size':3,'data_format':'channels_first'}", "Conv2D", "data_format");
        assertRefused("{'filters':2,'kernel_size':3,'activation':'elu'}", "Conv2D", "activation");
        assertRefused("{'filters':2}", "Conv2D", "kernel_size");
        KerasTestNet relu = new KerasTestNet("bad_relu", 4, 4, 3, 1);
        relu.layer("ReLU", "odd_relu", "{'threshold':0.5}", "input");
        assertMessage(relu.build(), "odd_relu", "threshold");
        KerasTestNet act = new KerasTestNet("bad_act", 4, 4, 3, 1);
        act.layer("Activation", "odd_act", "{'activation':'selu'}", "input");
        assertMessage(act.build(), "odd_act", "activation");
        KerasTestNet bn = new KerasTestNet("bad_bn", 4, 4, 3, 1);
        bn.bn("odd_bn", "input", 3, "{'axis':1}");
        assertMessage(bn.build(), "odd_bn", "axis");
        KerasTestNet missing = new KerasTestNet("missing", 4, 4, 3, 1);
        missing.layer("Conv2D", "no_kernel", "{'filters':2,'kernel_size':1}", "input");
        assertMessage(missing.build(), "no_kernel", "no_kernel/kernel");
        KerasTestNet wrong = new KerasTestNet("wrong_shape", 4, 4, 3, 1);
        wrong.conv("c", "input", 2, "{'filters':2,'kernel_size':1}"); // kernel made for 2 input channels
        assertMessage(wrong.build(), "'c'", "shape");
        KerasTestNet pad = new KerasTestNet("bad_pad", 4, 4, 3, 1);
        pad.layer("ZeroPadding2D", "odd_pad", "{'padding':[[1,2,3],[1,2]]}", "input");
        assertMessage(pad.build(), "odd_pad", "padding");
        KerasTestNet small = new KerasTestNet("too_small", 2, 2, 3, 1);
        small.conv("big", "input", 3, "{'filters':2,'kernel_size':3}");
        assertMessage(small.build(), "big", "window");
    }

    private static void assertRefused(String convCfg, String cls, String field) {
        KerasTestNet n = new KerasTestNet("bad", 4, 4, 3, 1);
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
    void referenceCatchesAWrongPaddingSide() throws Exception {
        // sanity check of the test itself: with the extra pixel on the top/left (what a symmetric or
        // SAME_LOWER export would do) the 8x8 stride-2 result differs clearly from Keras's
        KerasTestNet n = new KerasTestNet("sides", 8, 8, 1, 3);
        n.conv("c", "input", 1, "{'filters':1,'kernel_size':3,'strides':2,'padding':'same','use_bias':false}");
        KerasModel m = n.build();
        Nd x = Nd.random(1, m.inputShape(), 1);
        Nd keras = KerasReference.run(m, x);
        // same conv on the input padded 1 on top/left and 0 bottom/right, valid
        KerasTestNet shifted = new KerasTestNet("sides2", 8, 8, 1, 3);
        shifted.layer("ZeroPadding2D", "p", "{'padding':[[1,0],[1,0]]}", "input");
        shifted.conv("c", "p", 1, "{'filters':1,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        Nd other = KerasReference.run(shifted.build(), x);
        assertArrayEquals(keras.shape(), other.shape());
        assertTrue(Nd.maxAbsDiff(keras.v(), other.v()) > 0.05);
        Nd onnx = new OrtRunner().run(m, x);
        assertTrue(Nd.maxAbsDiff(keras.v(), onnx.v()) <= 1e-5, "ONNX pads like Keras");
    }
}
