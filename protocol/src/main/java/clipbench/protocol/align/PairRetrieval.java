package clipbench.protocol.align;

import clipbench.protocol.Vectors;
import clipbench.protocol.heads.Splits;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Retrieval top-1 of an alignment over image–caption pairs: each image that has a pair queries every caption that
 * has one (correct when the most similar caption is one of its captions, ties to the lower row), and each such
 * caption queries the images likewise.
 *
 * @param imageToText fraction of the paired images whose top caption is theirs
 * @param textToImage fraction of the paired captions whose top image is theirs
 * @param images      images queried
 * @param captions    captions queried
 */
public record PairRetrieval(double imageToText, double textToImage, int images, int captions) {

    public static PairRetrieval of(AlignedProjections p, float[][] images, float[][] captions, List<Pair> pairs) {
        int[] imageRows = pairs.stream().mapToInt(Pair::image).distinct().sorted().toArray();
        int[] captionRows = pairs.stream().mapToInt(Pair::caption).distinct().sorted().toArray();
        Set<Pair> truth = new HashSet<>(pairs);
        float[][] zi = p.embedImages(Splits.rows(images, imageRows));
        float[][] zt = p.embedTexts(Splits.rows(captions, captionRows));
        int imageHits = 0;
        for (int i = 0; i < zi.length; i++) {
            int best = best(zi[i], zt);
            imageHits += truth.contains(new Pair(imageRows[i], captionRows[best])) ? 1 : 0;
        }
        int captionHits = 0;
        for (int j = 0; j < zt.length; j++) {
            int best = best(zt[j], zi);
            captionHits += truth.contains(new Pair(imageRows[best], captionRows[j])) ? 1 : 0;
        }
        return new PairRetrieval((double) imageHits / zi.length, (double) captionHits / zt.length, zi.length,
                zt.length);
    }

    private static int best(float[] query, float[][] candidates) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < candidates.length; j++) {
            double s = Vectors.dot(query, candidates[j]);
            if (s > top) {
                top = s;
                best = j;
            }
        }
        return best;
    }
}
