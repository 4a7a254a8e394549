package clipbench.keras;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reading the fields of a Keras layer config that change what a layer computes, with Keras's defaults, and the
 * padding arithmetic of Keras/TensorFlow. Errors are {@link IllegalArgumentException}s naming the layer.
 *
 * <p>Fields by layer (Keras 2.2 names, as in the TF.js topology):
 * <ul>
 *   <li>Conv2D: {@code filters}, {@code kernel_size}, {@code strides}, {@code padding} ("valid"/"same"),
 *       {@code dilation_rate}, {@code activation}, {@code use_bias}; weights {@code kernel} [kh,kw,in,out],
 *       {@code bias} [out]</li>
 *   <li>DepthwiseConv2D: {@code kernel_size}, {@code strides}, {@code padding}, {@code dilation_rate},
 *       {@code depth_multiplier}, {@code activation}, {@code use_bias}; weights {@code depthwise_kernel}
 *       [kh,kw,in,multiplier] (output channel {@code c*multiplier+m}), {@code bias}</li>
 *   <li>BatchNormalization: {@code axis} (-1 or 3: channels), {@code epsilon}, {@code center} (beta present),
 *       {@code scale} (gamma present); weights in the order gamma, beta, moving_mean, moving_variance, without
 *       the ones switched off; y = gamma·(x − mean)/sqrt(var + epsilon) + beta</li>
 *   <li>ReLU: {@code max_value} (null: none; MobileNetV2: 6), {@code negative_slope}, {@code threshold};
 *       Activation: {@code activation}</li>
 *   <li>ZeroPadding2D: {@code padding} (int, [h,w] or [[top,bottom],[left,right]])</li>
 *   <li>MaxPooling2D / AveragePooling2D: {@code pool_size}, {@code strides} (null: pool size), {@code padding};
 *       average pooling with "same" padding divides by the number of non-padded cells (TensorFlow)</li>
 *   <li>Concatenate: {@code axis}; Dense: {@code units}, {@code activation}, {@code use_bias}; weights
 *       {@code kernel} [in,units], {@code bias}</li>
 * </ul>
 */
public final class KerasConfig {
    private KerasConfig() {
    }

    /** A two-element field such as {@code strides}; a single number means the same value twice. */
    public static int[] pair(KerasLayer layer, String field, int[] fallback) {
        JsonNode v = layer.config().get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw bad(layer, field, "is missing");
            }
            return fallback.clone();
        }
        if (v.canConvertToInt() && v.isIntegralNumber()) {
            return new int[] {v.asInt(), v.asInt()};
        }
        if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()) {
            return new int[] {v.get(0).asInt(), v.get(1).asInt()};
        }
        throw bad(layer, field, "must be a number or two numbers, got " + v);
    }

    public static int integer(KerasLayer layer, String field, Integer fallback) {
        JsonNode v = layer.config().get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw bad(layer, field, "is missing");
            }
            return fallback;
        }
        if (!v.isIntegralNumber()) {
            throw bad(layer, field, "must be an integer, got " + v);
        }
        return v.asInt();
    }

    /** An axis, given as an integer or (as Keras also saves BatchNormalization's) a one-element list. */
    public static int axis(KerasLayer layer, String field, int fallback) {
        JsonNode v = layer.config().get(field);
        if (v != null && v.isArray() && v.size() == 1 && v.get(0).isIntegralNumber()) {
            return v.get(0).asInt();
        }
        return integer(layer, field, fallback);
    }

    public static double number(KerasLayer layer, String field, double fallback) {
        JsonNode v = layer.config().get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw bad(layer, field, "must be a number, got " + v);
        }
        return v.asDouble();
    }

    /** A number that may be null (e.g. ReLU's {@code max_value}): NaN when absent or null. */
    public static double optionalNumber(KerasLayer layer, String field) {
        return number(layer, field, Double.NaN);
    }

    public static boolean flag(KerasLayer layer, String field, boolean fallback) {
        JsonNode v = layer.config().get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw bad(layer, field, "must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    public static String text(KerasLayer layer, String field, String fallback) {
        JsonNode v = layer.config().get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    /** {@code padding} of a convolution or pooling: {@code "valid"} or {@code "same"} (lower case). */
    public static String padding(KerasLayer layer) {
        String p = text(layer, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        if (!p.equals("valid") && !p.equals("same")) {
            throw bad(layer, "padding", "must be 'valid' or 'same', got '" + p + "' (causal padding is 1-D only)");
        }
        return p;
    }

    /** The activation name of a layer ({@code linear} when absent). */
    public static String activation(KerasLayer layer) {
        JsonNode v = layer.config().get("activation");
        if (v == null || v.isNull()) {
            return "linear";
        }
        if (v.isObject()) { // Keras 3 may serialise {"class_name": ..., "config": ...}
            return v.path("config").path("name").asText(v.path("class_name").asText("linear"));
        }
        return v.asText();
    }

    /** Refuses {@code channels_first}: every shape here is channels last, as Keras and TF.js save. */
    public static void requireChannelsLast(KerasLayer layer) {
        String f = text(layer, "data_format", "channels_last");
        if (!f.equals("channels_last")) {
            throw bad(layer, "data_format", "must be channels_last, got " + f);
        }
    }

    /**
     * UpSampling2D's {@code size} as {@code {rows, cols}}, checked: positive factors, channels last, and
     * {@code interpolation nearest} (each pixel repeated: output row {@code i} reads input row {@code floor(i / rows)}).
     */
    public static int[] upSampling(KerasLayer layer) {
        requireChannelsLast(layer);
        String interpolation = text(layer, "interpolation", "nearest");
        if (!interpolation.equals("nearest")) {
            throw bad(layer, "interpolation", "must be 'nearest', got '" + interpolation + "'");
        }
        int[] size = pair(layer, "size", new int[] {2, 2});
        if (size[0] < 1 || size[1] < 1) {
            throw bad(layer, "size", "must be positive, got " + java.util.Arrays.toString(size));
        }
        return size;
    }

    private static final java.util.regex.Pattern PIXEL_SHUFFLE = java.util.regex.Pattern.compile("PixelShuffle(\\d+)x");

    /**
     * The layer's type for dispatch: its class name, except UpscalerJS's custom {@code PixelShuffle<N>x} layers
     * (one class per block size N), which are all {@code PixelShuffle}.
     */
    public static String type(KerasLayer layer) {
        return PIXEL_SHUFFLE.matcher(layer.className()).matches() ? "PixelShuffle" : layer.className();
    }

    /**
     * The block size of UpscalerJS's {@code PixelShuffle<N>x}: {@code tf.depthToSpace(x, N, 'NHWC')}, i.e.
     * {@code out[h*N + i][w*N + j][c] = in[h][w][(i*N + j) * C + c]} (TF's DCR order). N comes from the class name
     * (the JavaScript class fixes it); a config {@code scale} that disagrees is refused.
     */
    public static int pixelShuffle(KerasLayer layer) {
        java.util.regex.Matcher m = PIXEL_SHUFFLE.matcher(layer.className());
        if (!m.matches()) {
            throw bad(layer, "class_name", "is not PixelShuffle<N>x");
        }
        int block = Integer.parseInt(m.group(1));
        int scale = integer(layer, "scale", block);
        if (block < 1 || scale != block) {
            throw bad(layer, "scale", "= " + scale + " does not match the class " + layer.className());
        }
        return block;
    }

    /** UpscalerJS's custom {@code MultiplyBeta}: {@code x * beta}, beta 0.2 (its JavaScript's constant). */
    public static float multiplyBeta(KerasLayer layer) {
        JsonNode v = layer.config().get("beta");
        double beta = v == null || v.isNull() ? 0.2 : v.asDouble();
        if (beta != 0.2) {
            // the package's JavaScript multiplies by its constant 0.2 whatever the config says
            throw bad(layer, "beta", "= " + beta + "; only UpscalerJS's 0.2 is supported");
        }
        return 0.2f;
    }

    /** ZeroPadding2D's padding as {@code {top, bottom, left, right}}. */
    public static int[] zeroPadding(KerasLayer layer) {
        JsonNode v = layer.config().get("padding");
        if (v == null || v.isNull()) {
            return new int[] {1, 1, 1, 1};
        }
        if (v.isIntegralNumber()) {
            int p = v.asInt();
            return new int[] {p, p, p, p};
        }
        if (v.isArray() && v.size() == 2) {
            JsonNode h = v.get(0);
            JsonNode w = v.get(1);
            if (h.isIntegralNumber() && w.isIntegralNumber()) {
                return new int[] {h.asInt(), h.asInt(), w.asInt(), w.asInt()};
            }
            if (h.isArray() && w.isArray() && h.size() == 2 && w.size() == 2) {
                return new int[] {h.get(0).asInt(), h.get(1).asInt(), w.get(0).asInt(), w.get(1).asInt()};
            }
        }
        throw bad(layer, "padding", "must be n, [h, w] or [[top, bottom], [left, right]], got " + v);
    }

    /**
     * Output length of a convolution or pooling along one axis: {@code same}: ceil(in / stride); {@code valid}:
     * ceil((in − (kernel−1)·dilation) / stride).
     */
    public static int outputLength(int in, int kernel, int stride, int dilation, String padding) {
        if (in == KerasModel.ANY) {
            return KerasModel.ANY; // an open size stays open
        }
        if (padding.equals("same")) {
            return (in + stride - 1) / stride;
        }
        int effective = (kernel - 1) * dilation + 1;
        return in < effective ? 0 : (in - effective) / stride + 1;
    }

    /**
     * TensorFlow's "same" padding along one axis as {@code {before, after}}: the total is
     * max((out−1)·stride + effectiveKernel − in, 0) and the odd cell goes after (bottom/right).
     */
    public static int[] samePadding(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int effective = (kernel - 1) * dilation + 1;
        int total = Math.max((out - 1) * stride + effective - in, 0);
        return new int[] {total / 2, total - total / 2};
    }

    private static IllegalArgumentException bad(KerasLayer layer, String field, String what) {
        return new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.className() + "): config field '"
                + field + "' " + what);
    }
}
