package clipbench.protocol;

import clipbench.api.Versions;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;
import clipbench.api.text.ClipTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Runs a {@link RunPlan}: for each backend and upsampler, embeds the test split once and evaluates every head. */
public final class Runner {
    /** Where rows go as soon as they exist, so an interrupted run keeps what it finished. */
    public interface Sink {
        /** True when a row with this key is already stored (resume). */
        boolean done(String key);

        void accept(ResultRow row, List<Prediction> predictions) throws IOException;
    }

    private final RunPlan plan;
    private final Sink sink;
    private final ProgressListener progress;
    private final List<HeadProvider> zeroShotHeads;

    public Runner(RunPlan plan, List<HeadProvider> zeroShotHeads, Sink sink, ProgressListener progress) {
        this.plan = plan;
        this.zeroShotHeads = List.copyOf(zeroShotHeads);
        this.sink = sink;
        this.progress = progress;
    }

    public void run() throws IOException {
        String split = plan.dataset().testSplit();
        for (RunPlan.BackendChoice choice : plan.backends()) {
            String format = choice.provider().artifactFormat();
            String sha = ModelCards.sha256(plan.card(), format);
            try (Backbone backbone = choice.provider().open(plan.card(), choice.options())) {
                float[][] classText = null;
                for (RunPlan.UpsamplerChoice up : plan.upsamplers()) {
                    Provenance prov = new Provenance(plan.runId(), choice.provider().id(),
                            choice.provider().runtimeVersion(), plan.card().name(), sha, plan.dataset().name(),
                            split, up.spec(), backbone.preprocess().describe(), plan.templates().name(),
                            Versions.clipbench());
                    List<HeadProvider> todo = zeroShotHeads.stream()
                            .filter(h -> !sink.done(zeroShotRow(prov, h, null, null).key())).toList();
                    if (todo.isEmpty() || !plan.protocols().contains("zero-shot")) {
                        continue;
                    }
                    EmbeddedSplit test = new EmbeddingPipeline(backbone, up.upsampler(), plan.batchSize())
                            .embed(plan.dataset().items(split), progress);
                    boolean text = backbone.capabilities().contains(Capability.TEXT_TOWER);
                    if (text && classText == null) {
                        classText = classTextEmbeddings(backbone);
                    }
                    for (HeadProvider h : todo) {
                        if (h.needsText() && !text) {
                            sink.accept(zeroShotRow(prov, h, test, null), List.of());
                            continue;
                        }
                        Head head = h.fit(HeadInputs.zeroShot(classText, plan.card().logitScale()));
                        Evaluation eval = Evaluation.of(head.logits(test.embeddings()), test.labels(),
                                plan.dataset().classes().size());
                        sink.accept(zeroShotRow(prov, h, test, eval), predictions(test, eval));
                    }
                }
            }
        }
    }

    private float[][] classTextEmbeddings(Backbone backbone) throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.load(plan.card().resolveVocab());
        int context = plan.card().contextLength();
        // Long prompts are cut (CLIP's truncate=True) rather than failing a whole run on one class name.
        return ClassPrompts.embed(backbone, texts -> tokenizer.tokenizeAll(texts, context, true),
                plan.dataset().classes(), plan.templates(), plan.batchSize(), progress);
    }

    /** A zero-shot row; without an evaluation it records why the head was skipped. */
    private static ResultRow zeroShotRow(Provenance prov, HeadProvider head, EmbeddedSplit test, Evaluation eval) {
        int n = test == null ? 0 : test.size();
        double nan = Double.NaN;
        return new ResultRow(prov, "zero-shot", head.id(), 0, -1, 0, n,
                eval == null ? nan : eval.top1(), eval == null ? nan : eval.top5(),
                eval == null ? nan : eval.meanPerClassRecall(),
                test == null ? 0 : test.totalSeconds(), test == null ? 0 : test.imagesPerSecond(),
                test == null ? 0 : test.upsampleSeconds(), test == null ? 0 : test.skipped().size(), 0,
                eval == null && test != null ? "needs a text tower" : "");
    }

    private List<Prediction> predictions(EmbeddedSplit test, Evaluation eval) {
        List<ClassInfo> classes = plan.dataset().classes();
        List<Prediction> out = new ArrayList<>(test.size());
        for (int i = 0; i < test.size(); i++) {
            out.add(new Prediction(test.ids().get(i), classes.get(test.labels()[i]).originalName(),
                    classes.get(eval.predicted()[i]).originalName(), eval.confidence()[i]));
        }
        return out;
    }
}
