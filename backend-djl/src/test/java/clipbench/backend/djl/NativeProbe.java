package clipbench.backend.djl;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DjlNativeLibraryTest}: constructs the provider, says whether libtorch is mapped
 * into the process, then starts the engine (or reports why it cannot) and opens the model directory given as
 * the first argument. Prints {@code key=value} lines.
 */
public final class NativeProbe {
    private NativeProbe() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("offline-before=" + System.getProperty(DjlRuntime.OFFLINE_PROPERTY));
        DjlBackboneProvider provider = new DjlBackboneProvider();
        System.out.println("offline=" + System.getProperty(DjlRuntime.OFFLINE_PROPERTY));
        System.out.println("id=" + provider.id() + " format=" + provider.artifactFormat());
        System.out.println("libtorch-after-constructor=" + libtorchMapped());
        try {
            System.out.println("version=" + provider.runtimeVersion());
        } catch (IllegalStateException e) {
            System.out.println("version-error=" + oneLine(e.getMessage()));
        }
        System.out.println("libtorch-after-version=" + libtorchMapped());
        ModelCard card = ModelCards.load(Path.of(args[0]));
        try (var backbone = provider.open(card, BackendOptions.defaults())) {
            System.out.println("open=" + backbone.embeddingDim());
        } catch (IllegalStateException e) {
            System.out.println("open-error=" + oneLine(e.getMessage()));
        }
    }

    /** Whether libtorch is mapped into this process (Linux), or "unknown". */
    static String libtorchMapped() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "unknown";
        }
        return String.valueOf(Files.readString(maps).contains("libtorch_cpu") || Files.readString(maps).contains("libtorch."));
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replace('\n', ' ');
    }
}
