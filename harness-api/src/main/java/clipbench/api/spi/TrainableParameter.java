package clipbench.api.spi;

import java.util.Arrays;

/**
 * One trainable tensor of a {@link TowerCut}'s top.
 *
 * @param name   the name the network gives it (e.g. {@code visual.transformer.resblocks.11.attn.in_proj_weight},
 *               {@code block_16_project/kernel})
 * @param shape  its shape in the runtime's layout
 * @param values its values, row-major ({@code product(shape)} floats)
 */
public record TrainableParameter(String name, int[] shape, float[] values) {
    public TrainableParameter {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (values.length != n) {
            throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(shape) + " needs "
                    + n + " values, got " + values.length);
        }
        values = values.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** True for weight matrices and kernels (two or more dimensions), which AdamW decays; biases and norms are not. */
    public boolean decays() {
        return shape.length >= 2;
    }
}
