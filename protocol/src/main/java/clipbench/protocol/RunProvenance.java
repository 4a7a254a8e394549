package clipbench.protocol;

import clipbench.api.Environment;
import clipbench.api.Versions;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.HeadProvider;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a run's numbers rest on besides its settings, and where it ran: stored as the run's provenance.json,
 * which every results row points to by its run id (Tribuo's provenance, one per run).
 *
 * @param identity what the numbers depend on: dataset fingerprint, model hash and runtime version per
 *                 backend, prompt templates, every head setting with its fixed constants. A resumed run must
 *                 find the same
 * @param session  how this session ran (threads, batch size, JVM, OS, CPU, clipbench version, start time);
 *                 a resume may run elsewhere, so each session is recorded
 */
public record RunProvenance(Map<String, Object> identity, Map<String, Object> session) {

    /** The provenance of {@code plan}, whose backends read artifacts with these hashes (by backend id). */
    static RunProvenance of(RunPlan plan, Map<String, String> modelSha256) throws IOException {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("dataset", map("name", plan.dataset().name(), "fingerprint", plan.dataset().fingerprint(),
                "splits", plan.dataset().splits(), "test_split", plan.dataset().testSplit()));
        Map<String, Object> model = map("name", plan.card().name(), "preprocess",
                plan.card().preprocess().describe(), "logit_scale", plan.card().logitScale(), "context_length",
                plan.card().contextLength());
        // only for a half-precision checkpoint (so float32 runs resume as before): its weights were widened
        ModelCards.checkpointPrecision(plan.card()).ifPresent(p -> model.put("checkpoint_precision", p));
        identity.put("model", model);
        Map<String, Object> backends = new LinkedHashMap<>();
        Map<String, Object> threads = new LinkedHashMap<>();
        for (RunPlan.BackendChoice b : plan.backends()) {
            String id = b.provider().id();
            Map<String, Object> backend = map("runtime_version", b.provider().runtimeVersion(), "model_sha256",
                    modelSha256.get(id), "device", b.options().device().name().toLowerCase(Locale.ROOT));
            if (!b.options().settings().isEmpty()) {
                backend.put("settings", b.options().settings()); // only when given: older runs still resume
            }
            backends.put(id, backend);
            threads.put(id, b.options().intraOpThreads());
        }
        identity.put("backends", backends);
        identity.put("templates", map("name", plan.templates().name(), "templates", plan.templates().templates()));
        Map<String, Object> heads = new LinkedHashMap<>();
        for (HeadProvider h : plan.heads()) {
            heads.put(h.id(), h.settings());
        }
        identity.put("heads", heads);
        if (plan.fineTunes()) { // only then: runs of frozen-feature heads resume as before
            identity.put("finetune", map("modes", plan.finetune().stream().map(Object::toString).toList(),
                    "settings", plan.fineTuneSettings().asMap()));
        }

        Map<String, Object> session = new LinkedHashMap<>();
        session.put("started", Instant.now().toString());
        session.put("clipbench_version", Versions.clipbench());
        session.put("batch_size", plan.batchSize());
        session.put("threads", threads);
        session.put("cache", plan.cache() != null);
        session.putAll(Environment.describe());
        return new RunProvenance(identity, session);
    }

    /** An insertion-ordered map of key, value pairs. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
