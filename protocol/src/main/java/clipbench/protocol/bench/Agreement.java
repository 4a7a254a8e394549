package clipbench.protocol.bench;

import clipbench.protocol.Vectors;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a reduced-precision case compares with the fp32 case of the same backend, batch and threads, measured in
 * the same bench run.
 *
 * <ul>
 *   <li>{@code speedupVsFp32}: its median images/s over the fp32 case's;</li>
 *   <li>{@code minCosineVsFp32}: the smallest cosine between an image's fp32 and reduced-precision embedding;</li>
 *   <li>{@code top1AgreementVsFp32}: a nearest-class-mean classifier whose class means are the normalised means of
 *       the fp32 embeddings of the sample's images of each class; the share of images it assigns the same class
 *       from their fp32 and from their reduced-precision embedding (argmax cosine to the means).</li>
 * </ul>
 * Below {@value #EQUIVALENT_TOP1} top-1 agreement the case is not equivalent to fp32.
 *
 * @param images the images both cases embedded
 */
public record Agreement(double speedupVsFp32, double minCosineVsFp32, double top1AgreementVsFp32, int images) {
    public static final double EQUIVALENT_TOP1 = 0.99;

    public boolean equivalent() {
        return top1AgreementVsFp32 >= EQUIVALENT_TOP1;
    }

    /** Compares {@code other} with {@code fp32}; the samples must hold the same images (by id). */
    public static Agreement of(BenchResult fp32, BenchResult other) {
        AgreementSample ref = fp32.agreement();
        AgreementSample low = other.agreement();
        if (ref == null || low == null) {
            throw new IllegalStateException("bench: no agreement sample to compare with fp32");
        }
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < low.ids().size(); i++) {
            at.put(low.ids().get(i), i);
        }
        if (!at.keySet().equals(new HashSet<>(ref.ids())) || ref.ids().isEmpty()) {
            throw new IllegalStateException("bench: the fp32 and reduced-precision cases embedded different images ("
                    + ref.ids().size() + " and " + low.ids().size() + ")");
        }
        TreeSet<Integer> classes = new TreeSet<>();
        for (int l : ref.labels()) {
            classes.add(l);
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException("--dataset: the agreement sample has " + classes.size()
                    + " class; top-1 agreement needs at least 2");
        }
        int dim = ref.rows()[0].length;
        Map<Integer, float[]> means = new TreeMap<>();
        for (int i = 0; i < ref.rows().length; i++) {
            float[] m = means.computeIfAbsent(ref.labels()[i], k -> new float[dim]);
            float[] row = unit(ref.rows()[i]);
            for (int j = 0; j < dim; j++) {
                m[j] += row[j];
            }
        }
        means.values().forEach(Vectors::normalize);
        double minCosine = 1;
        int agree = 0;
        for (int i = 0; i < ref.rows().length; i++) {
            float[] a = unit(ref.rows()[i]);
            float[] b = unit(low.rows()[at.get(ref.ids().get(i))]);
            minCosine = Math.min(minCosine, Vectors.dot(a, b));
            if (nearest(a, means) == nearest(b, means)) {
                agree++;
            }
        }
        double speedup = median(other) / median(fp32);
        return new Agreement(speedup, minCosine, agree / (double) ref.rows().length, ref.rows().length);
    }

    private static double median(BenchResult r) {
        return Percentiles.of(r.repeatImagesPerSecond().stream().mapToDouble(Double::doubleValue).toArray()).median();
    }

    /** The class whose mean is closest (first on ties, classes in order). */
    private static int nearest(float[] row, Map<Integer, float[]> means) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Integer, float[]> e : means.entrySet()) {
            double s = Vectors.dot(row, e.getValue());
            if (s > bestScore) {
                bestScore = s;
                best = e.getKey();
            }
        }
        return best;
    }

    private static float[] unit(float[] row) {
        return Vectors.normalize(row.clone());
    }
}
