package clipbench.cli;

import clipbench.keras.TfjsModelDirectory;
import clipbench.reports.ReportBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipbench demo}: the study's protocol for image-only backbones on real data with real pretrained
 * networks. Finds or installs its inputs (Debian's Fashion-MNIST, npm's nsfwjs MobileNetV2 / InceptionV3, Google
 * emoji and UpscalerJS's ESRGAN-slim), imports the networks for every backend, runs k-shot + LITE (+ zero-shot and
 * PRO rows that say they need a text tower) on Fashion-MNIST (28 px) and on emoji fruit shrunk to 32 px, each
 * upsampled by nearest, bicubic and ESRGAN-slim, on every backend, and writes one merged report.
 */
@Command(name = "demo", description = "Run the protocol on Fashion-MNIST and emoji fruit with nsfwjs's pretrained"
        + " MobileNetV2 and InceptionV3 on every backend, upsampled by nearest, bicubic and ESRGAN-slim; installs its"
        + " inputs into --data.")
final class DemoCommand implements Callable<Integer> {
    static final String NPM_PACKAGES = "nsfwjs@4.4.0 emoji-datasource-google@16.0.0 @upscalerjs/esrgan-slim@1.0.0";
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /** UpscalerJsPackage's properties (the upsamplers module is a run-time plugin of the cli, not compiled against). */
    static final String UPSCALERJS_NPM_PROPERTY = "clipbench.npm";
    static final String UPSCALERJS_MODELS_PROPERTY = "clipbench.models";

    /** The study, relative to the clipbench checkout. */
    static final Path STUDY = Path.of("studies", "demo.yaml");
    private static final String MODEL_PREFIX = "nsfwjs-";

    @Option(names = "--out", description = "Run directory (default runs/demo-<time>; never reused).")
    Path out;

    @Option(names = "--data", description = "Where inputs and imported models go (default ~/.cache/clipbench;"
            + " $${data} in the study).")
    Path data = RunConfig.DEFAULT_DATA;

    // Unset options keep the study's values (studies/demo.yaml).
    @Option(names = "--backends", split = ",", description = "Backends (default the study's: onnx,djl,tensorflow).")
    List<String> backends;

    @Option(names = "--models", split = ",", description = "nsfwjs models (default the study's:"
            + " mobilenet_v2,inception_v3).")
    List<String> models;

    @Option(names = "--test-per-class", description = "Fashion-MNIST test images per class (default the study's"
            + " 10: the 10,000-image test split is subsampled so the demo takes minutes on 2 cores; every row's"
            + " dataset name says so). Applies to the study's runs that subsample.")
    Integer testPerClass;

    @Option(names = "--seeds", description = "Seeds per k (default the study's 3).")
    Integer seeds;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Path npm = ensureNpmPackages();
        // the study's esrgan-slim upsampler finds its package, and keeps its imports, under --data too
        System.setProperty(UPSCALERJS_NPM_PROPERTY, npm.getParent().toString());
        System.setProperty(UPSCALERJS_MODELS_PROPERTY, data.resolve("models").toString());
        ensureFashionMnist();
        Path emojiFruit = Cli.root().resolve("testdata/images/emoji-fruit");
        if (!Files.isDirectory(emojiFruit)) {
            throw new IOException(emojiFruit + ": the emoji fruit folder is missing (run from the clipbench checkout)");
        }
        Path outDir = out != null ? out : Path.of("runs", "demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<RunSpec> specs = specs(outDir);
        for (Path modelDir : specs.stream().map(RunSpec::model).distinct().toList()) {
            importOnce(npm.resolve("nsfwjs/dist/models").resolve(nsfwjsModel(modelDir)), modelDir);
        }
        ReportBuilder.Result report = RunCommand.executeStudy(specs, outDir);
        System.out.print(report.headline());
        System.out.printf("demo finished in %.0f s%nreport: %s%n", (System.nanoTime() - start) / 1e9,
                report.html().toAbsolutePath());
        return 0;
    }

    /**
     * The study's runs with this command's options applied: model by model (in --models order), each
     * model's runs in file order, written to OUT/NAME.
     */
    List<RunSpec> specs(Path outDir) throws IOException {
        RunConfig study = RunConfig.read(Cli.root().resolve(STUDY), RunConfig.placeholders(data));
        List<RunSpec> all = new ArrayList<>();
        for (RunSpec s : study.specs(b -> {
            b.out(outDir);
            Optional.ofNullable(backends).ifPresent(b::backends);
            Optional.ofNullable(seeds).ifPresent(b::seeds);
        })) {
            all.add(testPerClass != null && s.testPerClass() > 0 ? s.toBuilder().testPerClass(testPerClass).build() : s);
        }
        List<String> chosen = models != null ? models.stream().map(String::strip).toList()
                : all.stream().map(s -> nsfwjsModel(s.model())).distinct().toList();
        List<RunSpec> specs = new ArrayList<>();
        for (String model : chosen) {
            List<RunSpec> mine = all.stream().filter(s -> nsfwjsModel(s.model()).equals(model)).toList();
            if (mine.isEmpty()) {
                throw new IllegalArgumentException("--models: '" + model + "' is not in " + STUDY + "; it has "
                        + all.stream().map(s -> nsfwjsModel(s.model())).distinct().toList());
            }
            specs.addAll(mine);
        }
        return specs;
    }

    /** The nsfwjs model a study's model directory holds: DATA/models/nsfwjs-mobilenet-v2 is mobilenet_v2. */
    private static String nsfwjsModel(Path modelDir) {
        String name = modelDir.getFileName().toString();
        if (!name.startsWith(MODEL_PREFIX)) {
            throw new IllegalArgumentException(STUDY + ": model " + modelDir + " is not an nsfwjs import ("
                    + MODEL_PREFIX + "NAME)");
        }
        return name.substring(MODEL_PREFIX.length()).replace('-', '_');
    }

    /** Imports an nsfwjs model for every backend, once (a complete model directory is reused). */
    private static Path importOnce(Path from, Path modelDir) throws IOException {
        if (Files.isRegularFile(modelDir.resolve("model.onnx")) && Files.isRegularFile(modelDir.resolve("model-card.json"))) {
            return modelDir;
        }
        if (Files.isDirectory(modelDir)) {
            try (var files = Files.list(modelDir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f); // an interrupted import: start it again
                }
            }
        }
        System.out.println("importing " + from + " -> " + modelDir);
        return TfjsModelDirectory.create(from, modelDir, null, null, null);
    }

    /** nsfwjs, the Google emoji and ESRGAN-slim under DATA/npm, installed with npm when missing. */
    private Path ensureNpmPackages() throws IOException, InterruptedException {
        Path prefix = data.resolve("npm");
        Path modules = prefix.resolve("node_modules");
        if (Files.isRegularFile(modules.resolve("nsfwjs/dist/models/mobilenet_v2/model.min.js"))
                && Files.isRegularFile(modules.resolve("emoji-datasource-google/emoji.json"))
                && Files.isRegularFile(modules.resolve("@upscalerjs/esrgan-slim/models/x8/model.json"))) {
            return modules;
        }
        Files.createDirectories(prefix);
        List<String> cmd = new ArrayList<>(List.of("npm", "install", "--prefix", prefix.toString(), "--no-save",
                "--no-audit", "--no-fund"));
        cmd.addAll(List.of(NPM_PACKAGES.split(" ")));
        exec(cmd, "npm (install Node.js and npm, e.g. apt-get install npm)");
        return modules;
    }

    /** Debian's dataset-fashion-mnist, installed with apt when missing and running as root. */
    private static void ensureFashionMnist() throws IOException, InterruptedException {
        if (Files.isRegularFile(FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"))) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException(FASHION_MNIST + ": Fashion-MNIST not found; install it with"
                    + " 'sudo apt-get install dataset-fashion-mnist'");
        }
        exec(List.of("apt-get", "update", "-qq"), "apt-get");
        exec(List.of("apt-get", "install", "-y", "-qq", "dataset-fashion-mnist"), "apt-get");
    }

    private static void exec(List<String> cmd, String what) throws IOException, InterruptedException {
        System.out.println("$ " + String.join(" ", cmd));
        Process p;
        try {
            p = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException e) {
            throw new IOException("cannot start " + what + ": " + e.getMessage(), e);
        }
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }
}
