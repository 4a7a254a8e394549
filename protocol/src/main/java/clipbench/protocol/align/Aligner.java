package clipbench.protocol.align;

import clipbench.protocol.finetune.AdamW;
import clipbench.protocol.finetune.FineTuneSettings;
import clipbench.protocol.heads.Splits;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains the projections Wi, Wt and the temperature t with {@link ContrastiveLoss} on cached embeddings (LiT: both
 * towers frozen, only the projections learn).
 *
 * <p>Pairs are rows of a list, so an image may have several captions and a caption several images. A batch is drawn
 * from a seeded shuffle of the pairs (reshuffled when fewer than a batch remain, so every step has a full batch);
 * it may hold an image twice, or a caption twice: every (image, caption) of the batch that is a pair of the data is a
 * positive ({@link ContrastiveLoss}'s targets), never a negative. Pairs are matched by row, so the same caption text
 * should be one caption row ("a photo of a shirt" for every shirt).
 *
 * <p>Start: Wi, Wt with entries N(0, 1/width) (CLIP's {@code width^-0.5 * randn}), t = ln(1/0.07). Each step: the
 * loss and gradient in double, one {@link AdamW} update of the float parameters (cosine factor of
 * {@link FineTuneSettings#cosineFactor}), then t clamped to [0, ln 100] as open_clip does. Every loop sums in a fixed
 * order, so a seed gives byte-identical results on any number of threads.
 */
public final class Aligner {
    private static final long INIT_SALT = 0x5EED_1417_0000_0001L;
    private static final long SHUFFLE_SALT = 0x5EED_1417_0000_0002L;
    private static final long EVAL_SALT = 0x5EED_1417_0000_0003L;

    private final AlignSettings settings;

    public Aligner(AlignSettings settings) {
        this.settings = settings;
    }

    /**
     * @param images   image embeddings, one row per image
     * @param captions caption (text) embeddings, one row per caption
     * @param pairs    which image goes with which caption; duplicates are refused
     */
    public Alignment align(float[][] images, float[][] captions, List<Pair> pairs) {
        int imageWidth = width("image", images);
        int textWidth = width("caption", captions);
        Set<Pair> truth = pairSet(pairs, images.length, captions.length);
        int dim = settings.dim();
        int batch = Math.min(settings.batchSize(), pairs.size());
        ContrastiveLoss loss = new ContrastiveLoss(dim, imageWidth, textWidth);

        SplittableRandom init = new SplittableRandom(settings.seed() ^ INIT_SALT);
        float[] wi = gaussian(dim * imageWidth, imageWidth, init);
        float[] wt = gaussian(dim * textWidth, textWidth, init);
        float[] t = {(float) ContrastiveLoss.INITIAL_LOG_SCALE};
        AdamW optimiser = new AdamW(new int[] {wi.length, wt.length, 1},
                new double[] {settings.learningRate(), settings.learningRate(), settings.learningRate()},
                new boolean[] {true, true, false}, AlignSettings.BETA1, AlignSettings.BETA2, AlignSettings.EPS,
                settings.weightDecay());

        SplittableRandom shuffle = new SplittableRandom(settings.seed() ^ SHUFFLE_SALT);
        int[] order = IntStream.range(0, pairs.size()).toArray();
        int cursor = order.length;
        double[] losses = new double[settings.steps()];
        for (int step = 0; step < settings.steps(); step++) {
            if (cursor + batch > order.length) {
                Splits.shuffle(order, shuffle);
                cursor = 0;
            }
            ContrastiveLoss.Batch b = batch(images, captions, pairs, truth, order, cursor, batch);
            cursor += batch;
            ContrastiveLoss.Result r = loss.evaluate(b, parameters(wi, wt, t));
            losses[step] = r.loss();
            ContrastiveLoss.Parameters g = r.gradient();
            optimiser.step(List.of(wi, wt, t),
                    List.of(RowMath.narrow(g.image()), RowMath.narrow(g.text()), new float[] {(float) g.logScale()}),
                    FineTuneSettings.cosineFactor(step, settings.steps()));
            t[0] = (float) Math.max(0, Math.min(t[0], Math.log(ContrastiveLoss.MAX_LOGIT_SCALE)));
        }
        double finalLoss = evaluate(loss, images, captions, pairs, truth, parameters(wi, wt, t), batch);
        return new Alignment(new AlignedProjections(dim, imageWidth, textWidth, wi, wt, t[0]), losses, finalLoss,
                settings, pairs.size());
    }

    /** The loss of every pair once: a seeded order cut into batches, the mean weighted by rows. */
    private double evaluate(ContrastiveLoss loss, float[][] images, float[][] captions, List<Pair> pairs,
                            Set<Pair> truth, ContrastiveLoss.Parameters p, int batch) {
        int[] order = IntStream.range(0, pairs.size()).toArray();
        Splits.shuffle(order, new SplittableRandom(settings.seed() ^ EVAL_SALT));
        double sum = 0;
        for (int from = 0; from < order.length; from += batch) {
            int size = Math.min(batch, order.length - from);
            sum += size * loss.loss(batch(images, captions, pairs, truth, order, from, size), p);
        }
        return sum / order.length;
    }

    private static ContrastiveLoss.Batch batch(float[][] images, float[][] captions, List<Pair> pairs,
                                               Set<Pair> truth, int[] order, int from, int size) {
        Pair[] rows = new Pair[size];
        float[][] x = new float[size][];
        float[][] y = new float[size][];
        for (int i = 0; i < size; i++) {
            rows[i] = pairs.get(order[from + i]);
            x[i] = images[rows[i].image()];
            y[i] = captions[rows[i].caption()];
        }
        boolean[][] positives = new boolean[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                positives[i][j] = truth.contains(new Pair(rows[i].image(), rows[j].caption()));
            }
        }
        return new ContrastiveLoss.Batch(x, y, positives);
    }

    private static ContrastiveLoss.Parameters parameters(float[] wi, float[] wt, float[] t) {
        return new ContrastiveLoss.Parameters(RowMath.widen(wi), RowMath.widen(wt), t[0]);
    }

    private static float[] gaussian(int length, int width, SplittableRandom random) {
        double std = 1 / Math.sqrt(width);
        float[] w = new float[length];
        for (int i = 0; i < length; i++) {
            w[i] = (float) (std * random.nextGaussian());
        }
        return w;
    }

    private static Set<Pair> pairSet(List<Pair> pairs, int images, int captions) {
        if (pairs.size() < 2) {
            throw new IllegalArgumentException("align needs at least 2 pairs, got " + pairs.size());
        }
        Set<Pair> truth = new HashSet<>();
        for (Pair p : pairs) {
            if (p.image() >= images || p.caption() >= captions) {
                throw new IllegalArgumentException("pair " + p + " is outside " + images + " images and " + captions
                        + " captions");
            }
            if (!truth.add(p)) {
                throw new IllegalArgumentException("pair " + p + " is listed twice");
            }
        }
        return truth;
    }

    private static int width(String what, float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("align needs " + what + " embeddings, got none");
        }
        for (float[] row : rows) {
            if (row.length != rows[0].length) {
                throw new IllegalArgumentException(what + " embeddings differ in width: " + rows[0].length + " and "
                        + row.length);
            }
        }
        return rows[0].length;
    }
}
