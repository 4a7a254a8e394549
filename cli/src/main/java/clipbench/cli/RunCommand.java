package clipbench.cli;

import clipbench.protocol.RunPlan;
import clipbench.protocol.Runner;
import clipbench.reports.ReportBuilder;
import clipbench.reports.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipbench run}: the protocol over backends x upsamplers, written to a run directory. Settings come
 * from {@code --config} (one run, or a study of named runs) and every option given, which wins over the file.
 */
@Command(name = "run", sortOptions = false,
        description = "Run the evaluation protocol and write CSVs, charts and report.html into --out.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML or JSON file with the same keys as the options below; a"
            + " 'runs' mapping makes it a study (each run in OUT/NAME, one merged report in OUT). Text may use"
            + " $${data} (~/.cache/clipbench) and $${root} (the clipbench checkout).")
    Path config;

    /** The options given, in order; each sets its key on the spec after the config file. */
    private final List<Consumer<RunSpec.Builder>> given = new ArrayList<>();

    @Option(names = "--backend", split = ",", description = "Backend ids, comma-separated (e.g. onnx,djl,tensorflow).")
    void backend(List<String> ids) {
        given.add(b -> b.backends(ids));
    }

    @Option(names = "--backend-option", paramLabel = "KEY=VALUE", description = "A backend-specific setting,"
            + " repeatable: a --backend id, a dot and the setting (e.g. onnx.spinning=true; see the README).")
    void backendOption(List<String> entries) {
        given.add(b -> b.backendOptions(entries));
    }

    @Option(names = "--model", description = "Model directory.")
    void model(Path dir) {
        given.add(b -> b.model(dir));
    }

    @Option(names = "--dataset", description = "ID[:LOCATION], e.g. imagefolder:PATH or fashion-mnist.")
    void dataset(String idAndLocation) {
        given.add(b -> b.dataset(idAndLocation));
    }

    @Option(names = "--protocol", split = ",", description = "zero-shot and/or k-shot, comma-separated (default zero-shot).")
    void protocol(List<String> names) {
        given.add(b -> b.protocols(names));
    }

    @Option(names = "--upsampler", split = ",", description = "Upsamplers, comma-separated (default bicubic).")
    void upsampler(List<String> specs) {
        given.add(b -> b.upsamplers(specs));
    }

    @Option(names = "--templates", description = "clip7 (default), photo, a file, or prompts.md#Section.")
    void templates(String name) {
        given.add(b -> b.templates(name));
    }

    @Option(names = "--k", split = ",", description = "Shots per class for k-shot, comma-separated; 'all' = every"
            + " training image (default 1,2,4,8,16,all).")
    void k(List<String> labels) {
        given.add(b -> b.k(labels));
    }

    @Option(names = "--seeds", description = "Sampling seeds per k (default 3).")
    void seeds(int n) {
        given.add(b -> b.seeds(n));
    }

    @Option(names = "--heads", split = ",", description = "Trainable heads for k-shot (default lite,pro).")
    void heads(List<String> ids) {
        given.add(b -> b.heads(ids));
    }

    @Option(names = "--finetune", split = ",", description = "What k-shot rows train, comma-separated: head (the"
            + " frozen-feature heads, default), last:N (also the last N blocks of the image tower; last:0 = head),"
            + " all, after:LAYER (Keras: the layers after LAYER). Needs a backend that can train (not onnx).")
    void finetune(List<String> modes) {
        given.add(b -> b.finetune(modes));
    }

    @Option(names = "--val-per-class", description = "Validation images per class drawn from the training split"
            + " beside the shots, for model selection (default 8; 10 %% with k=all).")
    void valPerClass(int n) {
        given.add(b -> b.validationPerClass(n));
    }

    @Option(names = "--confusions", description = "Most-confused class pairs kept per result (default 20).")
    void confusions(int n) {
        given.add(b -> b.confusedPairs(n));
    }

    @Option(names = "--downscale", description = "Downscale every image to N x N first (simulates low-resolution"
            + " data, e.g. 100 as Fruits-360; 0 = off).")
    void downscale(int size) {
        given.add(b -> b.downscale(size));
    }

    @Option(names = "--test-per-class", description = "Evaluate on at most N test images per class (a stable"
            + " choice; the dataset name says so in every row; 0 = all).")
    void testPerClass(int n) {
        given.add(b -> b.testPerClass(n));
    }

    @Option(names = "--cache", description = "Embedding cache folder, or 'none' (default ~/.cache/clipbench/embeddings).")
    void cache(String folderOrNone) {
        given.add(b -> b.cache(folderOrNone));
    }

    @Option(names = "--shots-from", description = "Reuse the k-shot manifests of this earlier run directory.")
    void shotsFrom(Path runDir) {
        given.add(b -> b.shotsFrom(runDir));
    }

    @Option(names = "--out", description = "Run directory (must be empty unless --resume).")
    void out(Path dir) {
        given.add(b -> b.out(dir));
    }

    /** "--resume" or "--resume false" (to override a config file); any other value is a usage error. */
    @Option(names = "--resume", arity = "0..1", fallbackValue = "true",
            description = "Continue the run in --out, skipping finished rows.")
    void resume(boolean on) {
        given.add(b -> b.resume(on));
    }

    @Option(names = "--threads", description = "Intra-op threads per backend (0 = runtime default).")
    void threads(int n) {
        given.add(b -> b.threads(n));
    }

    @Option(names = "--prep-threads", description = "Threads reading, upsampling and preprocessing images ahead of"
            + " the backbone (default: processors - 1, at least 1; 0 = on the embedding thread).")
    void prepThreads(int n) {
        given.add(b -> b.prepThreads(n));
    }

    @Option(names = "--device", description = "cpu, gpu or auto (default cpu).")
    void device(String name) {
        given.add(b -> b.device(name));
    }

    @Option(names = "--batch-size", description = "Images per backbone call (default 32).")
    void batchSize(int n) {
        given.add(b -> b.batchSize(n));
    }

    @Override
    public Integer call() throws Exception {
        RunConfig file = file();
        List<RunSpec> specs = specs(file);
        if (!file.isStudy()) {
            Executed done = execute(specs.get(0));
            RunDirectory run = done.run();
            System.out.print(done.report().headline());
            System.out.println("results: " + run.dir().resolve(RunDirectory.RESULTS));
            System.out.println("report:  " + run.dir().resolve("report.html"));
            return 0;
        }
        ReportBuilder.Result report = executeStudy(specs, specs.get(0).out().getParent());
        System.out.print(report.headline());
        System.out.println("report:  " + report.html());
        return 0;
    }

    /** The --config file, or none. */
    RunConfig file() throws IOException {
        return config == null ? RunConfig.none() : RunConfig.read(config, RunConfig.placeholders(RunConfig.DEFAULT_DATA));
    }

    /** The validated specs: the config file's settings, each overridden by the options given. */
    List<RunSpec> specs(RunConfig file) throws IOException {
        return file.specs(b -> given.forEach(g -> g.accept(b)));
    }

    /** A finished run and its report. */
    record Executed(RunDirectory run, ReportBuilder.Result report) {
    }

    /** Runs a validated spec end to end: plugins, protocol, CSVs, then the report. */
    static Executed execute(RunSpec s) throws Exception {
        try (RunWiring wiring = RunWiring.resolve(s)) {
            RunDirectory run;
            try {
                run = RunDirectory.open(s.out(), s.resume(), s.asMap(), RunSpec.MAY_DIFFER_ON_RESUME, s.shotsFrom(),
                        s.confusedPairs());
            } catch (java.nio.file.FileSystemException e) {
                throw RunFolders.cannotCreate("--out", s.out(), e);
            }
            RunPlan plan = wiring.plan(run.runId());
            try {
                new Runner(plan, run, new ConsoleProgress("")).run();
            } finally {
                run.finish();
            }
            return new Executed(run, ReportBuilder.build(List.of(run.dir()), run.dir()));
        }
    }

    /** Runs a study's specs one after another, then writes their merged report into {@code reportDir}. */
    static ReportBuilder.Result executeStudy(List<RunSpec> specs, Path reportDir) throws Exception {
        List<Path> runs = new ArrayList<>();
        for (RunSpec s : specs) {
            System.out.println("== " + s.out().getFileName());
            runs.add(execute(s).run().dir());
        }
        return ReportBuilder.build(runs, reportDir);
    }
}
