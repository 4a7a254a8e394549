package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KerasShapesTest {
    private final List<KerasLayer> layers = new ArrayList<>();
    private final Map<String, KerasTensor> weights = new LinkedHashMap<>();

    private KerasShapesTest add(String name, String cls, String config, String... inbound) throws IOException {
        JsonNode c = TinyTfjs.JSON.readTree(config);
        layers.add(new KerasLayer(name, cls, c, List.of(inbound)));
        return this;
    }

    private void weight(String name, int... shape) {
        weights.put(name, new KerasTensor(name, shape, new float[TinyTfjs.size(shape)]));
    }

    private KerasModel model(int... input) {
        List<KerasLayer> all = new ArrayList<>();
        all.add(new KerasLayer("in", "InputLayer", TinyTfjs.JSON.createObjectNode(), List.of()));
        all.addAll(layers);
        return new KerasModel("t", input, all, all.get(all.size() - 1).name(), weights);
    }

    @Test
    void convolutionArithmeticMatchesKeras() throws IOException {
        add("c1", "Conv2D", "{\"filters\":4,\"kernel_size\":3,\"strides\":2,\"padding\":\"same\",\"use_bias\":false}",
                "in");
        weight("c1/kernel", 3, 3, 3, 4);
        add("c2", "Conv2D", "{\"filters\":5,\"kernel_size\":[3,1],\"strides\":[2,1],\"padding\":\"valid\"}", "c1");
        weight("c2/kernel", 3, 1, 4, 5);
        weight("c2/bias", 5);
        add("d1", "DepthwiseConv2D", "{\"kernel_size\":[3,3],\"strides\":[1,1],\"padding\":\"valid\","
                + "\"dilation_rate\":[2,2],\"depth_multiplier\":3,\"use_bias\":false}", "c2");
        weight("d1/depthwise_kernel", 3, 3, 5, 3);
        KerasModel m = model(299, 299, 3);
        assertArrayEquals(new int[] {150, 150, 4}, KerasShapes.outputShape(m, "c1")); // ceil(299/2)
        assertArrayEquals(new int[] {74, 150, 5}, KerasShapes.outputShape(m, "c2")); // floor((150-3)/2)+1
        assertArrayEquals(new int[] {70, 146, 15}, KerasShapes.outputShape(m, "d1")); // dilated 5x5, x3 channels
        assertEquals(70 * 146 * 15, KerasShapes.featureLength(m, "d1"));
    }

    @Test
    void paddingPoolingConcatFlattenDense() throws IOException {
        add("zp", "ZeroPadding2D", "{\"padding\":[[0,1],[0,1]]}", "in");
        add("zp2", "ZeroPadding2D", "{\"padding\":2}", "zp");
        add("zp3", "ZeroPadding2D", "{\"padding\":[1,3]}", "zp2");
        add("mp", "MaxPooling2D", "{\"pool_size\":[3,3],\"strides\":[2,2],\"padding\":\"valid\"}", "zp3");
        add("ap", "AveragePooling2D", "{\"pool_size\":[3,3],\"strides\":[1,1],\"padding\":\"same\"}", "mp");
        add("ap2", "AveragePooling2D", "{\"pool_size\":[2,2],\"strides\":null,\"padding\":\"same\"}", "mp");
        add("cat", "Concatenate", "{\"axis\":3}", "mp", "ap", "mp");
        add("bn", "BatchNormalization", "{\"axis\":-1,\"center\":true,\"scale\":false}", "cat");
        weight("bn/beta", 9);
        weight("bn/moving_mean", 9);
        weight("bn/moving_variance", 9);
        add("relu", "ReLU", "{\"max_value\":6}", "bn");
        add("act", "Activation", "{\"activation\":\"relu\"}", "relu");
        add("add", "Add", "{}", "relu", "act");
        add("flat", "Flatten", "{}", "add");
        add("drop", "Dropout", "{\"rate\":0.5}", "flat");
        add("dense", "Dense", "{\"units\":7,\"use_bias\":true}", "drop");
        weight("dense/kernel", 7 * 7 * 9, 7);
        weight("dense/bias", 7);
        KerasModel m = model(10, 8, 3);
        assertArrayEquals(new int[] {11, 9, 3}, KerasShapes.outputShape(m, "zp"));
        assertArrayEquals(new int[] {15, 13, 3}, KerasShapes.outputShape(m, "zp2"));
        assertArrayEquals(new int[] {17, 19, 3}, KerasShapes.outputShape(m, "zp3"));
        assertArrayEquals(new int[] {8, 9, 3}, KerasShapes.outputShape(m, "mp"));
        assertArrayEquals(new int[] {8, 9, 3}, KerasShapes.outputShape(m, "ap"));
        assertArrayEquals(new int[] {4, 5, 3}, KerasShapes.outputShape(m, "ap2")); // ceil(9/2)
        assertArrayEquals(new int[] {8, 9, 9}, KerasShapes.outputShape(m, "cat"));
        assertArrayEquals(new int[] {648}, KerasShapes.outputShape(m, "flat"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasShapes.outputShapes(m));
        assertTrue(e.getMessage().contains("layer 'dense'") && e.getMessage().contains("[441, 7]"), e.getMessage());
        weights.put("dense/kernel", new KerasTensor("dense/kernel", new int[] {648, 7}, new float[648 * 7]));
        assertArrayEquals(new int[] {7}, KerasShapes.outputShape(model(10, 8, 3), "dense"));
    }

    @Test
    void globalPoolingAndErrors() throws IOException {
        add("gap", "GlobalAveragePooling2D", "{}", "in");
        add("gap2", "GlobalAveragePooling2D", "{\"keepdims\":true}", "in");
        add("bad", "Add", "{}", "gap", "gap2");
        KerasModel m = model(7, 7, 1280);
        assertArrayEquals(new int[] {1280}, KerasShapes.outputShape(m, "gap"));
        assertArrayEquals(new int[] {1, 1, 1280}, KerasShapes.outputShape(m, "gap2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasShapes.outputShape(m, "bad"));
        assertTrue(e.getMessage().contains("layer 'bad'") && e.getMessage().contains("different shapes"),
                e.getMessage());
    }

    @Test
    void tooSmallInputAndMissingWeightsAreNamed() throws IOException {
        add("c", "Conv2D", "{\"filters\":2,\"kernel_size\":[5,5],\"padding\":\"valid\",\"use_bias\":false}", "in");
        weight("c/kernel", 5, 5, 1, 2);
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> KerasShapes.outputShapes(model(4, 4, 1)));
        assertTrue(small.getMessage().contains("layer 'c'") && small.getMessage().contains("too small"),
                small.getMessage());
        weights.clear();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> KerasShapes.outputShapes(model(8, 8, 1)));
        assertTrue(missing.getMessage().contains("'c/kernel' is missing"), missing.getMessage());
    }

    @Test
    void samePaddingPutsTheOddCellAfter() {
        assertArrayEquals(new int[] {0, 1}, KerasConfig.samePadding(224, 3, 2, 1)); // MobileNet stride 2: pad bottom
        assertArrayEquals(new int[] {1, 1}, KerasConfig.samePadding(225, 3, 2, 1));
        assertArrayEquals(new int[] {1, 1}, KerasConfig.samePadding(7, 3, 1, 1));
        assertArrayEquals(new int[] {3, 3}, KerasConfig.samePadding(17, 7, 1, 1));
        assertArrayEquals(new int[] {0, 0}, KerasConfig.samePadding(8, 1, 1, 1));
        assertArrayEquals(new int[] {2, 2}, KerasConfig.samePadding(10, 3, 1, 2));
        assertEquals(112, KerasConfig.outputLength(224, 3, 2, 1, "same"));
        assertEquals(111, KerasConfig.outputLength(224, 3, 2, 1, "valid"));
        assertEquals(149, KerasConfig.outputLength(299, 3, 2, 1, "valid"));
        assertEquals(0, KerasConfig.outputLength(2, 3, 1, 1, "valid"));
    }
}
