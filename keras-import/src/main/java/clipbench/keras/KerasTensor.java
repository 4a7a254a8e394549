package clipbench.keras;

import java.util.Arrays;

/**
 * A weight tensor, dequantised to float, in Keras's own layout: Conv2D kernels {@code [kh, kw, in, out]},
 * DepthwiseConv2D kernels {@code [kh, kw, in, multiplier]}, Dense kernels {@code [in, out]}, vectors
 * {@code [n]}; row-major.
 */
public record KerasTensor(String name, int[] shape, float[] data) {
    public KerasTensor {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("weight " + name + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }
}
