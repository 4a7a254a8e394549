package clipbench.cli;

import clipbench.reports.ReportBuilder;
import clipbench.reports.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipbench demo}: the study's protocol for image-only backbones on real data with real pretrained
 * networks. Finds or installs its inputs (Debian's Fashion-MNIST, npm's nsfwjs MobileNetV2 / InceptionV3 and
 * Google emoji), imports the networks for every backend, runs k-shot + LITE (+ zero-shot and PRO rows that
 * say they need a text tower) on Fashion-MNIST (28 px, upsampled bicubic vs nearest) and on emoji fruit, on
 * every backend, and writes one merged report.
 */
@Command(name = "demo", description = "Run the protocol on Fashion-MNIST and emoji fruit with nsfwjs's pretrained"
        + " MobileNetV2 and InceptionV3 on every backend; installs its inputs into --data.")
final class DemoCommand implements Callable<Integer> {
    static final String NPM_PACKAGES = "nsfwjs@4.4.0 emoji-datasource-google@16.0.0";
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--out", description = "Run directory (default runs/demo-<time>; never reused).")
    Path out;

    @Option(names = "--data", description = "Where inputs and imported models go (default ~/.cache/clipbench).")
    Path data = Path.of(System.getProperty("user.home"), ".cache", "clipbench");

    @Option(names = "--backends", defaultValue = "onnx,djl,tensorflow", description = "Backends (default ${DEFAULT-VALUE}).")
    String backends;

    @Option(names = "--models", defaultValue = "mobilenet_v2,inception_v3",
            description = "nsfwjs models (default ${DEFAULT-VALUE}).")
    String models;

    @Option(names = "--test-per-class", defaultValue = "20", description = "Fashion-MNIST test images per class"
            + " (default ${DEFAULT-VALUE}: the 10,000-image test split is subsampled so the demo takes minutes on 2"
            + " cores; every row's dataset name says so).")
    int testPerClass;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per k (default ${DEFAULT-VALUE}).")
    int seeds;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Path npm = ensureNpmPackages();
        ensureFashionMnist();
        Path root = Path.of(System.getProperty("clipbench.root", ".")).toAbsolutePath().normalize();
        Path emojiFruit = root.resolve("testdata/images/emoji-fruit");
        if (!Files.isDirectory(emojiFruit)) {
            throw new IOException(emojiFruit + ": the emoji fruit folder is missing (run from the clipbench checkout)");
        }
        Path outDir = out != null ? out : Path.of("runs", "demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<Path> runs = new ArrayList<>();
        for (String model : models.split(",")) {
            Path modelDir = importOnce(npm.resolve("nsfwjs/dist/models").resolve(model.strip()),
                    data.resolve("models").resolve("nsfwjs-" + model.strip().replace('_', '-')));
            runs.add(run(outDir.resolve(modelDir.getFileName() + "-fashion-mnist"), modelDir, Map.of(
                    "dataset", "fashion-mnist:" + FASHION_MNIST, "upsampler", "bicubic,nearest",
                    "k", "1,2,4,8,16", "val-per-class", "4", "test-per-class", Integer.toString(testPerClass))));
            runs.add(run(outDir.resolve(modelDir.getFileName() + "-emoji-fruit"), modelDir, Map.of(
                    "dataset", "imagefolder:" + emojiFruit, "upsampler", "bicubic", "k", "1,2,4",
                    "val-per-class", "1")));
        }
        ReportBuilder.Result report = ReportBuilder.build(runs, outDir);
        printSummary(report.summary());
        System.out.printf("demo finished in %.0f s%nreport: %s%n", (System.nanoTime() - start) / 1e9,
                report.html().toAbsolutePath());
        return 0;
    }

    /** One run of the demo: the shared settings plus this dataset's. */
    private Path run(Path dir, Path model, Map<String, String> settings) throws Exception {
        Map<String, String> v = new LinkedHashMap<>(settings);
        v.put("backend", backends);
        v.put("model", model.toString());
        v.put("protocol", "zero-shot,k-shot");
        v.put("heads", "lite,pro");
        v.put("seeds", Integer.toString(seeds));
        v.put("cache", data.resolve("embeddings").toString());
        v.put("out", dir.toString());
        System.out.println("== " + dir.getFileName());
        return RunCommand.execute(RunSettings.from(v)).dir();
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
        return ImportTfjsCommand.importModel(from, modelDir, null, null);
    }

    /** nsfwjs and the Google emoji under DATA/npm, installed with npm when missing. */
    private Path ensureNpmPackages() throws IOException, InterruptedException {
        Path prefix = data.resolve("npm");
        Path modules = prefix.resolve("node_modules");
        if (Files.isRegularFile(modules.resolve("nsfwjs/dist/models/mobilenet_v2/model.min.js"))
                && Files.isRegularFile(modules.resolve("emoji-datasource-google/emoji.json"))) {
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

    /** The accuracy table: backbone, dataset, backend, upsampler, head, k: top-1 mean +- std over seeds. */
    private static void printSummary(Path summary) throws IOException {
        System.out.printf("%-22s %-36s %-10s %-8s %-9s %-4s %s%n", "backbone", "dataset", "backend", "upsampler",
                "head", "k", "top-1 (mean ± std)");
        for (CSVRecord r : RunDirectory.read(summary)) {
            if (r.get("top1_mean").isEmpty()) {
                continue;
            }
            String std = r.get("top1_std").isEmpty() ? "" : String.format(" ± %.3f", Double.parseDouble(r.get("top1_std")));
            System.out.printf("%-22s %-36s %-10s %-8s %-9s %-4s %.3f%s%n", r.get("backbone"), r.get("dataset"),
                    r.get("backend"), r.get("upsampler"), r.get("head"), r.get("k"),
                    Double.parseDouble(r.get("top1_mean")), std);
        }
    }
}
