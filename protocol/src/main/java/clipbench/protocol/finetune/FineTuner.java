package clipbench.protocol.finetune;

import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import clipbench.protocol.heads.LinearHead;
import clipbench.protocol.heads.LiteHeadProvider;
import clipbench.protocol.heads.ProHeadProvider;
import clipbench.protocol.heads.Splits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains a {@link TowerCut}'s top and a head on top of it, in plain Java: the one implementation every runtime
 * trains with (the runtime only computes the top's forward and vector-Jacobian product).
 *
 * <p>A step: top forward on the batch's activations → L2 normalisation → head logits → mean softmax
 * cross-entropy; back through the head, the normalisation and the top ({@link TowerCut#backward}); one
 * {@link AdamW} step on the top's tensors (backbone learning rate) and the head's (head learning rate) with the
 * cosine factor of {@link FineTuneSettings#cosineFactor}. The training rows are shuffled each epoch with a
 * {@link SplittableRandom} seeded by the row's seed; everything is sequential, so a seed gives byte-identical
 * weights and logits.
 *
 * <p>Early stopping: the validation rows are scored before training (epoch 0) and after every epoch; the best
 * (accuracy, ties to lower cross-entropy, then the earlier epoch) is kept, and training stops after
 * {@code patience} epochs without a better one. Without validation rows every epoch runs and the last is kept.
 */
public final class FineTuner {
    /** Rows per forward when scoring (no gradients): bounds the runtime's memory on large validation sets. */
    static final int SCORE_BATCH = 256;
    private static final long SHUFFLE_SALT = 0x6A09E667F3BCC908L;

    private final FineTuneSettings settings;

    public FineTuner(FineTuneSettings settings) {
        this.settings = settings;
    }

    /** The heads that fine-tune: {@code lite} and {@code pro}. */
    public static boolean supports(String headId) {
        return headId.equals(LiteHeadProvider.ID) || headId.equals(ProHeadProvider.ID);
    }

    /**
     * Trains {@code cut}'s top and the head {@code headId} ({@code lite} or {@code pro}).
     *
     * @throws IllegalArgumentException for another head, or {@code pro} without class text embeddings
     */
    public FineTuned train(TowerCut cut, String headId, FineTuneInputs in) {
        return train(cut, headId, in, StepListener.NONE);
    }

    /** {@link #train(TowerCut, String, FineTuneInputs)}, telling {@code listener} each step's batch loss. */
    public FineTuned train(TowerCut cut, String headId, FineTuneInputs in, StepListener listener) {
        List<TrainableParameter> params = cut.parameters();
        List<float[]> top = new ArrayList<>(params.size());
        params.forEach(p -> top.add(p.values()));
        Map<String, String> selected = new LinkedHashMap<>();
        TrainableHead head = start(cut, top, headId, in, selected);
        List<float[]> headValues = head.initialValues();

        AdamW optimiser = optimiser(params, top, head, headValues);
        List<float[]> all = new ArrayList<>(top);
        all.addAll(headValues);
        boolean validate = in.valActivations().length > 0;
        List<EpochRecord> history = new ArrayList<>();
        Score start = score(cut, head, top, headValues, in.trainActivations(), in.trainLabels());
        Score best = validate ? score(cut, head, top, headValues, in.valActivations(), in.valLabels()) : null;
        history.add(new EpochRecord(0, start.loss, validate ? best.accuracy : Double.NaN,
                validate ? best.loss : Double.NaN));
        List<float[]> bestTop = Tensors.copy(top);
        List<float[]> bestHead = Tensors.copy(headValues);
        int bestEpoch = 0;

        int n = in.trainLabels().length;
        int stepsPerEpoch = (n + settings.batchSize() - 1) / settings.batchSize();
        long totalSteps = (long) stepsPerEpoch * settings.epochs();
        SplittableRandom random = new SplittableRandom(in.seed() ^ SHUFFLE_SALT);
        int[] order = IntStream.range(0, n).toArray();
        int epoch = 0;
        int since = 0;
        while (epoch < settings.epochs()) {
            epoch++;
            Splits.shuffle(order, random);
            double lossSum = 0;
            for (int from = 0; from < n; from += settings.batchSize()) {
                int to = Math.min(n, from + settings.batchSize());
                float[][] x = new float[to - from][];
                int[] y = new int[to - from];
                for (int i = from; i < to; i++) {
                    x[i - from] = in.trainActivations()[order[i]];
                    y[i - from] = in.trainLabels()[order[i]];
                }
                Gradients g = lossAndGradients(cut, head, top, headValues, x, y);
                lossSum += g.loss * (to - from);
                listener.stepped(epoch, optimiser.steps(), g.loss);
                List<float[]> grads = new ArrayList<>(g.top);
                grads.addAll(g.head);
                optimiser.step(all, grads, FineTuneSettings.cosineFactor(optimiser.steps(), totalSteps));
            }
            Score now = validate ? score(cut, head, top, headValues, in.valActivations(), in.valLabels()) : null;
            history.add(new EpochRecord(epoch, lossSum / n, validate ? now.accuracy : Double.NaN,
                    validate ? now.loss : Double.NaN));
            if (!validate || now.better(best)) {
                best = now;
                bestTop = Tensors.copy(top);
                bestHead = Tensors.copy(headValues);
                bestEpoch = epoch;
                since = 0;
            } else if (++since >= settings.patience()) {
                break;
            }
        }
        selected.put("cut", cut.cutName());
        selected.put("epochs", Integer.toString(epoch));
        selected.put("best_epoch", Integer.toString(bestEpoch));
        selected.put("stop_rule", validate ? "validation" : "fixed");
        long trainable = Tensors.count(top) + Tensors.count(headValues);
        return new FineTuned(cut, head, bestTop, bestHead, trainable, List.copyOf(history), Map.copyOf(selected));
    }

    /**
     * The head's start. LITE: the frozen-feature LITE fit (linear probe on the embeddings the untouched top gives,
     * λ sweep included: the {@code head} row's fit, on embeddings equal up to the runtime's and the normalisation's
     * float rounding), then fine-tuned: {@code last:N} starts where {@code head} ends. PRO: the class text embeddings and ln(logit scale), as the pro head starts.
     */
    private TrainableHead start(TowerCut cut, List<float[]> top, String headId, FineTuneInputs in,
                                Map<String, String> selected) {
        if (headId.equals(ProHeadProvider.ID)) {
            if (in.classText() == null) {
                throw new IllegalArgumentException("pro needs class text embeddings (a text tower)");
            }
            return new CosineTrainableHead(in.classText(), in.logitScale());
        }
        if (!headId.equals(LiteHeadProvider.ID)) {
            throw new IllegalArgumentException("head '" + headId + "' cannot be fine-tuned (only lite and pro)");
        }
        HeadInputs frozen = new HeadInputs(in.numClasses(), null, in.logitScale(),
                embeddings(cut, top, in.trainActivations()), in.trainLabels(),
                embeddings(cut, top, in.valActivations()), in.valLabels(), in.seed());
        LinearHead probe = (LinearHead) new LiteHeadProvider().fit(frozen);
        probe.selected().forEach((k, v) -> selected.put("start_" + k, v));
        return new LinearTrainableHead(probe.weightsCopy(), probe.biasCopy());
    }

    /** Normalised embeddings of the top with the given values, in scoring batches. */
    private static float[][] embeddings(TowerCut cut, List<float[]> top, float[][] activations) {
        float[][] out = new float[activations.length][];
        for (int from = 0; from < activations.length; from += SCORE_BATCH) {
            int to = Math.min(activations.length, from + SCORE_BATCH);
            float[][] e = cut.forward(Arrays.copyOfRange(activations, from, to), top);
            float[][] n = Tensors.normalize(e, new double[e.length]);
            System.arraycopy(n, 0, out, from, n.length);
        }
        return out;
    }

    private AdamW optimiser(List<TrainableParameter> params, List<float[]> top, TrainableHead head,
                            List<float[]> headValues) {
        int count = params.size() + headValues.size();
        int[] lengths = new int[count];
        double[] rates = new double[count];
        boolean[] decays = new boolean[count];
        boolean[] headDecays = head.decays();
        for (int i = 0; i < count; i++) {
            boolean inTop = i < params.size();
            lengths[i] = inTop ? top.get(i).length : headValues.get(i - params.size()).length;
            rates[i] = inTop ? settings.backboneLearningRate() : settings.headLearningRate();
            decays[i] = inTop ? params.get(i).decays() : headDecays[i - params.size()];
        }
        return new AdamW(lengths, rates, decays, settings);
    }

    /** The loss of one batch and its gradients with respect to the top's and the head's values. */
    record Gradients(double loss, List<float[]> top, List<float[]> head) {
    }

    static Gradients lossAndGradients(TowerCut cut, TrainableHead head, List<float[]> top, List<float[]> headValues,
                                      float[][] x, int[] y) {
        float[][] e = cut.forward(x, top);
        double[] norms = new double[e.length];
        float[][] n = Tensors.normalize(e, norms);
        double[][] z = head.logits(headValues, n);
        double[][] dz = new double[z.length][z[0].length];
        double loss = Tensors.crossEntropy(z, y, dz);
        List<float[]> headGrads = Tensors.zerosLike(headValues);
        float[][] dn = head.backward(headValues, n, dz, headGrads);
        float[][] de = Tensors.normalizeBackward(n, norms, dn);
        List<float[]> topGrads = cut.backward(x, top, de);
        return new Gradients(loss, topGrads, headGrads);
    }

    static double[][] logits(TowerCut cut, TrainableHead head, List<float[]> top, List<float[]> headValues,
                             float[][] x) {
        float[][] e = cut.forward(x, top);
        return head.logits(headValues, Tensors.normalize(e, new double[e.length]));
    }

    private record Score(double accuracy, double loss) {
        boolean better(Score other) {
            return accuracy > other.accuracy || (accuracy == other.accuracy && loss < other.loss);
        }
    }

    private static Score score(TowerCut cut, TrainableHead head, List<float[]> top, List<float[]> headValues,
                               float[][] x, int[] y) {
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < x.length; from += SCORE_BATCH) {
            int to = Math.min(x.length, from + SCORE_BATCH);
            double[][] z = logits(cut, head, top, headValues, Arrays.copyOfRange(x, from, to));
            int[] labels = Arrays.copyOfRange(y, from, to);
            lossSum += Tensors.crossEntropy(z, labels, null) * (to - from);
            correct += Tensors.correct(z, labels);
        }
        return new Score((double) correct / x.length, lossSum / x.length);
    }
}
