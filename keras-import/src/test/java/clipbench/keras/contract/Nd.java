package clipbench.keras.contract;

import java.util.Arrays;
import java.util.Random;

/** A dense float tensor, batch first, row-major (NHWC for feature maps, as Keras lays them out). */
public record Nd(int[] shape, float[] v) {
    public Nd {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != v.length) {
            throw new IllegalArgumentException(Arrays.toString(shape) + " vs " + v.length);
        }
    }

    public float at(int n, int y, int x, int c) {
        return v[((n * shape[1] + y) * shape[2] + x) * shape[3] + c];
    }

    /** The batch size (first axis). */
    public int count() {
        return shape[0];
    }

    /** The values of one batch item. */
    public float[] item(int n) {
        int per = v.length / shape[0];
        return Arrays.copyOfRange(v, n * per, (n + 1) * per);
    }

    /** Batches of the same item shape, one after the other. */
    public static Nd stack(java.util.List<Nd> parts) {
        int[] shape = parts.get(0).shape().clone();
        shape[0] = parts.stream().mapToInt(Nd::count).sum();
        float[] v = new float[parts.stream().mapToInt(p -> p.v().length).sum()];
        int at = 0;
        for (Nd p : parts) {
            System.arraycopy(p.v(), 0, v, at, p.v().length);
            at += p.v().length;
        }
        return new Nd(shape, v);
    }

    /** An NHWC batch as NCHW values (what ONNX Runtime and libtorch take). */
    public float[] nchw() {
        int n = shape[0];
        int h = shape[1];
        int w = shape[2];
        int c = shape[3];
        float[] y = new float[v.length];
        for (int i = 0; i < n; i++) {
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    for (int k = 0; k < c; k++) {
                        y[((i * c + k) * h + yy) * w + xx] = at(i, yy, xx, k);
                    }
                }
            }
        }
        return y;
    }

    /** {@code n} NHWC images of shape {@code hwc}, values uniform in {@code [lo, hi)} from {@code seed}. */
    public static Nd random(int n, int[] hwc, long seed, double lo, double hi) {
        Random r = new Random(seed);
        float[] v = new float[n * hwc[0] * hwc[1] * hwc[2]];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextFloat());
        }
        return new Nd(new int[] {n, hwc[0], hwc[1], hwc[2]}, v);
    }

    /** {@code n} NHWC images, values in [-1, 1). */
    public static Nd random(int n, int[] hwc, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * hwc[0] * hwc[1] * hwc[2]];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return new Nd(new int[] {n, hwc[0], hwc[1], hwc[2]}, v);
    }

    /** Largest absolute difference; infinite where one is NaN and the other not. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
