package clipbench.cli;

import clipbench.api.model.ModelCards;
import clipbench.api.spi.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clipbench export}: a model in one backend's own format, e.g. a SavedModel from a checkpoint. */
@Command(name = "export", description = "Write the model in a backend's own format (tensorflow: a SavedModel"
        + " built from the safetensors checkpoint).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--backend", required = true, description = "Backend id, e.g. tensorflow.")
    String backend;

    @Option(names = "--model", required = true, description = "Model directory.")
    Path model;

    @Option(names = "--out", required = true, description = "Output directory (must not exist or be empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + ": is not empty; choose a new --out");
                }
            }
        }
        Plugins.backend(backend).export(ModelCards.load(model), out);
        System.out.println("exported: " + out);
        return 0;
    }
}
