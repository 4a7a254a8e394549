package clipbench.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far backends agree on the same images: cosine and absolute difference of their normalised
 * embeddings, and whether their predictions agree. Predictions are zero-shot when both backbones have a
 * text tower; otherwise each backend classifies by the nearest class centroid of its own test embeddings
 * (a label-free comparison of the geometry, so image-only backbones are compared too).
 */
public final class Parity {
    private Parity() {
    }

    /**
     * One pair of backends.
     *
     * @param classifier    {@code zero-shot} or {@code nearest-centroid}
     * @param top1A         accuracy of backend A's predictions
     * @param top1Agreement fraction of images both predict the same class for
     * @param flips         images whose prediction differs
     */
    public record Row(String upsampler, String backendA, String backendB, int nImages, double minCosine,
                      double meanCosine, double maxAbsDiff, String classifier, double top1A, double top1B,
                      double top1Agreement, int flips) {
    }

    /** One backend's view of the test images. */
    public record Side(String backend, EmbeddedSplit split, float[][] classText, double logitScale) {
    }

    /** Every pair, in the given order, over the images both sides embedded. */
    public static List<Row> compare(String upsampler, List<Side> sides, int numClasses) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < sides.size(); i++) {
            for (int j = i + 1; j < sides.size(); j++) {
                rows.add(pair(upsampler, sides.get(i), sides.get(j), numClasses));
            }
        }
        return rows;
    }

    static Row pair(String upsampler, Side a, Side b, int numClasses) {
        Map<String, Integer> rowOfB = b.split().indexById();
        List<Integer> ia = new ArrayList<>();
        List<Integer> ib = new ArrayList<>();
        for (int r = 0; r < a.split().size(); r++) {
            Integer other = rowOfB.get(a.split().ids().get(r));
            if (other != null) {
                ia.add(r);
                ib.add(other);
            }
        }
        int n = ia.size();
        float[][] ea = rows(a.split().embeddings(), ia);
        float[][] eb = rows(b.split().embeddings(), ib);
        int[] labels = ia.stream().mapToInt(r -> a.split().labels()[r]).toArray();
        double minCos = Double.POSITIVE_INFINITY;
        double sumCos = 0;
        double maxAbs = 0;
        for (int r = 0; r < n; r++) {
            double cos = Vectors.dot(ea[r], eb[r]);
            minCos = Math.min(minCos, cos);
            sumCos += cos;
            for (int d = 0; d < ea[r].length; d++) {
                maxAbs = Math.max(maxAbs, Math.abs(ea[r][d] - eb[r][d]));
            }
        }
        boolean zeroShot = a.classText() != null && b.classText() != null;
        int[] pa = predict(a, ea, labels, numClasses, zeroShot);
        int[] pb = predict(b, eb, labels, numClasses, zeroShot);
        int agree = 0;
        for (int r = 0; r < n; r++) {
            agree += pa[r] == pb[r] ? 1 : 0;
        }
        return new Row(upsampler, a.backend(), b.backend(), n, n == 0 ? Double.NaN : minCos,
                n == 0 ? Double.NaN : sumCos / n, maxAbs, zeroShot ? "zero-shot" : "nearest-centroid",
                accuracy(pa, labels), accuracy(pb, labels), n == 0 ? Double.NaN : (double) agree / n, n - agree);
    }

    private static int[] predict(Side side, float[][] embeddings, int[] labels, int numClasses, boolean zeroShot) {
        float[][] classes = zeroShot ? side.classText() : centroids(embeddings, labels, numClasses);
        double scale = zeroShot ? side.logitScale() : 1.0;
        float[][] logits = Vectors.scaledProducts(embeddings, classes, scale);
        int[] out = new int[embeddings.length];
        for (int r = 0; r < out.length; r++) {
            out[r] = Evaluation.argMax(logits[r]);
        }
        return out;
    }

    private static float[][] centroids(float[][] embeddings, int[] labels, int numClasses) {
        int dim = embeddings.length == 0 ? 0 : embeddings[0].length;
        float[][] c = new float[numClasses][dim];
        for (int r = 0; r < embeddings.length; r++) {
            for (int d = 0; d < dim; d++) {
                c[labels[r]][d] += embeddings[r][d];
            }
        }
        return Vectors.normalizeRows(c);
    }

    private static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int r = 0; r < labels.length; r++) {
            ok += predicted[r] == labels[r] ? 1 : 0;
        }
        return labels.length == 0 ? Double.NaN : (double) ok / labels.length;
    }

    private static float[][] rows(float[][] all, List<Integer> index) {
        float[][] out = new float[index.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = all[index.get(i)];
        }
        return out;
    }
}
