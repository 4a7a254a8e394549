package clipbench.protocol.align;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Image and text embeddings as two different random linear maps (plus a little noise) of shared latent vectors: the
 * alignment a projection pair can learn, and nothing else links the two sides.
 */
final class SyntheticPairs {
    static final int LATENT = 8;
    static final int IMAGE_WIDTH = 32;
    static final int TEXT_WIDTH = 24;
    private static final double NOISE = 0.05;

    private final float[][] imageMap;
    private final float[][] textMap;
    private final Random random;

    /** The maps from {@code mapSeed}; latents and noise from {@code sampleSeed}. */
    SyntheticPairs(long mapSeed, long sampleSeed) {
        Random maps = new Random(mapSeed);
        imageMap = ContrastiveLossTest.rows(maps, IMAGE_WIDTH, LATENT);
        textMap = ContrastiveLossTest.rows(maps, TEXT_WIDTH, LATENT);
        random = new Random(sampleSeed);
    }

    float[][] latents(int n) {
        return ContrastiveLossTest.rows(random, n, LATENT);
    }

    float[][] images(float[][] latents) {
        return map(imageMap, latents);
    }

    float[][] texts(float[][] latents) {
        return map(textMap, latents);
    }

    /** Row i with row i. */
    static List<Pair> diagonal(int n) {
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pairs.add(new Pair(i, i));
        }
        return pairs;
    }

    private float[][] map(float[][] m, float[][] latents) {
        float[][] out = new float[latents.length][m.length];
        for (int n = 0; n < latents.length; n++) {
            for (int k = 0; k < m.length; k++) {
                double s = 0;
                for (int j = 0; j < LATENT; j++) {
                    s += m[k][j] * latents[n][j];
                }
                out[n][k] = (float) (s + NOISE * random.nextGaussian());
            }
        }
        return out;
    }
}
